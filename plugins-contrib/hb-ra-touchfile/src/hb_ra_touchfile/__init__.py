"""hb plugin: the ``touchfile::/path`` resource agent (an example for plugin authors)."""

from collections.abc import Callable

from hb_hookspecs import ArgumentError, ResourceAgent, ResourceAgentType, ResourceContext, hookimpl

from hb_ra_touchfile.agent import PREFIX, TouchFileAgent

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_resource_agents(register: Callable[[ResourceAgentType], None]) -> None:
    register(ResourceAgentType(name="touchfile", summary="a file that exists while held"))


@hookimpl
def hb_resolve_resource(token: str, context: ResourceContext) -> ResourceAgent | None:
    if not token.startswith(PREFIX):
        return None
    path = token.removeprefix(PREFIX)
    if not path.startswith("/"):
        raise ArgumentError(f"'{path}' is not an absolute path", "write touchfile::/full/path")
    return TouchFileAgent(token, path)

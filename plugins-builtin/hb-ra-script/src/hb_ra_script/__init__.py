"""hb plugin: heartbeat ``resource.d`` scripts and LSB ``init.d`` scripts as resource agents
(``httpd``, ``maid::vacuum``, ``Filesystem::/dev/sda1::/data::ext3``)."""

from collections.abc import Callable

from hb_hookspecs import Directive, ResourceAgent, ResourceAgentType, ResourceContext, hookimpl

from hb_ra_script.directives import SCRIPT_DIRS
from hb_ra_script.lookup import is_address_shorthand, locate, missing, split_token

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_directives(register: Callable[[Directive], None]) -> None:
    register(SCRIPT_DIRS)


@hookimpl
def hb_register_resource_agents(register: Callable[[ResourceAgentType], None]) -> None:
    register(
        ResourceAgentType(
            name="script",
            summary="heartbeat resource.d and LSB init.d scripts (script::arg1::arg2)",
        )
    )


@hookimpl(trylast=True)
def hb_resolve_resource(token: str, context: ResourceContext) -> ResourceAgent | None:
    # 192.168.85.3 means IPaddr::192.168.85.3: hb-ra-ipaddr's, never a script named so.
    if is_address_shorthand(token):
        return None
    parsed = split_token(token)
    script = locate(parsed.script, context.settings)
    if script is None:
        raise missing(parsed.script, context.settings)
    # Imported here so that listing plugins stays free of asyncio and subprocesses.
    from hb_ra_script.agent import ScriptAgent

    return ScriptAgent(parsed, script, context)

"""hb plugin: systemd units as resources (``systemd:nginx``, ``systemd:getty@tty1.service``),
started, stopped and checked through ``systemctl``."""

from collections.abc import Callable

from hb_hookspecs import ResourceAgent, ResourceAgentType, ResourceContext, hookimpl

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_resource_agents(register: Callable[[ResourceAgentType], None]) -> None:
    # hb check offers registered names as corrections of a missing resource's name: one
    # like "systemd:UNIT" would be offered for systemd:ngnix, a bare "systemd" only for units
    # of one or two letters.
    register(
        ResourceAgentType(name="systemd", summary="systemd units, through systemctl (systemd:UNIT)")
    )


@hookimpl
def hb_resolve_resource(token: str, context: ResourceContext) -> ResourceAgent | None:
    from hb_ra_systemd.units import check_unit, parse_token, unit_path

    parsed = parse_token(token)
    if parsed is None:
        return None
    check_unit(parsed.unit, unit_path(context.environment))
    # Imported here so that listing plugins stays free of asyncio and subprocesses.
    from hb_ra_systemd.agent import SystemdAgent

    return SystemdAgent(parsed.token, parsed.unit, context.environment)

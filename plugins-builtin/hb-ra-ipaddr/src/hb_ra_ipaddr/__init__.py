"""hb plugin: heartbeat's IPaddr and IPaddr2 resource agents (``192.168.85.3/27``,
``IPaddr2::10.0.0.10/24/eth0``, ``IPaddr2::fd00::10/64/eth0``)."""

from collections.abc import Callable, Sequence

from hb_hookspecs import ResourceAgent, ResourceAgentType, ResourceContext, hookimpl

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""

AGENT_TYPES = (
    ResourceAgentType(
        name="IPaddr",
        summary="service IPv4 address (the a.b.c.d shorthand), 10 gratuitous ARPs 500 ms apart",
    ),
    ResourceAgentType(
        name="IPaddr2",
        summary="service IPv4 or IPv6 address, 5 gratuitous ARPs (or NAs) 200 ms apart",
    ),
    ResourceAgentType(name="IPv6addr", summary="service IPv6 address, as IPaddr2 handles it"),
)


@hookimpl
def hb_register_resource_agents(register: Callable[[ResourceAgentType], None]) -> None:
    for agent_type in AGENT_TYPES:
        register(agent_type)


@hookimpl(tryfirst=True)
def hb_resolve_resource(token: str, context: ResourceContext) -> ResourceAgent | None:
    # Imported here so that listing plugins stays free of asyncio, pyroute2 and scapy.
    from hb_ra_ipaddr.argument import parse_token

    spec = parse_token(token)
    if spec is None:
        return None
    from hb_ra_ipaddr.agent import IpAddrAgent

    return IpAddrAgent(token, spec, context.config_dir)


@hookimpl
async def hb_resources_acquired(resources: Sequence[str]) -> None:
    # An address whose start the executor skipped (status said running) is announced here.
    from hb_ra_ipaddr.announcements import group_acquired

    await group_acquired(resources)

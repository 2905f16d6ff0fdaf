"""hb plugin: OCF resource agents (``ocf:heartbeat:IPaddr2::ip=10.0.0.10::cidr_netmask=24``,
heartbeat's ``OCF::Dummy::db``) run the OCF way, checked against their meta-data."""

from collections.abc import Callable

from hb_hookspecs import ResourceAgent, ResourceAgentType, ResourceContext, hookimpl

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_resource_agents(register: Callable[[ResourceAgentType], None]) -> None:
    # The name is the token's form: a bare "ocf" would be offered by hb check as the
    # correction of heartbeat's "OCF" script name.
    register(
        ResourceAgentType(
            name="ocf:PROVIDER:AGENT",
            summary="OCF resource agents (ocf:PROVIDER:AGENT::name=value, OCF::TYPE::INSTANCE)",
        )
    )


@hookimpl
def hb_resolve_resource(token: str, context: ResourceContext) -> ResourceAgent | None:
    # Runs before hb-ra-script (trylast), so OCF::TYPE::INSTANCE is run directly rather than
    # through heartbeat's resource.d/OCF wrapper. Imported here so that listing plugins stays
    # free of asyncio and XML.
    from hb_ra_ocf.tokens import parse_token

    parsed = parse_token(token)
    if parsed is None:
        return None
    from hb_ra_ocf.resolve import resolve

    return resolve(parsed, context)

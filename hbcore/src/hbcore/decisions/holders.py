"""Who runs each resource group, as this node's failback policy knows it: for ``hb status``,
the statistics view and the plugins that read it."""

from __future__ import annotations

from hbcore.decisions.legacy import LegacyFailback
from hbcore.decisions.nice_failback import NiceFailback
from hbcore.resources.groups import Group


def holder_of(policy: NiceFailback | LegacyFailback, group: Group) -> str | None:
    """Who runs ``group``: this node when it holds it; in nice failback the peer when it
    claims it, ``none`` when nobody does; in legacy mode the peers do not say (``None``)."""
    me = policy.me
    if isinstance(policy, LegacyFailback):
        return me if group.key in policy.held else None
    hold = policy.groups.hold_of(group)
    if hold in policy.i_hold:
        return me
    if hold.seen_from_peer() in policy.other_holds and policy.peer is not None:
        return policy.peer
    return "none"


def group_holders(policy: object) -> dict[str, str | None]:
    """Group key -> :func:`holder_of`, for every group of a nice or legacy failback policy;
    empty for a node that runs no haresources groups (``policy`` None, or ``crm on``)."""
    if not isinstance(policy, NiceFailback | LegacyFailback):
        return {}
    return {group.key: holder_of(policy, group) for group in policy.groups.groups}

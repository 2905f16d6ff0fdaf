"""The node forwards membership events to the decisions, which decide: a normal peer's death is
a takeover (not while shutting down), a ping node's is ipfail's to count, a healed partition
restarts a node that manages resources. No loop: a recording policy and a recording ipfail."""

from __future__ import annotations

from typing import Any

from hbcore.decisions.binding import ResourceBinding
from hbcore.decisions.cluster import ClusterDecisions
from hbcore.membership.events import (
    LateHeartbeat,
    LinkChanged,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)
from hbcore.membership.table import Membership, MembershipTimers
from hbcore.resources.groups import GroupTable
from hbcore.wire import Message
from structlog.testing import capture_logs

TIMERS = MembershipTimers(warntime_ms=500, deadtime_ms=1000, initdead_ms=2000, deadping_ms=1000)


class Recorder:
    """Stands for a failback policy and for ipfail: records each call by name."""

    holding = "none"

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *arguments: self.calls.append((name, *arguments))


class Decided:
    """Decisions of linuxha1 (peer linuxha2, ping node gw) with recorders behind them."""

    def __init__(self, resources: bool = True, ipfail: bool = True) -> None:
        self.membership = Membership("linuxha1", ["linuxha1", "linuxha2"], ["gw"], TIMERS, 0.0)
        self.policy = Recorder()
        self.ipfail = Recorder()
        self.stopping = False
        self.restarts = 0

        def restart() -> None:
            self.restarts += 1

        self.decisions = ClusterDecisions(
            self.membership,
            self.policy if resources else None,
            self.ipfail if ipfail else None,
            lambda: self.stopping,
            restart,
        )


def test_a_normal_peer_that_dies_is_taken_over_and_ipfail_loses_its_peer() -> None:
    decided = Decided()
    decided.decisions.membership_changed(NodeDied("linuxha2", "active"))
    assert decided.policy.calls == [("node_died", "linuxha2")]
    assert decided.ipfail.calls == [("peer_died", "linuxha2")]


def test_a_ping_node_that_dies_or_answers_is_no_takeover_but_ipfail_recounts() -> None:
    decided = Decided()
    decided.decisions.membership_changed(NodeDied("gw", "ping"))
    decided.decisions.membership_changed(StatusChanged("gw", "ping", "dead"))
    assert decided.policy.calls == []
    assert decided.ipfail.calls == [("connectivity_changed",), ("connectivity_changed",)]


def test_ipfail_recounts_when_a_peer_link_dies_not_when_one_comes_up() -> None:
    decided = Decided()
    decided.decisions.membership_changed(LinkChanged("linuxha2", "eth1", "up"))
    decided.decisions.membership_changed(LateHeartbeat("linuxha2", 700, beyond_deadtime=False))
    decided.decisions.membership_changed(LinkChanged("linuxha2", "eth1", "dead"))
    assert decided.ipfail.calls == [("connectivity_changed",)]
    assert decided.policy.calls == []


def test_a_death_while_shutting_down_is_no_takeover() -> None:
    decided = Decided()
    decided.stopping = True
    with capture_logs() as logs:
        decided.decisions.membership_changed(NodeDied("linuxha2", "active"))
    assert decided.policy.calls == []
    assert [e["event"] for e in logs] == ["Resource takeover cancelled - shutdown in progress."]


def test_a_healed_partition_restarts_only_a_node_that_manages_resources() -> None:
    with_resources, without = Decided(), Decided(resources=False)
    for decided in (with_resources, without):
        decided.decisions.membership_changed(ReturnedAfterPartition("linuxha2"))
    assert (with_resources.restarts, without.restarts) == (1, 0)


def test_messages_go_to_their_policy_and_a_shutdown_notice_is_only_noted_without_one() -> None:
    decided = Decided()
    resource = Message.of(("t", "resource"), ("rsc_hold", "local"))
    count = Message.of(("t", "num_ping_nodes"), ("num_ping", "1"))
    decided.decisions.message("resource", "linuxha2", resource)
    decided.decisions.message("num_ping_nodes", "linuxha2", count)
    assert decided.policy.calls == [("message", "resource", "linuxha2", resource)]
    assert decided.ipfail.calls == [("message", "num_ping_nodes", "linuxha2", count)]
    alone = Decided(resources=False, ipfail=False)
    with capture_logs() as logs:
        alone.decisions.message("shutdone", "linuxha1", Message.of(("t", "shutdone")))
        alone.decisions.message("shutdone", "linuxha2", Message.of(("t", "shutdone")))
    assert [e["event"] for e in logs] == ["Received shutdown notice from 'linuxha2'."]


def test_ipfail_runs_only_beside_a_nice_failback_policy() -> None:
    membership = Membership("linuxha1", ["linuxha1", "linuxha2"], ["gw"], TIMERS, 0.0)
    groups = GroupTable([], "linuxha1")

    async def send(message: Message, dest: str | None = None) -> None:
        return None

    def build(binding: ResourceBinding | None, auto_failback: str) -> ClusterDecisions:
        return ClusterDecisions.build(
            membership,
            binding,
            send,
            ipfail=True,
            keepalive_s=1.0,
            auto_failback=auto_failback,
            shutting_down=lambda: False,
            restart=lambda: None,
        )

    with capture_logs() as logs:
        nice = build(ResourceBinding(groups, True), "on")
        legacy = build(ResourceBinding(groups, False, legacy=True), "legacy")
        bare = build(None, "on")
    assert nice.ipfail is not None and nice.ipfail.auto_failback
    assert legacy.ipfail is None and bare.ipfail is None
    refusals = [e for e in logs if e["event"].startswith("ipfail needs auto_failback")]
    assert len(refusals) == 2

"""The node table: links, deaths, late heartbeats, partitions, comm up, our own silence, and
what keeps a node alive (a status, never a mere packet)."""

from __future__ import annotations

from hbcore.membership.events import (
    LateHeartbeat,
    LinkChanged,
    MembershipEvent,
    NodeDied,
    ReturnedAfterPartition,
    StatusChanged,
)
from hbcore.membership.table import MAX_PEER_DEAD_INTERVAL_MS, Membership, MembershipTimers

TIMERS = MembershipTimers(warntime_ms=3000, deadtime_ms=5000, initdead_ms=10000, deadping_ms=5000)


def two_nodes(started_at: float = 0.0) -> Membership:
    return Membership("linuxha1", ["linuxha1", "linuxha2"], [], TIMERS, started_at)


def scan(table: Membership, now: float) -> list[MembershipEvent]:
    """A timeout scan on a node whose own heartbeat keeps going: it heard itself just now."""
    table.heard_ourselves(None, now)
    return table.check_timeouts(now)


def comm_up_with_peer_heard(at: float) -> Membership:
    table = two_nodes()
    table.link_heard("linuxha1", "eth1", at)
    table.heard_ourselves(5000, at)
    table.link_heard("linuxha2", "eth1", at)
    table.status_arrived("linuxha2", "active", 5000, at)
    table.set_comm_up()
    return table


def test_first_packet_on_a_medium_brings_the_link_up_once() -> None:
    table = two_nodes()
    assert table.link_heard("linuxha2", "eth1", 1.0) == [LinkChanged("linuxha2", "eth1", "up")]
    assert table.link_heard("linuxha2", "eth1", 2.0) == []
    assert [e.message for e in table.link_heard("linuxha2", "eth0", 2.0)] == [
        "Link linuxha2:eth0 up."
    ]


def test_status_change_is_reported_with_heartbeats_text() -> None:
    table = two_nodes()
    table.link_heard("linuxha2", "eth1", 1.0)
    events = table.status_arrived("linuxha2", "up", 7000, 1.0)
    assert events == [StatusChanged("linuxha2", "up", "init")]
    assert events[0].message == "Status update for node linuxha2: status up"
    assert table.status_arrived("linuxha2", "UP", None, 2.0) == []


def test_cutting_one_link_kills_the_link_not_the_node() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    table.link_heard("linuxha2", "/dev/ttyS0", 20.0)
    for tick in range(21, 27):
        table.link_heard("linuxha2", "/dev/ttyS0", float(tick))
        table.status_arrived("linuxha2", "active", None, float(tick))
        events = scan(table, float(tick))
        if events:
            assert events == [LinkChanged("linuxha2", "eth1", "dead")]
            assert events[0].message == "Link linuxha2:eth1 dead."
    assert table.nodes["linuxha2"].status == "active"
    assert table.nodes["linuxha2"].links["eth1"].status == "dead"


def test_silence_for_deadtime_kills_links_and_node() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    assert scan(table, 25.0) == []
    events = scan(table, 25.1)
    assert events == [LinkChanged("linuxha2", "eth1", "dead"), NodeDied("linuxha2", "active")]
    assert events[1].message == "node linuxha2: is dead"
    assert scan(table, 30.0) == []


def test_advertised_dead_interval_is_used() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    table.link_heard("linuxha2", "eth1", 21.0)
    table.status_arrived("linuxha2", "active", 7000, 21.0)
    assert scan(table, 27.5) == []
    assert NodeDied("linuxha2", "active") in scan(table, 28.1)


def test_nobody_dies_before_initdead_since_our_start_but_links_do() -> None:
    table = two_nodes(started_at=0.0)
    table.link_heard("linuxha2", "eth1", 1.0)
    table.status_arrived("linuxha2", "active", 5000, 1.0)
    table.set_comm_up()
    assert scan(table, 9.9) == [LinkChanged("linuxha2", "eth1", "dead")]
    assert scan(table, 10.1) == [NodeDied("linuxha2", "active")]


def test_a_peer_never_heard_is_declared_dead_after_initdead_and_comm_becomes_ready() -> None:
    table = two_nodes(started_at=0.0)
    assert not table.comm_ready()
    assert scan(table, 9.0) == []
    assert scan(table, 10.5) == [NodeDied("linuxha2", "init")]
    assert table.comm_ready()


def test_comm_ready_when_every_peer_heard() -> None:
    table = two_nodes()
    table.link_heard("linuxha2", "eth1", 1.0)
    assert not table.comm_ready()  # a packet alone is not a heartbeat
    table.status_arrived("linuxha2", "up", None, 1.0)
    assert table.comm_ready()
    assert table.live_peers() == ["linuxha2"]


def test_packets_that_are_not_a_status_refresh_the_link_never_the_node() -> None:
    """A captured packet of a killed peer replayed every 100 ms is a duplicate: the link stays
    up, the node dies at its deadtime as if nothing came."""
    table = comm_up_with_peer_heard(at=20.0)
    for tenth in range(201, 252):
        table.link_heard("linuxha2", "eth1", tenth / 10)
    assert scan(table, 25.0) == []
    assert scan(table, 25.1) == [NodeDied("linuxha2", "active")]
    assert table.nodes["linuxha2"].links["eth1"].status == "up"
    assert table.nodes["linuxha2"].last_heard == 20.0


def test_only_a_status_moves_the_next_deadline() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    table.heard_ourselves(None, 24.0)
    table.link_heard("linuxha2", "eth1", 24.0)
    assert abs(table.next_deadline(24.0) - 25.001) < 1e-9
    table.status_arrived("linuxha2", "active", None, 24.0)
    assert abs(table.next_deadline(24.0) - 29.001) < 1e-9


def test_an_advertised_dead_interval_past_an_hour_is_cut_to_an_hour() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    table.link_heard("linuxha2", "eth1", 21.0)
    table.status_arrived("linuxha2", "active", 2**64 - 1, 21.0)
    assert table.nodes["linuxha2"].dead_interval_ms == MAX_PEER_DEAD_INTERVAL_MS == 3_600_000
    assert scan(table, 21.0 + 3600.0) == []
    assert NodeDied("linuxha2", "active") in scan(table, 21.0 + 3600.1)


def test_the_dead_interval_cap_is_twice_our_deadtime_when_that_is_longer() -> None:
    two_hours = MembershipTimers(3_600_000, 7_200_000, 7_200_000, 7_200_000)
    table = Membership("linuxha1", ["linuxha1", "linuxha2"], [], two_hours, 0.0)
    table.status_arrived("linuxha2", "active", 10**12, 1.0)
    assert table.nodes["linuxha2"].dead_interval_ms == 14_400_000
    table.status_arrived("linuxha2", "active", 9_000_000, 2.0)
    assert table.nodes["linuxha2"].dead_interval_ms == 9_000_000


def test_our_own_links_never_die() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    events = scan(table, 100.0)
    assert all(e.node != "linuxha1" for e in events)


def test_late_heartbeat_warns_past_warntime() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    events = table.status_arrived("linuxha2", "active", None, 23.5)
    assert events == [LateHeartbeat("linuxha2", 3500, beyond_deadtime=False)]
    assert events[0].message == "Late heartbeat: Node linuxha2: interval 3500 ms"


def test_heartbeat_later_than_deadtime_declares_the_node_dead() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    events = table.status_arrived("linuxha2", "active", None, 25.5)
    assert events == [
        LateHeartbeat("linuxha2", 5500, beyond_deadtime=True),
        NodeDied("linuxha2", "active"),
    ]
    assert events[0].message == "Late heartbeat: Node linuxha2: interval 5500 ms (> deadtime)"
    assert table.status_arrived("linuxha2", "active", None, 26.0) == [
        ReturnedAfterPartition("linuxha2"),
        StatusChanged("linuxha2", "active", "dead"),
    ]


def test_status_from_a_dead_node_is_a_return_after_partition() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    scan(table, 26.0)
    table.link_heard("linuxha2", "eth1", 40.0)
    events = table.status_arrived("linuxha2", "active", None, 40.0)
    assert events[-2:] == [
        ReturnedAfterPartition("linuxha2"),
        StatusChanged("linuxha2", "active", "dead"),
    ]
    assert events[-2].message == "Cluster node linuxha2 returning after partition."


def test_restarted_node_has_no_late_heartbeat() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    table.node_restarted("linuxha2")
    assert table.status_arrived("linuxha2", "init", None, 24.0) == [
        StatusChanged("linuxha2", "init", "active")
    ]


def test_ping_nodes_use_deadping_and_report_ping_status() -> None:
    timers = MembershipTimers(3000, 5000, 10000, deadping_ms=8000)
    table = Membership("linuxha1", ["linuxha1"], ["10.0.0.254"], timers, 0.0)
    events = table.ping_answered("10.0.0.254", "10.0.0.254", 11.0)
    assert StatusChanged("10.0.0.254", "ping", "init") in events
    table.set_comm_up()
    assert scan(table, 18.5) == []
    assert NodeDied("10.0.0.254", "ping") in scan(table, 19.1)


def test_live_peers_are_normal_nodes_heard_and_not_dead() -> None:
    table = Membership("a", ["a", "b", "c"], ["10.0.0.254"], TIMERS, 0.0)
    table.link_heard("b", "eth1", 1.0)
    table.status_arrived("b", "up", None, 1.0)
    table.ping_answered("10.0.0.254", "10.0.0.254", 1.0)
    assert table.live_peers() == ["b"]


def test_next_deadline_is_the_earliest_possible_death() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    assert abs(table.next_deadline(20.0) - 25.001) < 1e-9
    assert abs(table.next_deadline(24.9) - 25.001) < 1e-9
    scan(table, 25.5)
    assert abs(table.next_deadline(25.5) - 30.501) < 1e-9  # our own heartbeat, next


def test_before_comm_up_scans_come_at_least_every_250_ms() -> None:
    table = two_nodes(started_at=0.0)
    assert abs(table.next_deadline(1.0) - 1.251) < 1e-9


def test_a_dead_node_that_restarted_is_not_returning_after_partition() -> None:
    table = comm_up_with_peer_heard(at=20.0)
    scan(table, 26.0)
    table.node_restarted("linuxha2")
    assert table.status_arrived("linuxha2", "init", None, 30.0) == []
    assert table.status_arrived("linuxha2", "up", None, 30.1) == [
        StatusChanged("linuxha2", "up", "init")
    ]


def test_a_node_dead_before_it_was_ever_heard_is_just_late_not_partitioned() -> None:
    table = two_nodes(started_at=0.0)
    assert scan(table, 10.5) == [NodeDied("linuxha2", "init")]
    table.link_heard("linuxha2", "eth1", 20.0)
    assert table.status_arrived("linuxha2", "up", None, 20.0) == [
        StatusChanged("linuxha2", "up", "dead")
    ]


def alone_and_active(heard_at: float) -> Membership:
    """A one-node cluster, comm up, that last heard its own status (dt 5 s) at ``heard_at``."""
    table = Membership("linuxha1", ["linuxha1"], [], TIMERS, 0.0)
    table.set_local_status("active")
    table.set_comm_up()
    table.heard_ourselves(5000, heard_at)
    return table


def test_our_own_status_every_keepalive_keeps_us_alive() -> None:
    table = alone_and_active(heard_at=20.0)
    for tick in range(21, 60):
        table.heard_ourselves(None, float(tick))
        assert table.check_timeouts(tick + 0.9) == []


def test_a_stall_past_our_dead_interval_declares_us_dead_once_and_our_status_stays() -> None:
    table = alone_and_active(heard_at=20.0)
    assert table.check_timeouts(25.0) == []
    events = table.check_timeouts(25.1)
    assert events == [NodeDied("linuxha1", "active")]
    assert events[0].message == "node linuxha1: is dead"
    assert table.check_timeouts(26.0) == []
    assert table.nodes["linuxha1"].status == "active"
    table.heard_ourselves(None, 26.0)
    assert table.check_timeouts(31.1) == [NodeDied("linuxha1", "active")]


def test_our_own_copies_heard_back_refresh_our_link_but_not_our_liveness() -> None:
    table = alone_and_active(heard_at=20.0)
    table.link_heard("linuxha1", "eth1", 25.0)
    assert table.check_timeouts(25.1) == [NodeDied("linuxha1", "active")]
    assert table.nodes["linuxha1"].links["eth1"].status == "up"


def test_our_own_advertised_dead_interval_is_ours() -> None:
    table = alone_and_active(heard_at=20.0)
    table.heard_ourselves(7000, 20.0)
    assert table.check_timeouts(26.9) == []
    assert table.check_timeouts(27.1) == [NodeDied("linuxha1", "active")]


def test_the_next_scan_comes_by_our_own_deadline_until_our_silence_is_reported() -> None:
    table = alone_and_active(heard_at=20.0)
    assert abs(table.next_deadline(20.0) - 25.001) < 1e-9
    table.check_timeouts(25.1)
    assert abs(table.next_deadline(25.1) - 30.101) < 1e-9

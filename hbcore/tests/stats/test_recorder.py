"""What the node's statistics make of membership's events, resource progress and policy
messages, driven by hand: counters, event records, and which acquisitions are takeovers."""

from __future__ import annotations

from hbcore.membership.events import LateHeartbeat, LinkChanged, NodeDied, StatusChanged
from hbcore.membership.table import Membership, MembershipTimers
from hbcore.resources.groups import Group
from hbcore.stats.recorder import Statistics
from hbcore.stats.view import StatisticsView
from hbcore.wire import Message
from hbcore.wire.sequence import Arrival, ArrivalReport

TIMERS = MembershipTimers(warntime_ms=500, deadtime_ms=1000, initdead_ms=2000, deadping_ms=1000)
GROUP = Group("10.0.0.2", "linuxha2", ("10.0.0.2",), ())


def statistics() -> Statistics:
    membership = Membership("linuxha1", ["linuxha1", "linuxha2"], ["10.0.0.254"], TIMERS, 0.0)
    return Statistics(membership, clock=lambda: 1796400000.0)


def kinds(stats: Statistics) -> list[str]:
    return [event.kind for _, event in stats.history.select()]


def test_a_status_far_too_late_is_an_event_and_its_interval_is_the_deaths_silence() -> None:
    stats = statistics()
    stats.membership_events(
        [
            StatusChanged("linuxha2", "active", "init"),
            LateHeartbeat("linuxha2", 700, beyond_deadtime=False),
            LateHeartbeat("linuxha2", 2500, beyond_deadtime=True),
            NodeDied("linuxha2", "active"),
        ]
    )
    figures = stats.nodes["linuxha2"]
    assert (figures.late, figures.late_beyond_deadtime, figures.deaths) == (1, 1, 1)
    assert [t.status for t in figures.transitions] == ["active", "dead"]
    assert kinds(stats) == ["node_up", "late_heartbeat", "node_dead"]
    (_, dead) = stats.history.select()[-1]
    assert dead.durations_ms == {"silence_ms": 2500.0}
    assert dead.message == "node linuxha2: is dead"


def test_a_group_acquired_after_a_peers_death_is_a_takeover_and_after_its_return_not() -> None:
    stats = statistics()
    stats.membership_events([StatusChanged("linuxha2", "active", "init")])
    stats.membership_events([NodeDied("linuxha2", "active")])
    stats.group_starting(GROUP)
    stats.resource_started(GROUP)
    stats.group_acquired(GROUP)
    (_, takeover) = stats.history.select()[-1]
    assert (takeover.kind, takeover.node, takeover.group) == ("takeover", "linuxha2", "10.0.0.2")
    assert set(takeover.durations_ms) >= {"detected_to_first_start_ms", "detected_to_acquired_ms"}
    stats.membership_events([StatusChanged("linuxha2", "active", "dead")])
    stats.group_stopping(GROUP)
    stats.group_released(GROUP)
    stats.group_starting(GROUP)
    stats.group_acquired(GROUP)
    assert kinds(stats)[-3:] == ["node_up", "released", "acquired"]


def test_deaths_that_are_no_takeover_open_none() -> None:
    stats = statistics()
    stats.membership_events(
        [
            NodeDied("linuxha2", "init"),  # never heard: the cluster starts without it
            NodeDied("10.0.0.254", "ping"),  # a ping node holds no groups
            LinkChanged("linuxha2", "eth1", "dead"),
        ]
    )
    stats.group_starting(GROUP)
    stats.group_acquired(GROUP)
    assert kinds(stats)[-1] == "acquired"
    assert stats.links["linuxha2"]["eth1"].deaths == 1


def test_gaps_retransmissions_and_a_failback_are_counted_from_what_the_node_sees() -> None:
    stats = statistics()
    stats.arrival("linuxha2", ArrivalReport(Arrival.AHEAD, lost=(5, 6)))
    stats.arrival("linuxha2", ArrivalReport(Arrival.FILLS_GAP))
    stats.message("NS_rexmit", "linuxha1", Message.of(("t", "NS_rexmit"), ("dest", "linuxha2")))
    stats.message("NS_nak_rexmit", "linuxha2", Message.of(("t", "NS_nak_rexmit")))
    gaps = stats.nodes["linuxha2"].snapshot()["gaps"]
    assert gaps == {"lost": 2, "rexmit_asked": 1, "rexmit_received": 1, "irretrievable": 1}
    asked = Message.of(("t", "ask_resources"), ("rsc_hold", "foreign"), ("info", "me"))
    done = Message.of(("t", "ask_resources"), ("rsc_hold", "foreign"), ("info", "done"))
    stats.message("ask_resources", "linuxha1", asked)  # nobody ran hb standby: auto failback
    stats.message("ask_resources", "linuxha1", done)
    stats.message("ask_resources", "linuxha2", done)
    (_, failback) = stats.history.select()[-1]
    assert failback.kind == "failback"
    assert failback.details == {"giver": "linuxha1", "taker": "linuxha2", "hold": "foreign"}
    stats.standby_requested()
    stats.message("ask_resources", "linuxha1", asked)
    stats.message("ask_resources", "linuxha2", done)
    assert kinds(stats)[-1] == "standby"


def test_a_reload_is_recorded_with_what_it_changed_or_why_it_was_refused() -> None:
    stats = statistics()
    stats.reloaded(True, ["deadtime 1000 -> 2000 ms"], [])
    stats.reloaded(False, [], ["ha.cf:3: deadtime: not a time"])
    messages = [event.message for _, event in stats.history.select()]
    assert messages == [
        "reload accepted: deadtime 1000 -> 2000 ms",
        "reload refused: ha.cf:3: deadtime: not a time",
    ]


def test_the_view_lists_every_configured_group_with_its_holder_when_it_knows_them() -> None:
    stats = statistics()
    group = Group("10.0.0.1", "linuxha1", ("10.0.0.1",), ())
    stats.group_starting(group)
    stats.group_acquired(group)
    holders = {"10.0.0.1": "linuxha1", "10.0.0.2": "linuxha2"}

    groups = StatisticsView(stats, holders=lambda: holders).snapshot()["groups"]
    assert groups["10.0.0.1"]["holder"] == "linuxha1"
    assert groups["10.0.0.1"]["state"] == "running"
    assert groups["10.0.0.2"] == {"state": "stopped", "holder": "linuxha2"}
    assert "holder" not in StatisticsView(stats).snapshot()["groups"]["10.0.0.1"]

"""Membership events fan out from one place, in order: logged with heartbeat's text, then the
session, the decisions and the plugins; our own death goes to the lifecycle alone."""

from __future__ import annotations

from typing import Any

from hbcore.membership.events import LinkChanged, NodeDied, StatusChanged
from hbcore.node.reactions import Reactions
from structlog.testing import capture_logs


class Recorder:
    """Stands for the session, the decisions or the hook relay: records each call."""

    def __init__(self, name: str, calls: list[tuple[Any, ...]], me: str = "linuxha1") -> None:
        self.me = me
        self._name, self._calls = name, calls

    def __getattr__(self, method: str) -> Any:
        return lambda *arguments: self._calls.append((self._name, method, *arguments))


def reactions(calls: list[tuple[Any, ...]]) -> Reactions:
    return Reactions(
        Recorder("session", calls),
        Recorder("decisions", calls),
        Recorder("hooks", calls),
        lambda: calls.append(("lifecycle", "lost ourselves")),
    )


def test_a_peer_death_reaches_the_session_then_the_decisions_then_the_plugins() -> None:
    calls: list[tuple[Any, ...]] = []
    died = NodeDied("linuxha2", "active")
    with capture_logs() as logs:
        reactions(calls).react([died])
    assert [(e["event"], e["log_level"]) for e in logs] == [("node linuxha2: is dead", "warning")]
    assert calls == [
        ("session", "peer_died", "linuxha2"),
        ("decisions", "membership_changed", died),
        ("hooks", "node_status_changed", "linuxha2", "dead", "active"),
    ]


def test_our_own_death_goes_to_the_lifecycle_alone() -> None:
    calls: list[tuple[Any, ...]] = []
    reactions(calls).react([NodeDied("linuxha1", "active")])
    assert calls == [("lifecycle", "lost ourselves")]


def test_status_and_link_changes_reach_the_decisions_and_their_hooks() -> None:
    calls: list[tuple[Any, ...]] = []
    status, link = StatusChanged("linuxha2", "active", "up"), LinkChanged("linuxha2", "eth1", "up")
    reactions(calls).react([status, link])
    assert calls == [
        ("decisions", "membership_changed", status),
        ("hooks", "node_status_changed", "linuxha2", "active", "up"),
        ("decisions", "membership_changed", link),
        ("hooks", "link_status_changed", "linuxha2", "eth1", "up"),
    ]

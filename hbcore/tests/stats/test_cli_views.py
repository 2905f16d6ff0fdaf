"""The command-line side: ``--since`` read as people write it, the status table of a node with
and without statistics, the watch view in a pipe, and ``hb events -f`` across a restart."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import click
import pytest
from hbcore.cli.events_cmd import all_pages, follow_events, parse_since
from hbcore.cli.events_view import event_line
from hbcore.cli.status_view import status_table
from hbcore.cli.status_watch import HOME_AND_CLEAR, watch
from hbcore.control.client import NodeNotRunning

NOW = datetime(2026, 12, 5, 2, 30, 0).astimezone()

OLD_REPORT: dict[str, Any] = {
    "node": "linuxha1",
    "status": "active",
    "generation": 7,
    "plugins": ["media-bcast"],
    "resources": "local",
    "nodes": [
        {"name": "linuxha1", "type": "normal", "status": "active", "links": {"eth1": "up"}},
        {"name": "linuxha2", "type": "normal", "status": "dead", "links": {"eth1": "dead"}},
    ],
}
LINK = {
    "packets": 120,
    "heartbeats": 100,
    "late": 2,
    "lost": 40,
    "loss": 0.3125,
    "deaths": 1,
    "heard_ago_ms": 12.5,
    "interval_ms": {"last": 50.0, "mean": 71.2, "max": 150.0, "max_ever": 150.0,
                    "jitter": 20.4, "samples": 99},
}  # fmt: skip
EVENT = {
    "v": 1,
    "epoch": NOW.timestamp(),
    "kind": "takeover",
    "node": "linuxha2",
    "group": "10.0.0.1",
    "message": "took over linuxha1 10.0.0.1 from linuxha2",
    "durations_ms": {"silence_ms": 310.0, "detected_to_acquired_ms": 42.5},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", NOW - timedelta(seconds=90)),
        ("30s", NOW - timedelta(seconds=30)),
        ("10m", NOW - timedelta(minutes=10)),
        ("2.5h", NOW - timedelta(hours=2.5)),
        ("1d", NOW - timedelta(days=1)),
        ("01:15", NOW.replace(hour=1, minute=15)),
        ("2026-12-04T23:00:00", datetime(2026, 12, 4, 23).astimezone()),
        ("2026-12-04T23:00:00+00:00", datetime.fromisoformat("2026-12-04T23:00:00+00:00")),
    ],
)
def test_since_takes_a_duration_a_time_today_or_a_date(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == pytest.approx(expected.timestamp())


@pytest.mark.parametrize("text", ["yesterday", "10 parsecs", "25:99", ""])
def test_since_refuses_anything_else_with_the_forms_it_takes(text: str) -> None:
    with pytest.raises(click.BadParameter, match="neither a duration"):
        parse_since(text, NOW)


def test_an_old_nodes_answer_prints_the_node_table_alone() -> None:
    table = status_table(OLD_REPORT)
    assert table.splitlines()[0] == "node linuxha1: active  generation 7"
    assert "linuxha2             normal  dead     eth1 dead" in table
    assert [
        line for line in table.splitlines() if line.startswith(("LINK ", "GROUP ", "EVENTS"))
    ] == []


def test_the_table_shows_each_peer_link_the_groups_and_the_events() -> None:
    report = dict(OLD_REPORT, schema=2, events=[EVENT])
    report["nodes"] = [dict(node, stats={"links": {"eth1": LINK}}) for node in report["nodes"]]
    report["groups"] = [
        {"key": "10.0.0.1", "holder": "linuxha1", "state": "running",
         "last_acquire": {"time": "2026-12-05T01:30:00.000Z", "duration_ms": 42.5},
         "last_release": None},
    ]  # fmt: skip
    lines = status_table(report).splitlines()
    (link,) = [line for line in lines if line.startswith("linuxha2:eth1")]
    assert link.split() == [
        "linuxha2:eth1", "dead", "12.5", "50.0", "71.2", "150.0", "20.4", "31.2%", "40", "2", "1"
    ]  # fmt: skip
    assert not any(line.startswith("linuxha1:") for line in lines)  # our own links are not shown
    (group,) = [line for line in lines if line.startswith("10.0.0.1 ")]
    assert "linuxha1" in group and "running" in group and "(42.5 ms)" in group
    assert lines[-2] == "EVENTS" and lines[-1] == event_line(EVENT)


def test_an_event_line_names_its_durations() -> None:
    line = event_line(EVENT)
    assert line.startswith(NOW.strftime("%Y-%m-%d %H:%M:%S.000 takeover"))
    assert "linuxha2 10.0.0.1" in line
    assert line.endswith("[silent 310 ms, acquired 42.5 ms]")


def test_the_watch_view_in_a_pipe_is_appended_and_in_a_terminal_replaced() -> None:
    views = iter(["first", "second", "third"])
    pipe = io.StringIO()
    naps: list[float] = []
    watch(lambda: next(views), pipe, 0.5, count=3, sleep=naps.append)
    text = pipe.getvalue()
    assert naps == [0.5, 0.5]  # no nap after the last view
    assert text.count("--- ") == 3 and text.index("first") < text.index("third")
    assert HOME_AND_CLEAR not in text

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    watch(lambda: "view", terminal, 2, count=2, sleep=lambda _: None)
    assert terminal.getvalue().count(HOME_AND_CLEAR) == 2
    lines = io.StringIO()
    watch(lambda: '{"ok": true}', lines, 1, count=2, stamped=False, sleep=lambda _: None)
    assert lines.getvalue() == '{"ok": true}\n{"ok": true}\n'


def test_following_goes_on_across_a_restart_and_a_stopped_node() -> None:
    def event(epoch: float, kind: str) -> dict[str, Any]:
        return {"v": 1, "epoch": epoch, "kind": kind}

    answers: list[Any] = [
        {"events": [event(11.0, "node_dead")], "last": 6, "generation": 1},
        NodeNotRunning("stopped"),
        {"events": [event(1.0, "start")], "last": 1, "generation": 2},  # after=6: renumbered
        {"events": [event(11.0, "node_dead"), event(12.0, "start")], "last": 2, "generation": 2},
        {"events": [event(13.0, "takeover")], "last": 3, "generation": 2},
    ]
    requests: list[dict[str, Any]] = []

    def ask(**request: Any) -> dict[str, Any]:
        requests.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    printed: list[str] = []
    first = {"events": [event(10.0, "link_dead")], "last": 5, "generation": 1}
    follow_events(ask, first, 10.0, lambda r: printed.append(r["kind"]), lambda _: None, 4)
    assert printed == ["node_dead", "start", "takeover"]
    assert requests == [{"after": 5}, {"after": 6}, {"after": 6}, {"since": 11.0}, {"after": 2}]


def test_a_long_history_comes_in_pages_asked_one_after_the_other() -> None:
    pages = [
        {"events": [{"n": 1}, {"n": 2}], "more": True, "last": 5, "generation": 3},
        {"events": [{"n": 3}, {"n": 4}], "more": True, "last": 5, "generation": 3},
        {"events": [{"n": 5}], "more": False, "last": 5, "generation": 3},
    ]
    requests: list[dict[str, Any]] = []

    def ask(**request: Any) -> dict[str, Any]:
        requests.append(request)
        return pages.pop(0)

    answer = all_pages(ask, since=100.0)
    assert [record["n"] for record in answer["events"]] == [1, 2, 3, 4, 5]
    assert (answer["last"], answer["generation"]) == (5, 3)
    assert requests == [
        {"since": 100.0},
        {"since": 100.0, "after": 2},
        {"since": 100.0, "after": 4},
    ]

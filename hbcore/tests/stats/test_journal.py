"""The events file: written in batches off the loop, rotated at its size, read back at start;
whatever is in it, reading skips what is not an event, says where, and never raises."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hbcore.stats.events import KINDS, Event, NotAnEvent, event_from_json
from hbcore.stats.history import EventHistory
from hbcore.stats.journal import EventJournal, read_events, report_warnings, rotated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

texts = st.text(max_size=40)
events = st.builds(
    Event,
    time=st.floats(min_value=0, max_value=4e9, allow_nan=False),
    kind=st.sampled_from(sorted(KINDS)),
    node=st.none() | texts,
    link=st.none() | texts,
    group=st.none() | texts,
    message=st.none() | texts,
    durations_ms=st.dictionaries(
        texts, st.floats(allow_nan=False, allow_infinity=False), max_size=3
    ),
    details=st.dictionaries(texts, st.integers(-5, 5) | texts | st.booleans(), max_size=3),
)


@pytest.mark.fuzz
@given(events)
def test_an_event_reads_back_as_it_was_written(event: Event) -> None:
    back = event_from_json(json.loads(json.dumps(event.as_json())))
    assert back.as_json() == event.as_json()


@pytest.mark.parametrize(
    "record",
    [
        [],
        {"v": 2, "epoch": 1.0, "kind": "start"},
        {"v": 1, "epoch": "1", "kind": "start"},
        {"v": 1, "epoch": 1.0, "kind": "explosion"},
        {"v": 1, "epoch": 1.0, "kind": "start", "node": 5},
        {"v": 1, "epoch": 1.0, "kind": "start", "durations_ms": {"x": "slow"}},
        {"v": 1, "epoch": True, "kind": "start"},
        {"v": 1, "epoch": 1.0, "kind": "start", "details": {"x": [1]}},
    ],
)
def test_what_is_not_an_event_is_refused_with_a_reason(record: object) -> None:
    with pytest.raises(NotAnEvent):
        event_from_json(record)


@pytest.mark.fuzz
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.lists(st.binary(max_size=120) | events, max_size=20))
def test_any_file_content_reads_without_raising_and_bad_lines_are_named(
    tmp_path: Path, lines: list[bytes | Event]
) -> None:
    path = tmp_path / "hb_events.jsonl"
    path.write_bytes(
        b"".join(
            (json.dumps(line.as_json()).encode() if isinstance(line, Event) else line) + b"\n"
            for line in lines
        )
    )
    loaded = read_events(path, limit=100)
    good = [line.as_json() for line in lines if isinstance(line, Event)]
    assert [event.as_json() for event in loaded.events] == good
    for warning in loaded.warnings:
        assert warning.startswith(f"{path}:")
        assert ": skipped: " in warning


def test_a_torn_last_line_is_skipped_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "hb_events.jsonl"
    whole = json.dumps(Event(1.0, "start", node="linuxha1").as_json())
    path.write_text(whole + "\n" + whole[: len(whole) // 2])
    loaded = read_events(path, limit=10)
    assert [event.kind for event in loaded.events] == ["start"]
    assert loaded.warnings == [f"{path}:2: skipped: not JSON"]
    with capture_logs() as logs:
        report_warnings(loaded.warnings * 7)
    assert [entry["log_level"] for entry in logs] == ["warning"] * 6
    assert logs[-1]["event"] == "2 more bad lines in the events files skipped"


def test_the_journal_writes_in_batches_rotates_and_keeps_two_files(tmp_path: Path) -> None:
    path = tmp_path / "hb_events.jsonl"
    journal = EventJournal(path, max_bytes=2000, flush_delay_s=0.0)

    async def scenario() -> None:
        for number in range(100):
            journal.append(Event(float(number), "link_up", node="linuxha2", link=f"eth{number}"))
            if number % 10 == 9:
                await journal.flush()

    asyncio.run(scenario())
    assert path.stat().st_size <= 2000 and rotated(path).stat().st_size <= 2000
    loaded = read_events(path, limit=1000)
    assert loaded.warnings == []
    links = [event.link for event in loaded.events]
    assert links[-1] == "eth99" and links == sorted(links, key=lambda link: int(link[3:]))
    assert len(links) < 100  # the oldest went with the third file


def test_an_unwritable_journal_says_so_once_and_the_loop_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    journal = EventJournal(blocker / "hb_events.jsonl", flush_delay_s=0.0)

    async def scenario() -> None:
        for _ in range(3):
            journal.append(Event(1.0, "start"))
            await journal.flush()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert len([entry for entry in logs if "cannot write" in entry["event"]]) == 1


def test_the_history_is_bounded_numbered_and_restored_before_the_news() -> None:
    history = EventHistory(limit=3)
    seen: list[str] = []
    history.subscribe(lambda event: seen.append(event.kind))
    for kind in ("node_up", "link_up", "node_dead", "takeover"):
        history.add(Event(10.0, kind))
    history.restore([Event(1.0, "start")])
    assert [event.kind for _, event in history.select()] == ["link_up", "node_dead", "takeover"]
    assert seen == ["node_up", "link_up", "node_dead", "takeover"]
    assert [number for number, _ in history.select(after=3)] == [4, 5]
    assert history.last_number == 5
    assert [e.kind for _, e in history.select(limit=1)] == ["link_up"]

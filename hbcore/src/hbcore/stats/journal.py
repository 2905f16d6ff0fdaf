"""The events file: cluster events kept across restarts, written off the heartbeat path.

``<state dir>/hb_events.jsonl`` holds one :meth:`~hbcore.stats.events.Event.as_json` object
per line. :meth:`EventJournal.append` only queues the line; the journal's own task
(:meth:`EventJournal.run`, started under a name by :class:`hbcore.tasks.Background`) writes
the queue a moment later in a worker thread, so the loop never waits on the disk. When the
file would pass :data:`MAX_FILE_BYTES` it becomes ``hb_events.jsonl.1`` (the previous one is
replaced): at most two files, about 2 MB. No fsync: an event lost in a power cut is not worth
a stalled heartbeat.

:func:`read_events` reads both files back at start. A line that is not an event record (a
torn last line after a crash, a disk error, an edit) is skipped with a warning that names the
file and the line; nothing in the files can make it raise.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import structlog

from hbcore.stats.events import Event, NotAnEvent, event_from_json

log = structlog.get_logger("hb.stats")

EVENTS_FILE = "hb_events.jsonl"
"""The events file's name in the state directory."""
MAX_FILE_BYTES = 1024 * 1024
"""The size at which the events file is rotated."""
FLUSH_DELAY_S = 1.0
"""Events are written this long after the first of a batch (a failover is one write)."""
MAX_PENDING = 2000
"""Lines waiting to be written; beyond it (a disk that hangs) the oldest are dropped."""
MAX_WARNINGS = 5
"""Bad lines reported one by one at load; the rest are counted in one line."""


def events_path(state_dir: Path) -> Path:
    """Where the events file of the node whose state directory is ``state_dir`` lives."""
    return state_dir / EVENTS_FILE


def rotated(path: Path) -> Path:
    """The previous events file."""
    return path.with_name(path.name + ".1")


@dataclass(frozen=True)
class Loaded:
    """What :func:`read_events` found: the events, oldest first, and one warning per line
    skipped (``FILE:LINE: skipped: REASON``)."""

    events: list[Event]
    warnings: list[str]


def read_events(path: Path, limit: int, max_bytes: int = MAX_FILE_BYTES) -> Loaded:
    """The newest ``limit`` events of the rotated file then ``path``. A missing file is
    empty; an unreadable one is a warning; at most ``2 * max_bytes`` of each is read."""
    events: deque[Event] = deque(maxlen=limit)
    warnings: list[str] = []
    for file in (rotated(path), path):
        try:
            with file.open("rb") as stream:
                data = stream.read(2 * max_bytes)
        except FileNotFoundError:
            continue
        except OSError as error:
            warnings.append(f"{file}: not read: {error.strerror or error}")
            continue
        for number, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(event_from_json(json.loads(line)))
            except (ValueError, RecursionError) as error:  # NotAnEvent, bad JSON or UTF-8
                reason = error if isinstance(error, NotAnEvent) else "not JSON"
                warnings.append(f"{file}:{number}: skipped: {reason}")
    return Loaded(list(events), warnings)


def report_warnings(warnings: list[str]) -> None:
    """Log what :func:`read_events` skipped: the first few lines, then a count."""
    for warning in warnings[:MAX_WARNINGS]:
        log.warning(warning)
    if len(warnings) > MAX_WARNINGS:
        log.warning(f"{len(warnings) - MAX_WARNINGS} more bad lines in the events files skipped")


class EventJournal:
    """Appends events to the file at ``path``, in batches, from its own task."""

    def __init__(
        self,
        path: Path,
        max_bytes: int = MAX_FILE_BYTES,
        flush_delay_s: float = FLUSH_DELAY_S,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.flush_delay_s = flush_delay_s
        self.dropped = 0
        """Lines dropped because the queue was full."""
        self._pending: deque[str] = deque()
        self._wake = asyncio.Event()
        self._failing = False

    def append(self, event: Event) -> None:
        """Queue ``event`` for the file; returns at once."""
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            self.dropped += 1
        self._pending.append(json.dumps(event.as_json(), separators=(",", ":")) + "\n")
        self._wake.set()

    async def run(self) -> None:
        """Write what is queued, a batch at a time, until cancelled."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.flush_delay_s)
            await self.flush()

    async def flush(self) -> None:
        """Write every queued line now (in a worker thread)."""
        self._wake.clear()
        if not self._pending:
            return
        lines = "".join(self._pending).encode()
        self._pending.clear()
        error = await asyncio.to_thread(self._write, lines)
        if error is not None and not self._failing:
            log.warning(f"events file {self.path}: cannot write: {error}")
        self._failing = error is not None

    def _write(self, data: bytes) -> str | None:
        """Append ``data``, rotating first when the file would grow past the limit; the
        reason it failed, or None. Runs in a worker thread."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(data) > self.max_bytes:
                os.replace(self.path, rotated(self.path))
            with self.path.open("ab") as stream:
                stream.write(data)
        except OSError as error:
            return error.strerror or str(error)
        return None

"""Reading a node's log files while the node writes them.

Offsets are byte positions: take a :func:`log_mark` before provoking something, then wait for
a line written after it, so lines from earlier events never match.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

Pattern = str | re.Pattern[str]

_MESSAGE = re.compile(r"\b(?:debug|info|notice|WARN|warning|ERROR|error|CRIT|crit):\s+(.*)$")
"""The level and text at the end of a heartbeat log line, in both of its formats: the daemon's
``Dec 04 20:45:46 linuxha1 heartbeat: [20725]: info: TEXT`` and the scripts'
``2026/12/04_20:45:46  ResourceManager(default)[20976]:    info: TEXT``."""


@dataclass(frozen=True)
class LogMatch:
    """A matching log line, when the lab saw it (``time.monotonic()``), and the offset just
    after it (a mark for the next wait)."""

    line: str
    at: float
    end: int


def log_mark(path: Path) -> int:
    """The current end of ``path`` (0 if it does not exist yet)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def read_lines(path: Path, after: int = 0) -> list[str]:
    """The complete lines of ``path`` written after offset ``after``."""
    return [line for _end, line in _complete_lines(path, after)]


def wait_for_line(
    path: Path, pattern: Pattern, timeout: float, after: int = 0, poll: float = 0.01
) -> LogMatch:
    """Wait for a line after offset ``after`` that contains ``pattern`` (a substring) or
    matches it (a compiled regex, ``search`` semantics).

    :raises TimeoutError: after ``timeout`` seconds, quoting the last lines read.
    """
    deadline = time.monotonic() + timeout
    offset = after
    seen: list[str] = []
    while True:
        for end, line in _complete_lines(path, offset):
            if _matches(pattern, line):
                return LogMatch(line, time.monotonic(), end)
            offset = end
            seen = [*seen[-9:], line]
        if time.monotonic() > deadline:
            tail = "\n  ".join(seen) or "(nothing)"
            raise TimeoutError(
                f"no line matching {pattern!r} in {path} within {timeout}s; last lines:\n  {tail}"
            )
        time.sleep(poll)


def message_of(line: str) -> str:
    """The text of a heartbeat (or hb) log line after its level, or the whole line when it
    has no level (a line written to the console, say)."""
    match = _MESSAGE.search(line)
    return line if match is None else match.group(1)


class LogFollower:
    """The lines a log gains after a mark, each stamped with the time it was first read.

    Several followers polled in one loop time events in different logs on one clock, to the
    poll interval, whatever order they are waited for in.
    """

    def __init__(self, path: Path, after: int) -> None:
        self.path = path
        self._offset = after

    def poll(self) -> list[tuple[float, str]]:
        """The complete lines written since the last poll, stamped ``time.monotonic()``."""
        now = time.monotonic()
        found = []
        for end, line in _complete_lines(self.path, self._offset):
            self._offset = end
            found.append((now, line))
        return found


def _matches(pattern: Pattern, line: str) -> bool:
    return pattern in line if isinstance(pattern, str) else pattern.search(line) is not None


def _complete_lines(path: Path, after: int) -> list[tuple[int, str]]:
    """(offset after the line, line without newline) for each complete line after ``after``."""
    try:
        with path.open("rb") as stream:
            stream.seek(after)
            data = stream.read()
    except FileNotFoundError:
        return []
    lines = []
    end = after
    # Lines end at LF only: bytes.splitlines() also splits at CR, and a script's output with a
    # CR in it (logged line by line) would then stop the reader there for good.
    for raw in data.split(b"\n")[:-1]:
        end += len(raw) + 1
        lines.append((end, raw.decode(errors="replace")))
    return lines

"""The heartbeat generation (``hg``): a counter that goes up at every start, so peers tell a
restart from a replay.

The file holds exactly 16 bytes: the decimal number right-aligned in 15 characters, then a
newline. A missing or empty file is seeded with the current time; an unparsable one counts as
0. With ``hbgenmethod time`` the generation is the current time and the file is not touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Generation:
    """The generation this start uses, and whether a previous one was on file."""

    value: int
    had_previous: bool


def next_generation(path: Path, method: str = "file") -> Generation:
    """Read, increment and durably rewrite the generation file; return the new generation.

    ``method`` is the ``hbgenmethod`` setting: ``file`` (default) or ``time``.
    """
    now = int(time.time())
    if method == "time":
        return Generation(now, had_previous=True)
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        text = ""
    if text:
        previous = int(text) if text.isdigit() else 0
        had_previous = True
    else:
        previous, had_previous = now, False
    generation = previous + 1
    _write_durably(path, f"{generation:>15d}\n".encode("ascii"))
    return Generation(generation, had_previous)


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_SYNC, 0o644)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

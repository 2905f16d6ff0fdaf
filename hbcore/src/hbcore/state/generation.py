"""The heartbeat generation (``hg``): a counter that goes up at every start, so peers tell a
restart from a replay.

The file holds exactly 16 bytes: the decimal number right-aligned in 15 characters, then a
newline. A missing or empty file is seeded with the current time. With ``hbgenmethod time``
the generation is the current time and the file is not touched.

One deliberate difference from heartbeat: heartbeat resets an unparsable file to 0, so it
starts at generation 1. Every peer remembers a higher generation of ours and drops each of
our packets as a replay from then on ("attempted replay attack"), so the node can never
rejoin. hb refuses to start instead (:class:`~hbcore.state.files.StateFileError`) and says
how to repair the file. The file is rewritten atomically, so hb itself never leaves a torn one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hbcore.state.files import StateFileError, read_small, write_atomically

MAX_GENERATION = 2**64 - 2
"""The largest generation on file that can still be incremented: ``hg`` is an unsigned
64-bit number on the wire (heartbeat's ``%lx``)."""
_READ_LIMIT = 64
"""More than a well-formed file holds (16 bytes); anything longer is refused unread."""


@dataclass(frozen=True)
class Generation:
    """The generation this start uses, and whether a previous one was on file."""

    value: int
    had_previous: bool


def read_generation(path: Path) -> int | None:
    """The generation on file, or None when the file is missing or empty (a first start).

    :raises StateFileError: when the file cannot be read or does not hold one number in
        the unsigned 64-bit range.
    """
    content = read_small(path, _READ_LIMIT) or b""
    text = content.strip()
    if len(content) >= _READ_LIMIT or (text and not text.isdigit()):
        raise _corrupt(path, "it does not hold one decimal number")
    if not text:
        return None
    if len(text) > len(str(MAX_GENERATION)) or int(text) > MAX_GENERATION:
        raise _corrupt(path, "its number is beyond the 64-bit range of a generation")
    return int(text)


def next_generation(path: Path, method: str = "file") -> Generation:
    """Read, increment and durably rewrite the generation file; return the new generation.

    ``method`` is the ``hbgenmethod`` setting: ``file`` (default) or ``time``.

    :raises StateFileError: when the file is corrupt (see :func:`read_generation`) or cannot
        be written; it is left as it was.
    """
    now = int(time.time())
    if method == "time":
        return Generation(now, had_previous=True)
    previous = read_generation(path)
    generation = (now if previous is None else previous) + 1
    write_atomically(path, f"{generation:>15d}\n".encode("ascii"))
    return Generation(generation, had_previous=previous is not None)


def _corrupt(path: Path, what: str) -> StateFileError:
    return StateFileError(
        path,
        f"corrupt generation file: {what}. Starting again at generation 1 (as heartbeat "
        "would) makes every peer drop this node's packets as replays",
        "remove it only if this node's clock is right: hb then starts from the current time, "
        "above every generation it used before",
    )

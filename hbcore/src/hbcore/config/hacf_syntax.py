"""heartbeat's lexical rules for ``ha.cf`` (heartbeat/config.c ``parse_config``).

Leading blanks are skipped, a ``#`` anywhere starts a comment (so no value can hold ``#``), CR
and LF are dropped and blank lines ignored. The directive name runs up to the first blank and is
case-sensitive; per-token arguments are split on commas and blanks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_BLANKS = " \t\n\r\f"
_TOKEN_SEPARATORS = re.compile(r"[, \t\n\r\f]+")


@dataclass(frozen=True)
class DirectiveLine:
    """One non-blank line: its number (from 1), the directive name and the rest, stripped."""

    number: int
    name: str
    rest: str


def directive_lines(text: str) -> Iterator[DirectiveLine]:
    """The directive lines of an ``ha.cf`` text, comments and blank lines removed."""
    for number, raw in enumerate(text.split("\n"), start=1):
        content = raw.partition("#")[0].strip(_BLANKS)
        if not content:
            continue
        name_end = next((i for i, char in enumerate(content) if char in _BLANKS), len(content))
        yield DirectiveLine(number, content[:name_end], content[name_end:].strip(_BLANKS))


def split_tokens(rest: str) -> list[str]:
    """Per-token arguments: ``eth0, eth1`` and ``eth0 eth1`` both give ``[eth0, eth1]``."""
    return [token for token in _TOKEN_SEPARATORS.split(rest) if token]

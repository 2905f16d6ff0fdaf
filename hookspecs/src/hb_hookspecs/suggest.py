""" "Did you mean": the name a user most probably misspelt, for messages that suggest a fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CLOSE_ENOUGH = 0.8
"""The least :class:`difflib.SequenceMatcher` ratio of a suggestion (``IPadr``/``IPaddr`` is
0.91, ``htpd``/``httpd`` 0.89, ``maid``/``mail`` 0.75: not suggested)."""


def closest(name: str, candidates: Iterable[str], cutoff: float = CLOSE_ENOUGH) -> str | None:
    """The candidate ``name`` most probably misspells, or None: one that differs from it only
    in case first, else the closest at least ``cutoff`` alike (case aside). ``name`` itself is
    never suggested."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        if candidate != name:
            by_folded.setdefault(candidate.lower(), candidate)
    folded = name.lower()
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else None

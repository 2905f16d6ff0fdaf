"""XML ids for the CIB: what Pacemaker's schema accepts, each given out once."""

from __future__ import annotations

import re

ID_CHARACTER = re.compile(r"[^A-Za-z0-9_.-]")
"""A character an XML id (an NCName) cannot hold, or that the export keeps out of one."""


class Ids:
    """XML ids, unique in one CIB: invalid characters become ``-``, clashes get ``-2``..."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def unique(self, base: str) -> str:
        """``base`` made a valid XML id that no earlier call returned."""
        name = ID_CHARACTER.sub("-", base) or "resource"
        if not (name[0].isalpha() or name[0] == "_"):
            name = f"r-{name}"
        candidate, number = name, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{name}-{number}"
        self.taken.add(candidate)
        return candidate

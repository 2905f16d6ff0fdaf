"""Every value given in ``ha.cf``, by directive, each with its file and line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hbcore.config.problems import Located, Location


@dataclass(frozen=True)
class DirectiveValues:
    """The values of an ``ha.cf`` in file order, and the defaults of the known directives.

    A single-valued directive keeps every value given (the last one wins); an accumulating one
    keeps them all.
    """

    file: str
    entries: Mapping[str, tuple[Located[object], ...]]
    defaults: Mapping[str, object]

    def located(self, directive: str) -> tuple[Located[object], ...]:
        """Every value of ``directive`` with its location, in file order."""
        return self.entries.get(directive, ())

    def values(self, directive: str) -> tuple[object, ...]:
        """Every value of ``directive``, in file order (empty when absent)."""
        return tuple(entry.value for entry in self.located(directive))

    def last(self, directive: str) -> Located[object] | None:
        """The value that wins for a single-valued directive, or None when absent."""
        given = self.located(directive)
        return given[-1] if given else None

    def is_set(self, directive: str) -> bool:
        """True when ``directive`` was given at least once."""
        return bool(self.located(directive))

    def value(self, directive: str) -> object:
        """The winning value of ``directive``, or its default when absent."""
        winner = self.last(directive)
        return winner.value if winner is not None else self.defaults.get(directive)

    def location(self, directive: str) -> Location:
        """Where the winning value of ``directive`` was written, or the whole file."""
        winner = self.last(directive)
        return winner.location if winner is not None else Location(self.file)

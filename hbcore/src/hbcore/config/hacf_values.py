"""Every value given in ``ha.cf``, by directive, each with its file and line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from hb_hookspecs import Directive

from hbcore.config.problems import Located, Location

T = TypeVar("T")
D = TypeVar("D")


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
        """The winning value of ``directive``, or its default when absent, by name (for code
        that handles every directive alike; :meth:`get` reads one typed)."""
        winner = self.last(directive)
        return winner.value if winner is not None else self.defaults.get(directive)

    def get(self, directive: Directive[T, D]) -> T | D:
        """The winning value of a single-valued ``directive``, or its default when absent."""
        winner = self.last(directive.name)
        return cast(T, winner.value) if winner is not None else directive.default

    def get_all(self, directive: Directive[T, Any]) -> tuple[T, ...]:
        """Every value of ``directive``, typed, in file order (empty when absent)."""
        return cast(tuple[T, ...], self.values(directive.name))

    @property
    def given(self) -> Mapping[str, tuple[object, ...]]:
        """Every value written, by directive, without locations (what plugins see)."""
        return {name: self.values(name) for name in self.entries}

    def location(self, directive: str) -> Location:
        """Where the winning value of ``directive`` was written, or the whole file."""
        winner = self.last(directive)
        return winner.location if winner is not None else Location(self.file)

"""Where a value came from, and what is wrong with a configuration.

Every problem names the file and line, says what is wrong and how to fix it, and prints as
``ha.cf:12: <what is wrong>; <how to fix>``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Location:
    """A line of a configuration file; ``line`` 0 means the file as a whole."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Located(Generic[T]):
    """A parsed value and the place it was written."""

    value: T
    location: Location


class Severity(enum.Enum):
    """How much a problem matters."""

    ERROR = "error"
    """The files are wrong: heartbeat would refuse them, and so does hb."""
    HOST = "host"
    """The files are fine but this machine lacks something they name (a device, a user, a
    script, a resolvable host): a warning for ``hb check``, an error for ``hb check --strict``
    and ``hb start``."""
    WARNING = "warning"
    """Accepted, but probably not what was meant (heartbeat warns too)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration."""

    location: Location
    problem: str
    fix: str
    severity: Severity = Severity.ERROR

    def is_error(self, strict: bool) -> bool:
        """True when this problem stops ``hb check`` (``strict``: also host problems)."""
        return self.severity is Severity.ERROR or (strict and self.severity is Severity.HOST)

    def render(self, strict: bool = False) -> str:
        """``file:line: what is wrong; how to fix``, with ``warning:`` before what does not
        stop ``hb check`` (``strict``: host problems count as errors)."""
        prefix = "" if self.is_error(strict) else "warning: "
        return f"{self.location}: {prefix}{self.problem}; {self.fix}"

    def __str__(self) -> str:
        return self.render()


class ConfigError(Exception):
    """A configuration that cannot be used; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

"""Where a value came from, and what is wrong with a configuration.

Every problem names the file and line, says what is wrong and how to fix it, and prints as
``ha.cf:12: <what is wrong>; <how to fix>``: one line of printable text, whatever bytes the
file held.
"""

from __future__ import annotations

import enum
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

BUG_FIX = "this is a bug in hb; please report it with this line and the file"
"""The fix of a problem that stands for an exception hb did not expect (:func:`internal_error`)."""
PLUGIN_BUG_FIX = (
    "this is a bug in that plugin; please report it to its authors with this line and the file"
)
"""The fix when the exception came from a plugin's code."""
NUL_IN_LINE = "NUL byte in the line"
NUL_FIX = (
    "remove it: heartbeat would not read the line as written (was the file saved by a binary "
    "editor, or damaged?)"
)
LONG_WORD = 200
"""Words longer than this are shortened when shown (a 5000-character name says nothing more
than its start and its length)."""
# A word stops at blanks and at the punctuation messages put around values.
_LONG_WORD = re.compile(rf"[^\s'\"`\[\](),;:]{{{LONG_WORD + 1},}}")
_SHOWN_OF_LONG_WORD = 60


def printable(text: str) -> str:
    """``text`` as one printable line: a byte that was not UTF-8 (read with surrogateescape)
    shows as ``\\xe9``, a control character as its escape (``\\x00``, ``\\t``), and a word
    over :data:`LONG_WORD` characters as its start and its length."""
    if not text.isprintable():
        text = "".join(char if char.isprintable() else _escape(char) for char in text)
    if len(text) > LONG_WORD:
        text = _LONG_WORD.sub(_shorten, text)
    return text


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def _shorten(match: re.Match[str]) -> str:
    word = match[0]
    return f"{word[:_SHOWN_OF_LONG_WORD]}...({len(word)} characters)"


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
        return printable(f"{self.location}: {prefix}{self.problem}; {self.fix}")

    def __str__(self) -> str:
        return self.render()


def internal_error(location: Location, error: Exception, plugin: str | None = None) -> Problem:
    """The problem that stands for an exception hb did not expect while checking ``location``:
    the exception and the innermost place it came from, so that the report can be acted on.
    ``plugin`` names the plugin whose code raised (``monitor-ping (hb-monitor-ping)``), so that
    the report goes to its authors; None when it is hb's own."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    if frames:
        frame = frames[-1]
        where = f" at {'/'.join(Path(frame.filename).parts[-2:])}:{frame.lineno}"
    failed = f"failed with {type(error).__name__}{where}: {_describe(error)}"
    if plugin is None:
        return Problem(location, f"checking this {failed}", BUG_FIX)
    return Problem(
        location,
        f"checking this in plugin {plugin} {failed}",
        PLUGIN_BUG_FIX,
    )


def _describe(error: Exception) -> str:
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not hide the report of the first failure
        text = ""
    return text[:200] or "no message"


class ConfigError(Exception):
    """A configuration that cannot be used; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

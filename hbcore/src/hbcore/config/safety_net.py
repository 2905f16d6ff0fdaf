"""The last line of defence of ``hb check`` and ``hb start``: an exception that a check did not
expect becomes a problem naming the file (and asking for a bug report), never a traceback.

Causes are fixed where they are found (``tests/test_check_fuzz.py`` runs with the net off, so a
new one fails there); the net keeps the promise for those nobody has found yet, including the
ones of third-party plugins.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from hbcore.config.problems import Location, Problem, internal_error


class SafetyNet:
    """Runs checks one at a time, turning an unexpected exception of one into a problem so
    that the others still run. With ``catch`` False exceptions pass through (tests, fuzzing).
    """

    def __init__(self, catch: bool = True) -> None:
        self.catch = catch
        self.problems: list[Problem] = []
        """One problem per check that raised, located where it was checking."""

    @contextlib.contextmanager
    def guard(self, location: Location, plugin: str | None = None) -> Iterator[None]:
        """Run the body; an ``Exception`` out of it becomes a problem at ``location``, naming
        ``plugin`` when the body runs a plugin's code (see :func:`internal_error`)."""
        if not self.catch:
            yield
            return
        try:
            yield
        except Exception as error:  # the net itself: anything a check did not expect
            self.problems.append(internal_error(location, error, plugin))

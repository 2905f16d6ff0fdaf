"""A bounded memo for the conversions every packet repeats.

A node sends and hears the same fields every keepalive (``t=status``, ``st=active``, its name,
its uuid, the generation...); only a few values change (``seq``, ``ts``, the tokens). The
framing and conversion of a field depend on the field alone, so each result is remembered and
the next packet that carries the same field costs a dictionary lookup instead of the work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Result = TypeVar("Result")

MEMO_SIZE = 512
"""Entries kept per memo: every field of a few nodes' status messages, with room for the
values that change. Full, a memo starts over empty, so a stream of fields never seen again
(a flood of authenticated but varied messages) costs memory only up to this bound."""

MEMO_FIELD_BYTES = 256
"""The largest field a memo keeps. Status fields are a few dozen bytes; a large field (a
client's message, a replayed one) is converted every time rather than held, so that the
memos together hold well under a megabyte whatever arrives."""


class Memo(Generic[Key, Result]):
    """Results by key, at most :data:`MEMO_SIZE` of them, each of a field of at most
    :data:`MEMO_FIELD_BYTES`. Only results of work that succeeded go in: a key that fails is
    worked on (and fails) every time."""

    def __init__(self) -> None:
        self._results: dict[Key, Result] = {}
        self.get: Callable[[Key], Result | None] = self._results.get
        """The remembered result for a key, or None."""

    def put(self, key: Key, result: Result, size: int) -> Result:
        """Remember ``result`` for ``key``, a field of ``size`` bytes, unless the field is
        larger than :data:`MEMO_FIELD_BYTES`; return ``result``."""
        if size > MEMO_FIELD_BYTES:
            return result
        results = self._results
        if len(results) >= MEMO_SIZE:
            results.clear()
        results[key] = result
        return result

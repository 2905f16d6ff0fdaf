"""Which groups a node holds, in heartbeat's words: ``none``, ``local``, ``foreign``, ``all``.

``local`` are the groups whose haresources node is the speaker, ``foreign`` all the others. The
words are always from the sender's point of view, so a peer's ``foreign`` is our ``local``.
"""

from __future__ import annotations

import enum


class Hold(enum.Flag):
    """A set of groups by ownership."""

    NONE = 0
    LOCAL = 1
    FOREIGN = 2
    ALL = LOCAL | FOREIGN

    @property
    def word(self) -> str:
        """heartbeat's word for this set (``rsc_hold=``)."""
        return _WORDS[self]

    def seen_from_peer(self) -> Hold:
        """The same groups in the words of the other node of a pair."""
        flipped = Hold.NONE
        if Hold.LOCAL in self:
            flipped |= Hold.FOREIGN
        if Hold.FOREIGN in self:
            flipped |= Hold.LOCAL
        return flipped


_WORDS = {Hold.NONE: "none", Hold.LOCAL: "local", Hold.FOREIGN: "foreign", Hold.ALL: "all"}
_BY_WORD = {word: hold for hold, word in _WORDS.items()}


def parse_hold(word: str | None) -> Hold | None:
    """``none``/``local``/``foreign``/``all`` (any case), or None for anything else."""
    return _BY_WORD.get((word or "").lower())

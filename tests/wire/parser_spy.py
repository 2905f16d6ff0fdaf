"""A spy on the per-field work of decoding, to test what a packet costs by structure, not time."""

from __future__ import annotations

import pytest
from hbcore.wire import classic, netstring
from hbcore.wire.memo import Memo
from hbcore.wire.rawfield import RawField


class ParserCalls:
    """Counts the per-field work of decoding since the last ``reset``.

    ``walks``: walks over a netstring packet's fields; ``items``: netstring fields parsed;
    ``lines``: classic lines parsed. Everything else decoding does is a few scans in C over
    the packet or work per field parsed, so these counts bound what a packet can cost.
    """

    def __init__(self) -> None:
        self.walks = self.items = self.lines = 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap the parsers for the rest of the test."""
        walk, item, line = netstring._fields, netstring._parse_item, classic._parse_line

        def counted_walk(packet: bytes) -> tuple[list[RawField], int]:
            self.walks += 1
            return walk(packet)

        def counted_item(item_bytes: bytes, position: int) -> RawField:
            self.items += 1
            return item(item_bytes, position)

        def counted_line(line_bytes: bytes, number: int) -> RawField:
            self.lines += 1
            return line(line_bytes, number)

        # Every field is parsed, as the first packet to carry it is: the memo of fields heard
        # before only ever saves work, and would hide what a packet of new fields costs.
        forgetful: Memo[bytes, RawField] = Memo()
        monkeypatch.setattr(forgetful, "get", lambda _item: None)
        monkeypatch.setattr(netstring, "_ITEMS", forgetful)
        monkeypatch.setattr(netstring, "_fields", counted_walk)
        monkeypatch.setattr(netstring, "_parse_item", counted_item)
        monkeypatch.setattr(classic, "_parse_line", counted_line)

    def reset(self) -> None:
        self.walks = self.items = self.lines = 0

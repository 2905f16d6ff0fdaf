"""The common header heartbeat adds to every cluster message it sends.

After the creator's own fields come, in this order: ``(1)destuuid`` (when the message has a
``dest`` whose uuid is known), ``src``, ``(1)srcuuid``, ``seq`` (hex; not on ``NS_*`` messages),
``hg`` (hex), ``ts`` (hex wall-clock seconds), ``ld`` (the load average line; not on ``NS_*``)
and ``ttl`` (decimal). A field the message already has keeps its position. The ``auth`` field
is added last by :func:`hbcore.wire.codec.encode`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hbcore.wire.message import Message, Value

LOADAVG = Path("/proc/loadavg")


@dataclass(frozen=True)
class SenderIdentity:
    """What identifies this node in every message it sends."""

    name: str
    uuid: bytes
    generation: int
    ttl: int
    """hopfudge plus the number of configured nodes, ping nodes included (never acted on)."""


def is_unsequenced(message_type: str) -> bool:
    """``NS_*`` messages (retransmission requests, ACKs, ping data) carry no ``seq``."""
    return message_type.startswith("NS_")


class LoadAverage:
    """The first line of /proc/loadavg (``n/a`` where there is none), read at most once per
    ``max_age_s``: the kernel updates it every 5 s, and a node stamps it on every message."""

    def __init__(self, max_age_s: float = 1.0) -> None:
        self.max_age_s = max_age_s
        self._value = "n/a"
        self._read_at = -max_age_s

    def __call__(self) -> str:
        now = time.monotonic()
        if now - self._read_at >= self.max_age_s:
            self._read_at = now
            try:
                self._value = LOADAVG.read_text().splitlines()[0]
            except (OSError, IndexError):
                self._value = "n/a"
        return self._value


def add_header(
    message: Message,
    sender: SenderIdentity,
    seq: int | None,
    timestamp: int,
    load: str,
    dest_uuid: bytes | None = None,
) -> Message:
    """``message`` with heartbeat's control fields; ``seq`` None for ``NS_*`` messages."""
    header: list[tuple[str, Value]] = []
    if dest_uuid is not None:
        header.append(("destuuid", dest_uuid))
    header += [("src", sender.name), ("srcuuid", sender.uuid)]
    if seq is not None:
        header.append(("seq", format(seq, "x")))
    header += [("hg", format(sender.generation, "x")), ("ts", format(timestamp, "x"))]
    if seq is not None:
        header.append(("ld", load))
    header.append(("ttl", str(sender.ttl)))
    return message.set_all(header)

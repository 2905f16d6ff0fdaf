"""Retransmission, both ways (wire-protocol.md §5).

Asking: each missing sequence number of a peer is requested with ``NS_rexmit`` (``firstseq`` =
``lastseq`` = the number, in decimal) after a random delay of 50 ms to ``max_rexmit_delay``
(0 to it when it is under 100 ms), then again every ``max_rexmit_delay`` while it is still
missing.

Answering: a stored message is re-sent unchanged unless it went out less than
``max_rexmit_delay`` - 10 ms ago; one no longer stored gets ``NS_nak_rexmit`` (``firstseq`` in
hex, ``info`` the reason). At most 50 messages answer one request, and numbers the requester
has acknowledged are skipped.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hbcore.node.outbound import Sent
from hbcore.wire import Message

MAX_PER_REQUEST = 50


@dataclass(frozen=True)
class Resend:
    """Re-send the stored message ``seq``."""

    seq: int


@dataclass(frozen=True)
class Refuse:
    """Tell the requester ``seq`` is gone for good."""

    seq: int
    reason: str


def request_message(node: str, seq: int) -> Message:
    """``NS_rexmit`` asking ``node`` for message ``seq``."""
    return Message.of(
        ("t", "NS_rexmit"), ("dest", node), ("firstseq", str(seq)), ("lastseq", str(seq))
    )


def refusal_message(node: str, refuse: Refuse) -> Message:
    """``NS_nak_rexmit`` telling ``node`` that ``refuse.seq`` cannot be re-sent."""
    return Message.of(
        ("t", "NS_nak_rexmit"),
        ("dest", node),
        ("firstseq", format(refuse.seq, "x")),
        ("info", refuse.reason),
    )


def plan_answer(
    first: int,
    last: int,
    history: Mapping[int, Sent],
    acked_up_to: int,
    now: float,
    max_rexmit_delay_ms: int,
) -> list[Resend | Refuse]:
    """What to do for a request of ``first..last``; times are monotonic seconds."""
    oldest = min(history, default=None)
    answer: list[Resend | Refuse] = []
    for seq in range(max(first, acked_up_to + 1), last + 1):
        if len(answer) >= MAX_PER_REQUEST:
            break
        sent = history.get(seq)
        if sent is None:
            too_low = oldest is None or seq < oldest
            answer.append(Refuse(seq, "seqno too low" if too_low else "seqno not found"))
        elif (now - sent.last_sent) * 1000 >= max_rexmit_delay_ms - 10:
            answer.append(Resend(seq))
    return answer


class Requester:
    """Asks peers again and again for the messages that are missing, until they arrive.

    ``send_request(node, seq)`` sends one request; ``still_wanted(node, seq)`` says whether
    the number is still missing and the node still alive.
    """

    def __init__(
        self,
        max_rexmit_delay_ms: int,
        send_request: Callable[[str, int], None],
        still_wanted: Callable[[str, int], bool],
    ) -> None:
        self.delay_s = max_rexmit_delay_ms / 1000
        self._send_request = send_request
        self._still_wanted = still_wanted
        self._timers: dict[tuple[str, int], asyncio.TimerHandle] = {}

    def want(self, node: str, seq: int) -> None:
        """Start asking ``node`` for ``seq``."""
        if (node, seq) in self._timers:
            return
        low = 0.0 if self.delay_s < 0.1 else 0.05
        first_delay = random.uniform(low, self.delay_s)
        self._schedule(node, seq, first_delay)

    def forget(self, node: str) -> None:
        """Stop asking ``node`` for anything (it died or restarted)."""
        for key in [key for key in self._timers if key[0] == node]:
            self._timers.pop(key).cancel()

    def stop(self) -> None:
        """Cancel every pending request."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _schedule(self, node: str, seq: int, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._timers[(node, seq)] = loop.call_later(delay, self._fire, node, seq)

    def _fire(self, node: str, seq: int) -> None:
        self._timers.pop((node, seq), None)
        if not self._still_wanted(node, seq):
            return
        self._send_request(node, seq)
        self._schedule(node, seq, self.delay_s)

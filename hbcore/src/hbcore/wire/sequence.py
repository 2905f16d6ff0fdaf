"""Per-peer sequence tracking: in order, duplicate, replay, restart, and gaps to retransmit.

heartbeat numbers every sequenced message of a sender (``seq``, from 1 at each start) and tags
it with the sender's generation (``hg``). The receiver keeps, per peer, the generation, the last
sequence number and the numbers still missing; each arrival is classified by
:meth:`PeerSequence.arrive`. ``NS_*`` messages carry no ``seq`` and are not tracked here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

MAX_MISSING = 500
"""heartbeat's MAXMSGHIST: how many missing numbers are remembered."""
RESET_GAP = MAX_MISSING // 2
"""A gap wider than this resets tracking ("lost a lot of packets!") instead of asking for all."""


class Arrival(enum.Enum):
    """What a sequenced message is, given what was seen before from its sender."""

    IN_ORDER = "in-order"
    """The next number (or the first heard): process it."""
    FILLS_GAP = "fills-gap"
    """An older number that was missing (a retransmission): process it."""
    AHEAD = "ahead"
    """Numbers were skipped: process it, and ask for ``ArrivalReport.lost``."""
    RESET = "reset"
    """So many numbers were skipped that tracking restarted from this one: process it."""
    RESTART = "restart"
    """A status with a newer generation: the sender restarted. Tracking restarted."""
    DUPLICATE = "duplicate"
    """Already seen (or too old to matter): only refreshes the link."""
    REPLAY = "replay"
    """An older generation: a replayed or forged packet. Drop it."""


@dataclass(frozen=True)
class ArrivalReport:
    """The classification of one arrival and the numbers found missing because of it."""

    arrival: Arrival
    lost: tuple[int, ...] = ()
    previous_generation: int | None = None

    @property
    def should_process(self) -> bool:
        """True when the message is new and must be acted on."""
        return self.arrival not in (Arrival.DUPLICATE, Arrival.REPLAY)


@dataclass
class PeerSequence:
    """What one receiver knows of one sender's numbering."""

    generation: int | None = None
    last_seq: int | None = None
    missing: set[int] = field(default_factory=set)

    def arrive(self, generation: int, seq: int, is_status: bool) -> ArrivalReport:
        """Classify a message with generation ``generation`` and number ``seq``, and update
        the tracking. ``is_status`` says whether it is a ``t=status`` message: only those can
        announce a restart."""
        if self.generation is not None and generation < self.generation:
            return ArrivalReport(Arrival.REPLAY, previous_generation=self.generation)
        if self.generation is None or (is_status and generation > self.generation):
            first = self.generation is None
            previous = self.generation
            self._restart(generation, seq)
            return ArrivalReport(
                Arrival.IN_ORDER if first else Arrival.RESTART, previous_generation=previous
            )
        if self.last_seq is None or seq == self.last_seq + 1:
            self.last_seq = seq
            return ArrivalReport(Arrival.IN_ORDER)
        if seq > self.last_seq + 1:
            lost = tuple(range(self.last_seq + 1, seq))
            if len(lost) > RESET_GAP:
                self._restart(generation, seq)
                return ArrivalReport(Arrival.RESET, lost=lost)
            self.missing.update(lost)
            self._forget_oldest_missing()
            self.last_seq = seq
            return ArrivalReport(Arrival.AHEAD, lost=lost)
        if seq in self.missing:
            self.missing.discard(seq)
            return ArrivalReport(Arrival.FILLS_GAP)
        return ArrivalReport(Arrival.DUPLICATE)

    def give_up(self, seq: int) -> None:
        """Forget a missing number the sender cannot retransmit (``NS_nak_rexmit``)."""
        self.missing.discard(seq)

    def reset(self) -> None:
        """Forget the numbering (the sender was declared dead): its next message starts over.

        The generation is kept, so that a status from the same generation can be recognised as
        the node returning after a partition, and an older one still as a replay.
        """
        self.last_seq = None
        self.missing.clear()

    def _restart(self, generation: int, seq: int) -> None:
        self.generation, self.last_seq = generation, seq
        self.missing.clear()

    def _forget_oldest_missing(self) -> None:
        while len(self.missing) > MAX_MISSING:
            self.missing.discard(min(self.missing))

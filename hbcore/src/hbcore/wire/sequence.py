"""Per-peer sequence tracking: in order, duplicate, stale, replay, restart, and gaps to
retransmit.

heartbeat numbers every sequenced message of a sender (``seq``, from 1 at each start) and tags
it with the sender's generation (``hg``). The receiver keeps, per peer, the generation, the
last sequence number, the number of the last accepted status (heartbeat's ``status_seqno``) and
the numbers still missing; each arrival is classified by :meth:`PeerSequence.arrive`. ``NS_*``
messages carry no ``seq`` and are not tracked here.

When the sender is declared dead heartbeat forgets its numbering, so that the next message it
sends starts tracking afresh, without asking for everything missed meanwhile. hb does the same
but keeps the last number as a floor: until the sender speaks again, only a higher number of the
same generation (a return after a partition) or a status of a newer one (a restart) is heard.
A captured packet of the dead sender replayed at will is stale, so it can neither revive the
node nor announce a false return after a partition.
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
    """The next number (or the first heard, or the first above the floor after the sender's
    death): process it."""
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
    SUPERSEDED = "superseded"
    """A missing status that arrived after a newer status was accepted: no longer missing,
    refreshes the link, but is not acted on (heartbeat: "we already have a newer status")."""
    STALE = "stale"
    """The sender was declared dead, and this is no newer than the last number heard before:
    a replay of an old packet. Drop it; it does not even refresh the link."""
    REPLAY = "replay"
    """An older generation: a replayed or forged packet. Drop it."""


_NOT_PROCESSED = frozenset({Arrival.DUPLICATE, Arrival.SUPERSEDED, Arrival.STALE, Arrival.REPLAY})


@dataclass(frozen=True)
class ArrivalReport:
    """The classification of one arrival.

    ``lost`` holds the numbers found missing because of it (``AHEAD`` only, at most
    ``RESET_GAP`` of them); ``previous_generation`` the generation known before a ``REPLAY`` or
    ``RESTART``.
    """

    arrival: Arrival
    lost: tuple[int, ...] = ()
    previous_generation: int | None = None

    @property
    def should_process(self) -> bool:
        """True when the message is new and must be acted on."""
        return self.arrival not in _NOT_PROCESSED


@dataclass
class PeerSequence:
    """What one receiver knows of one sender's numbering.

    Numbers and generations are unsigned 64-bit values (the caller parses them so).
    """

    generation: int | None = None
    last_seq: int | None = None
    status_seq: int = 0
    """The number of the last status accepted in ``generation`` (heartbeat's
    ``status_seqno``); 0 when none was."""
    missing: set[int] = field(default_factory=set)
    sender_dead: bool = False
    """The sender was declared dead: ``last_seq`` is a floor, and the next number above it
    restarts tracking."""

    def arrive(self, generation: int, seq: int, is_status: bool) -> ArrivalReport:
        """Classify a message with generation ``generation`` and number ``seq``, and update
        the tracking. ``is_status`` says whether it is a ``t=status`` message: only those can
        announce a restart, and only those can be superseded."""
        if self.generation is not None and generation < self.generation:
            return ArrivalReport(Arrival.REPLAY, previous_generation=self.generation)
        if self.generation is None or (is_status and generation > self.generation):
            first = self.generation is None
            previous = self.generation
            self._restart(generation, seq, is_status)
            return ArrivalReport(
                Arrival.IN_ORDER if first else Arrival.RESTART, previous_generation=previous
            )
        assert self.last_seq is not None
        if self.sender_dead:
            return self._after_death(seq, is_status)
        if seq == self.last_seq + 1:
            self.last_seq = seq
            self._accepted(seq, is_status)
            return ArrivalReport(Arrival.IN_ORDER)
        if seq > self.last_seq + 1:
            return self._ahead(seq, is_status)
        if seq in self.missing:
            self.missing.discard(seq)
            if is_status and seq < self.status_seq:
                return ArrivalReport(Arrival.SUPERSEDED)
            self._accepted(seq, is_status)
            return ArrivalReport(Arrival.FILLS_GAP)
        return ArrivalReport(Arrival.DUPLICATE)

    def give_up(self, seq: int) -> None:
        """Forget a missing number the sender cannot retransmit (``NS_nak_rexmit``)."""
        self.missing.discard(seq)

    def sender_died(self) -> None:
        """The sender was declared dead: stop waiting for what it missed, and hear it again
        only above the last number heard (or from a newer generation, when it restarts).

        The generation is kept, so that a status from the same generation can be recognised as
        the node returning after a partition, and an older one still as a replay.
        """
        self.missing.clear()
        self.sender_dead = self.generation is not None

    def _after_death(self, seq: int, is_status: bool) -> ArrivalReport:
        assert self.last_seq is not None
        if seq <= self.last_seq:
            return ArrivalReport(Arrival.STALE)
        self.sender_dead = False
        self.last_seq = seq
        self._accepted(seq, is_status)
        return ArrivalReport(Arrival.IN_ORDER)

    def _ahead(self, seq: int, is_status: bool) -> ArrivalReport:
        assert self.last_seq is not None
        first_lost = self.last_seq + 1
        # Measure the gap before building it: a forged number can be 2**64 away.
        if seq - first_lost > RESET_GAP:
            self.last_seq = seq
            self.missing.clear()
            self._accepted(seq, is_status)
            return ArrivalReport(Arrival.RESET)
        lost = tuple(range(first_lost, seq))
        self.missing.update(lost)
        self._forget_oldest_missing()
        self.last_seq = seq
        self._accepted(seq, is_status)
        return ArrivalReport(Arrival.AHEAD, lost=lost)

    def _accepted(self, seq: int, is_status: bool) -> None:
        if is_status:
            self.status_seq = max(self.status_seq, seq)

    def _restart(self, generation: int, seq: int, is_status: bool) -> None:
        self.generation, self.last_seq = generation, seq
        self.status_seq = seq if is_status else 0
        self.missing.clear()
        self.sender_dead = False

    def _forget_oldest_missing(self) -> None:
        excess = len(self.missing) - MAX_MISSING
        if excess > 0:
            self.missing.difference_update(sorted(self.missing)[:excess])

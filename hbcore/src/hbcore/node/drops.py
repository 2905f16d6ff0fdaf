"""Dropped packets: counted by reason, per medium and per node, and logged rate-limited.

Every packet the node drops passes through :meth:`DropCounter.drop`, which counts it and says
whether to log it in full (the first of its kind, see :mod:`hbcore.throttle`); the rest
of the kind becomes one line per interval, ``N packets dropped from HOST in the last S s:
REASON``. HOST is the sender for a packet that passed authentication, otherwise the medium it
came on (the sender's address is not known to the node, and an unauthenticated ``src`` is
anybody's to write). The counts are what ``hb status --json`` shows under ``dropped``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from hbcore.throttle import SUMMARY_INTERVAL_S, Throttle
from hbcore.wire import Rejected, RejectKind

BAD_AUTHENTICATION = RejectKind.BAD_AUTHENTICATION.value
"""The trailer (netstring) or the ``auth`` field (classic) does not verify."""
MALFORMED = RejectKind.MALFORMED.value
"""Not a well-formed heartbeat message, or a header field missing or out of bounds (``seq``,
``hg``, ``ts``... see :mod:`hbcore.wire.numbers`)."""
# The codec's other kinds ("too big", "not heartbeat") are reasons too, as it names them.
REPLAY = "replay"
"""An older generation than the sender's current one (heartbeat: "attempted replay attack")."""
STALE = "stale"
"""No newer than what was heard from the sender before it was declared dead (a status at or
below the last accepted one, or any older message)."""
UNKNOWN_NODE = "unknown node"
"""A ``src`` that is not in the configuration."""
HANDLER_ERROR = "handler error"
"""Processing the message raised: a bug, logged with its traceback, never fatal."""
LOCAL = "local"
"""The medium of our own messages, processed before they go out."""


def rejection_reason(rejected: Rejected) -> str:
    """The drop reason of a packet the codec refused: its kind."""
    return rejected.kind.value


def claimed_sender(rejected: Rejected) -> str | None:
    """The ``src`` a refused packet claims, lowercased, when the codec read it (the node's
    receive path rarely has it: a forged netstring packet is refused before it is parsed)."""
    if rejected.decoded is None:
        return None
    source = rejected.decoded.message.get("src")
    return None if source is None else source.lower()


@dataclass(frozen=True)
class DropSummary:
    """``count`` packets from ``host`` dropped for ``reason`` and not logged one by one."""

    host: str
    reason: str
    count: int
    seconds: float

    @property
    def message(self) -> str:
        return (
            f"{self.count} packets dropped from {self.host} "
            f"in the last {self.seconds:.3g} s: {self.reason}"
        )


class DropCounter:
    """The drop counts of one node and the decision which drops are logged.

    Memory stays bounded as long as the callers pass only configured node names and a fixed
    set of reasons and media.
    """

    def __init__(self, interval_s: float = SUMMARY_INTERVAL_S) -> None:
        self.total: Counter[str] = Counter()
        self.by_medium: dict[str, Counter[str]] = {}
        self.by_node: dict[str, Counter[str]] = {}
        self._throttle: Throttle[tuple[str, str]] = Throttle(interval_s)

    def drop(
        self,
        reason: str,
        medium: str | None,
        now: float,
        *,
        node: str | None = None,
        claimed: str | None = None,
    ) -> bool:
        """Count one dropped packet; True when it is to be logged in full now.

        ``medium`` is where it came from (None: our own message). ``node`` is the sender of
        an authenticated packet; the drop is logged under it. ``claimed`` is the sender an
        unauthenticated packet names; the drop is counted for it but logged under the medium.
        """
        source = LOCAL if medium is None else medium
        self.total[reason] += 1
        self.by_medium.setdefault(source, Counter())[reason] += 1
        counted_for = node if node is not None else claimed
        if counted_for is not None:
            self.by_node.setdefault(counted_for, Counter())[reason] += 1
        host = node if node is not None else source
        return self._throttle.admit((host, reason), now)

    def due(self, now: float) -> list[DropSummary]:
        """The summary lines due by ``now``."""
        summaries = []
        for suppressed in self._throttle.due(now):
            host, reason = suppressed.key
            summaries.append(DropSummary(host, reason, suppressed.count, suppressed.seconds))
        return summaries

    def next_due(self) -> float | None:
        """When the next summary may be due (monotonic time), or None."""
        return self._throttle.next_due()

    def snapshot(self) -> dict[str, dict[str, object]]:
        """The counts as ``hb status --json`` shows them: ``total`` by reason, ``media`` and
        ``nodes`` by source then reason."""
        return {
            "total": dict(self.total),
            "media": {name: dict(counts) for name, counts in self.by_medium.items()},
            "nodes": {name: dict(counts) for name, counts in self.by_node.items()},
        }

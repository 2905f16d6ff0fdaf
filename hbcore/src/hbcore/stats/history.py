"""The node's recent cluster events in memory: a bounded queue, numbered, with listeners.

``hb events`` reads it through the control socket (:meth:`EventHistory.select`), a plugin
listens to it (:meth:`EventHistory.subscribe`). Numbers grow by one per event for the life of
the process, so a client that follows (``hb events -f``) asks for what came after the last
number it saw.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

import structlog

from hbcore.stats.events import Event
from hbcore.tasks import describe_error

log = structlog.get_logger("hb.stats")

KEPT_EVENTS = 2000
"""Events kept in memory (about 0.5 MB); older ones remain in the events file."""

Listener = Callable[[Event], None]


class EventHistory:
    """The last ``limit`` events, oldest first. Used on the node's loop."""

    def __init__(self, limit: int = KEPT_EVENTS) -> None:
        self.limit = limit
        self._events: deque[Event] = deque(maxlen=limit)
        self._listeners: list[Listener] = []
        self.last_number = 0
        """The number of the newest event (0: none yet)."""

    def __len__(self) -> int:
        return len(self._events)

    def add(self, event: Event) -> None:
        """Keep ``event`` and hand it to every listener. A listener that raises is logged and
        kept: one faulty plugin must not lose the node its history."""
        self._events.append(event)
        self.last_number += 1
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception as error:
                log.error(f"event listener failed: {describe_error(error)}", exc_info=error)

    def restore(self, events: Iterable[Event]) -> None:
        """Put ``events``, read back from disk at start, first: they are numbered from 1, so
        call this before any event is added. Listeners are not told: history is not news."""
        kept = list(self._events)
        self._events.clear()
        for event in events:
            self._events.append(event)
            self.last_number += 1
        self._events.extend(kept)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the loop for every event from now on; it must return at
        once. Returns the function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def select(
        self, since: float | None = None, after: int | None = None, limit: int | None = None
    ) -> list[tuple[int, Event]]:
        """``(number, event)`` of the kept events at or after wall-clock time ``since`` and
        numbered above ``after``, oldest first; only the first ``limit`` when given (a page:
        ask again after the last number for the next)."""
        first = self.last_number - len(self._events) + 1
        chosen = [
            (number, event)
            for number, event in enumerate(self._events, first)
            if (since is None or event.time >= since) and (after is None or number > after)
        ]
        return chosen if limit is None else chosen[: max(limit, 0)]

    def newest(self, count: int) -> list[Event]:
        """The newest ``count`` events, oldest first."""
        return list(self._events)[-count:] if count > 0 else []

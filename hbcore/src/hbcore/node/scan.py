"""The timeout scan: membership declares dead what was not heard in time.

A scan runs at membership's next deadline (at least every 0.25 s until comm is up, so comm
readiness is checked too), hands what membership declared to ``react``, then calls ``after``
(the comm-up check). A scan that raises is logged, rate-limited, and the next one comes soon
anyway: no bad input can stop deaths from being declared.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from hbcore.membership.events import MembershipEvent
from hbcore.membership.table import Membership
from hbcore.node.quiet_log import QuietLog

SCAN_FLOOR_S = 0.005
"""The timeout scan never runs more often than this."""
SCAN_RETRY_S = 0.25
"""After a timeout scan that failed, the next one comes this soon (heartbeat's poll)."""


class TimeoutScan:
    """The timeout scans of one node, on its loop."""

    def __init__(
        self,
        membership: Membership,
        react: Callable[[Sequence[MembershipEvent]], None],
        after: Callable[[], None],
        quiet: QuietLog,
    ) -> None:
        self._membership = membership
        self._react = react
        self._after = after
        self._quiet = quiet
        self._next: asyncio.TimerHandle | None = None

    def start(self, delay: float) -> None:
        """Scan in ``delay`` seconds, then at each deadline."""
        loop = asyncio.get_running_loop()
        self._next = loop.call_later(max(delay, SCAN_FLOOR_S), self._scan)

    def rescan(self) -> None:
        """Scan now, if scans run (new timers may have brought a deadline forward)."""
        if self._next is not None:
            self._next.cancel()
            self.start(0)

    def stop(self) -> None:
        """No more scans."""
        if self._next is not None:
            self._next.cancel()

    def _scan(self) -> None:
        now = time.monotonic()
        delay = SCAN_RETRY_S
        try:
            self._react(self._membership.check_timeouts(now))
            self._after()
            delay = self._membership.next_deadline(now) - now
        except Exception as error:
            self._quiet.failed("timeout scan failed", error)
        finally:
            self.start(delay)

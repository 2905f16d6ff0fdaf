"""A systemd unit as a resource: ``systemctl start|stop UNIT``, which wait for the job to end
(systemd enforces the unit's own ``TimeoutStartSec``/``TimeoutStopSec``), and
``systemctl is-active UNIT`` for status.

hb's own timeout on each ``systemctl`` is the unit's timeout (read once with ``systemctl
show``) plus :data:`MARGIN_SECONDS`, so systemd's handling of an overrun (kill, mark failed)
always comes first; it only guards against ``systemctl`` itself hanging. A unit whose timeout
is ``infinity`` is waited for without limit, as systemd waits for it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from hb_hookspecs import ResourceError

from hb_ra_systemd.systemctl import SYSTEMCTL, Completed, systemctl
from hb_ra_systemd.timespan import timespan

log = logging.getLogger("hb.ra.systemd")

DEFAULT_TIMEOUT = 90.0
"""systemd's DefaultTimeoutStartSec and DefaultTimeoutStopSec, used when ``systemctl show``
does not answer."""
MARGIN_SECONDS = 30.0
STATUS_TIMEOUT = 10.0
"""``is-active`` and ``show`` only ask systemd; they answer at once or systemd is stuck."""
NOT_LOADED = 5
"""``systemctl stop``'s exit status for a unit systemd does not know: nothing to stop."""
RUNNING_STATES = frozenset({"active", "reloading"})
_PROPERTIES = {"TimeoutStartUSec": "start", "TimeoutStopUSec": "stop"}


class SystemdAgent:
    """One ``systemd:UNIT`` resource. Building one runs nothing."""

    def __init__(self, token: str, unit: str, environment: Mapping[str, str]) -> None:
        self.name = token
        self.unit = unit
        self._environment = {**os.environ, **environment}
        self._timeouts: dict[str, float | None] | None = None

    async def start(self) -> None:
        """``systemctl start UNIT``; raises ``ResourceError`` with systemctl's words when the
        job fails."""
        await self._act("start")

    async def stop(self) -> None:
        """``systemctl stop UNIT``; a unit systemd does not know is stopped already. Raises
        ``ResourceError`` when the job fails."""
        await self._act("stop")

    async def status(self) -> bool:
        """``systemctl is-active UNIT`` says ``active`` (or ``reloading``). Anything else,
        or no answer, is not running; never raises."""
        try:
            completed = await systemctl(["is-active", self.unit], self._environment, STATUS_TIMEOUT)
        except OSError as error:
            log.error(f"Cannot run {SYSTEMCTL} is-active {self.unit}: {error.strerror}")
            return False
        state = completed.stdout.splitlines()[0] if completed.stdout else "no answer"
        log.debug(f"{SYSTEMCTL} is-active {self.unit}: {state}")
        return state in RUNNING_STATES

    def describe(self) -> str:
        return f"systemd unit {self.unit}"

    async def timeouts(self) -> dict[str, float | None]:
        """The unit's start and stop timeouts in seconds (None: infinity), read once with
        ``systemctl show``; :data:`DEFAULT_TIMEOUT` for what it does not say."""
        if self._timeouts is None:
            self._timeouts = {"start": DEFAULT_TIMEOUT, "stop": DEFAULT_TIMEOUT}
            arguments = ["show", *(f"--property={name}" for name in _PROPERTIES), self.unit]
            try:
                completed = await systemctl(arguments, self._environment, STATUS_TIMEOUT)
            except OSError:
                return self._timeouts
            for line in completed.stdout.splitlines():
                name, _, value = line.partition("=")
                if name in _PROPERTIES:
                    try:
                        self._timeouts[_PROPERTIES[name]] = timespan(value)
                    except ValueError:
                        log.warning(f"{self.unit}: {name}={value} is not a time span; ignored")
        return self._timeouts

    async def _act(self, action: str) -> None:
        unit_timeout = (await self.timeouts())[action]
        timeout = None if unit_timeout is None else unit_timeout + MARGIN_SECONDS
        command = f"{SYSTEMCTL} {action} {self.unit}"
        log.info(f"Running {command}")
        try:
            completed = await systemctl(
                [action, "--no-ask-password", self.unit], self._environment, timeout
            )
        except OSError as error:
            raise ResourceError(f"{self.name}: cannot run {SYSTEMCTL}: {error}") from error
        if completed.returncode == 0:
            return
        if action == "stop" and completed.returncode == NOT_LOADED:
            log.warning(f"{command}: systemd does not know the unit; nothing to stop")
            return
        raise self._failure(command, completed, timeout)

    def _failure(self, command: str, completed: Completed, timeout: float | None) -> ResourceError:
        if completed.returncode is None:
            what = f"{command} timed out after {timeout:g} s and was killed"
        else:
            what = f"{command} failed with exit status {completed.returncode}"
        log.error(what)
        output = completed.output()
        return ResourceError(f"{what}:\n{output}" if output else what)

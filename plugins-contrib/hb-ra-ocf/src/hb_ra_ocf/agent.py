"""An OCF resource agent driven the OCF way: ``AGENT start|stop|monitor|validate-all`` with the
parameters in ``OCF_RESKEY_*``, each action with the timeout of the agent's meta-data (or the
token's), its exit code read by the OCF API and logged by name."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from hb_hookspecs import ResourceError

from hb_ra_ocf import exitcodes, metadata_cache, process
from hb_ra_ocf.metadata import MetaData, MetaDataError
from hb_ra_ocf.resource import OcfResource, agent_environment, base_environment

log = logging.getLogger("hb.ra.ocf")

DEFAULT_TIMEOUT = 20.0
"""Seconds an action may take when neither the token nor the meta-data says (Pacemaker's
default operation timeout)."""


class OcfAgent:
    """One OCF resource of a haresources group.

    Building one runs nothing. The meta-data, when the check did not read it already, is read
    (as an asyncio subprocess) before the first action. ``status`` is ``monitor``.
    """

    def __init__(
        self,
        resource: OcfResource,
        environment: Mapping[str, str],
        metadata: MetaData | None = None,
    ) -> None:
        self.name = resource.token
        self.resource = resource
        self._environment = dict(environment)
        self._metadata = metadata
        self._metadata_unreadable = False

    async def start(self) -> None:
        """``validate-all`` (when the agent has it), then ``start``; raises ``ResourceError``
        naming the OCF exit code and with the agent's output when either fails."""
        await self._load_metadata()
        self._log_running("start")
        if self._metadata is not None and "validate-all" in self._metadata.actions:
            completed = await self._run("validate-all")
            if completed.returncode is None or not exitcodes.validation_passed(
                completed.returncode
            ):
                raise self._failure("validate-all", completed)
        completed = await self._run("start")
        if completed.returncode is None or not exitcodes.start_succeeded(completed.returncode):
            raise self._failure("start", completed)
        log.debug(f"{self._label('start')}: {exitcodes.describe(completed.returncode)}")

    async def stop(self) -> None:
        """``stop``; OCF_NOT_RUNNING counts as stopped. Raises ``ResourceError`` otherwise."""
        await self._load_metadata()
        self._log_running("stop")
        completed = await self._run("stop")
        if completed.returncode is None or not exitcodes.stop_succeeded(completed.returncode):
            raise self._failure("stop", completed)
        log.debug(f"{self._label('stop')}: {exitcodes.describe(completed.returncode)}")

    async def status(self) -> bool:
        """``monitor``: True when it says running (degraded included, with a warning). An
        error, a timeout or an agent that cannot run count as not running; never raises."""
        try:
            await self._load_metadata()
            completed = await self._run("monitor")
        except Exception as error:
            log.error(f"{self._label('monitor')}: cannot run {self.resource.path}: {error}")
            return False
        if completed.returncode is None:
            return False
        log.log(
            exitcodes.monitor_log_level(completed.returncode),
            f"{self._label('monitor')}: {exitcodes.describe(completed.returncode)}",
        )
        return exitcodes.monitor_says_running(completed.returncode)

    def describe(self) -> str:
        return f"{self.resource.kind} (OCF instance {self.resource.instance})"

    def timeout(self, action: str) -> float:
        """Seconds ``action`` may take: the token's setting, else the meta-data's, else
        :data:`DEFAULT_TIMEOUT`."""
        overrides = dict(self.resource.timeouts)
        if action in overrides:
            return overrides[action]
        if self._metadata is not None and action in self._metadata.timeouts:
            return self._metadata.timeouts[action]
        return DEFAULT_TIMEOUT

    def environment(self) -> dict[str, str]:
        """What every action runs with (``OCF_ROOT``, ``OCF_RESKEY_*`` ...)."""
        return agent_environment(self.resource, self._environment)

    def _action_environment(self, timeout: float) -> dict[str, str]:
        # Pacemaker's name for the action's timeout, in ms: agents such as anything size
        # their own waits by it.
        environment = self.environment()
        environment["OCF_RESKEY_CRM_meta_timeout"] = str(round(timeout * 1000))
        return environment

    async def _load_metadata(self) -> None:
        if self._metadata is not None or self._metadata_unreadable:
            return
        environment = base_environment(self.resource.root, self._environment)
        try:
            self._metadata = await metadata_cache.read_async(self.resource.path, environment)
        except MetaDataError as error:
            # Only the timeouts depend on it here; the check already refused a broken agent.
            self._metadata_unreadable = True
            log.warning(f"{self.resource.kind}: {error}; default timeouts apply")

    async def _run(self, action: str) -> process.Completed:
        timeout = self.timeout(action)
        try:
            completed = await process.run(
                [str(self.resource.path), action], self._action_environment(timeout), timeout
            )
        except OSError as error:
            raise ResourceError(f"{self.name}: cannot run {self.resource.path}: {error}") from error
        label = self._label(action)
        for line in completed.output.splitlines():
            log.debug(f"{label}: {line}")
        if completed.returncode is None:
            log.error(f"{label} timed out after {timeout:g} s: process group killed")
        return completed

    def _failure(self, action: str, completed: process.Completed) -> ResourceError:
        label = self._label(action)
        if completed.returncode is None:
            what = f"{label} timed out after {self.timeout(action):g} s and was killed"
        else:
            what = f"{label} failed: {exitcodes.describe(completed.returncode)}"
            log.error(what)
        output = f":\n{completed.output}" if completed.output else ""
        return ResourceError(f"{what}{output}")

    def _log_running(self, action: str) -> None:
        # heartbeat's ResourceManager line, which users grep for; for OCF:: tokens exactly the
        # command heartbeat would have run.
        command = self.resource.heartbeat_command or str(self.resource.path)
        log.info(f"Running {command} {action}")

    def _label(self, action: str) -> str:
        return f"{self.resource.kind} {self.resource.instance} {action}"

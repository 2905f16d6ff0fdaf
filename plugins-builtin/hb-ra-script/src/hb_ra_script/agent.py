"""A script resource: ``PATH ARG... start|stop|status`` run the way ResourceManager runs it,
with a timeout per action and without a shell between hb and the script."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import structlog
from hb_hookspecs import ResourceContext, ResourceError

from hb_ra_script import process
from hb_ra_script.lookup import LocatedScript, ScriptToken, Style
from hb_ra_script.status import LSB_RUNNING, LSB_STOPPED, heartbeat_says_running, lsb_says_running

log = structlog.get_logger("hb.ra.script")

Action = Literal["start", "stop", "status"]

# ResourceManager unsets these before running any script, so that tools such as ifconfig
# answer in the words the scripts parse.
_UNSET_VARIABLES = ("LC_ALL", "LANGUAGE")


@dataclass(frozen=True)
class Timeouts:
    """Seconds each action may take before its process group is killed. heartbeat waited
    for ever; a hung script must not hold a failover for ever."""

    start: float = 120.0
    stop: float = 120.0
    status: float = 30.0

    def of(self, action: Action) -> float:
        """The timeout of ``action``."""
        return {"start": self.start, "stop": self.stop, "status": self.status}[action]


class ScriptAgent:
    """One haresources script resource (``httpd``, ``maid::vacuum``).

    Building one runs nothing. ``start`` and ``stop`` succeed on exit status 0. ``status``
    reads the output of a heartbeat ``resource.d`` script and the exit code of an LSB init
    script. Each method runs the script once: retrying a failed stop is the resource
    manager's policy, the same for every kind of agent.
    """

    def __init__(
        self,
        token: ScriptToken,
        script: LocatedScript,
        context: ResourceContext,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.name = token.token
        self.path = script.path
        self.args = token.args
        self.style = script.style
        self._context = context
        self._timeouts = timeouts or Timeouts()

    async def start(self) -> None:
        """Run ``start``; raises ``ResourceError`` with the script's output when it fails."""
        await self._act("start")

    async def stop(self) -> None:
        """Run ``stop``; raises ``ResourceError`` with the script's output when it fails (an
        LSB script stops a stopped service with exit status 0)."""
        await self._act("stop")

    async def status(self) -> bool:
        """Run ``status`` and read its answer. A script that cannot run or overruns its
        timeout counts as not running (logged); never raises."""
        try:
            completed = await self._run("status")
        except Exception as error:
            log.error(f"Cannot run {self.path} status: {error}", resource=self.name)
            return False
        if completed.returncode is None:
            return False
        if self.style is Style.HEARTBEAT:
            return heartbeat_says_running(completed.stdout)
        if completed.returncode not in (LSB_RUNNING, LSB_STOPPED):
            log.warning(
                f"{self._command('status')} returned {completed.returncode}: not running",
                resource=self.name,
                returncode=completed.returncode,
            )
        return lsb_says_running(completed.returncode)

    def describe(self) -> str:
        kind = "heartbeat script" if self.style is Style.HEARTBEAT else "LSB init script"
        return f"{' '.join([str(self.path), *self.args])} ({kind})"

    def environment(self) -> dict[str, str]:
        """hb's environment without ``LC_ALL``/``LANGUAGE``, plus ``HA_DIR`` and ``HA_FUNCS``
        as ResourceManager exports them, then ``context.environment`` (``HA_CURHOST`` ...)."""
        environment = {
            name: value for name, value in os.environ.items() if name not in _UNSET_VARIABLES
        }
        environment["HA_DIR"] = str(self._context.config_dir)
        environment["HA_FUNCS"] = str(self._context.config_dir / "shellfuncs")
        environment.update(self._context.environment)
        return environment

    async def _act(self, action: Action) -> None:
        # ResourceManager's doscript: "$spath $arg $2", so a script without arguments is
        # logged with two spaces, and users' greps expect exactly that.
        log.info(f"Running {self._command(action)}", resource=self.name, action=action)
        log.debug(f"Starting {self._command(action)}", resource=self.name, action=action)
        try:
            completed = await self._run(action)
        except OSError as error:
            log.error(f"Cannot run {self.path}: {error.strerror}", resource=self.name)
            raise ResourceError(f"{self.name}: cannot run {self.path}: {error}") from error
        if completed.returncode is None:
            raise ResourceError(
                f"{self._command(action)} timed out after {self._timeouts.of(action):g} s and "
                f"was killed{_with_output(completed)}"
            )
        log.debug(
            f"{self._command(action)} done. RC={completed.returncode}",
            resource=self.name,
            action=action,
        )
        if completed.returncode != 0:
            log.error(f"Return code {completed.returncode} from {self.path}", resource=self.name)
            raise ResourceError(
                f"Return code {completed.returncode} from {self.path}{_with_output(completed)}"
            )

    async def _run(self, action: Action) -> process.Completed:
        timeout = self._timeouts.of(action)
        # status runs before every start and after every failed stop: its output is debug.
        level = log.debug if action == "status" else log.info

        def on_line(stream: str, line: str) -> None:
            level(line, resource=self.name, action=action, stream=stream)

        completed = await process.run(
            [str(self.path), *self.args, action], self.environment(), timeout, on_line
        )
        if completed.returncode is None:
            log.error(
                f"{self._command(action)} timed out after {timeout:g} s: process group killed",
                resource=self.name,
                action=action,
            )
        return completed

    def _command(self, action: Action) -> str:
        return f"{self.path} {' '.join(self.args)} {action}"


def _with_output(completed: process.Completed) -> str:
    output = completed.output()
    return f":\n{output}" if output else ""

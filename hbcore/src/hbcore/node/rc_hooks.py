"""heartbeat's ``rc.d`` hooks for cluster message types hb has no handler for.

A message of such a type (a custom type another node or a script sent) runs
``/etc/ha.d/rc.d/<type> <type>`` when that file exists and is executable, with every string
field of the message as ``HA_<field>`` in the environment plus ``HA_CURHOST`` (this node),
``HA_OSTATUS`` (its status) and ``HA_NICEFAILBACK=yes`` when ``auto_failback`` is on or off.
Hooks run one at a time, in arrival order, each bounded by a timeout; their output goes to the
log. heartbeat's own hooks for the types hb handles natively (``status``, ``ip-request``,
``hb_takeover`` ...) are not run: hb does their work itself.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import structlog

from hbcore.tasks import Background
from hbcore.wire import Message

HOOK_TIMEOUT_S = 60.0
QUEUE_LIMIT = 100

log = structlog.get_logger("hb.rc")


class RcHooks:
    """Runs rc.d hooks in order; ``status`` returns this node's current status."""

    def __init__(
        self, config_dir: Path, node: str, nice_failback: bool, status: Callable[[], str]
    ) -> None:
        self.directory = config_dir / "rc.d"
        self.node = node
        self.nice_failback = nice_failback
        self.status = status
        self._queue: asyncio.Queue[tuple[Path, str, dict[str, str]]] = asyncio.Queue(QUEUE_LIMIT)
        self._tasks = Background(log)
        self._worker: asyncio.Task[None] | None = None

    def message(self, kind: str, message: Message) -> None:
        """Queue the hook for ``kind``, if there is one."""
        hook = self.directory / kind
        if "/" in kind or not hook.is_file() or not os.access(hook, os.X_OK):
            return
        if self._queue.full():
            log.error(f"rc.d hook queue full: {kind} from {message.get('src')} not run")
            return
        self._queue.put_nowait((hook, kind, self._environment(message)))
        if self._worker is None or self._worker.done():
            self._worker = self._tasks.start(self._run_queue(), "rc.d hooks")

    def stop(self) -> None:
        """Stop running hooks (at shutdown)."""
        self._tasks.cancel()

    def _environment(self, message: Message) -> dict[str, str]:
        environment = dict(os.environ)
        for field in message.fields:
            if isinstance(field.value, str):
                environment[f"HA_{field.name}"] = field.value
        environment["HA_CURHOST"] = self.node
        environment["HA_OSTATUS"] = self.status()
        if self.nice_failback:
            environment["HA_NICEFAILBACK"] = "yes"
        return environment

    async def _run_queue(self) -> None:
        while not self._queue.empty():
            hook, kind, environment = self._queue.get_nowait()
            await self._run(hook, kind, environment)

    async def _run(self, hook: Path, kind: str, environment: dict[str, str]) -> None:
        log.info(f"Running {hook} {kind}")
        process = await asyncio.create_subprocess_exec(
            str(hook),
            kind,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), HOOK_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            log.error(f"{hook} {kind} killed after {HOOK_TIMEOUT_S:g} s")
            return
        for line in output.decode(errors="replace").splitlines():
            log.info(f"{hook.name}: {line}")
        if process.returncode:
            log.warning(f"{hook} {kind} exited with return code {process.returncode}")

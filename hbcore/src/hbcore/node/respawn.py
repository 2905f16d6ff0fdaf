"""``respawn user /path [args]``: helper programs run by the node, restarted when they die.

As heartbeat does (behaviour.md §8): clients start when comm comes up, in ha.cf order, as
their user; one that exits is restarted at once, except after exit code 100 or during
shutdown; a client that keeps dying within 30 s of its start is given up after ten such
restarts ("respawning too fast"); at shutdown they are stopped in reverse order. heartbeat's
``ipfail`` lines are not run as programs: hb runs ipfail's decisions built in
(:mod:`hbcore.decisions.ipfail`).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import structlog

from hbcore.config.core_arguments import ClientChild
from hbcore.tasks import Background

DO_NOT_RESPAWN = 100
FAST_RUN_S = 30.0
MAX_FAST_RESPAWNS = 10
STOP_GRACE_S = 10.0

log = structlog.get_logger("hb.respawn")


@dataclass
class Client:
    """One respawned program and its current process."""

    child: ClientChild
    process: asyncio.subprocess.Process | None = None
    fast_respawns: int = 0

    @property
    def command(self) -> str:
        return " ".join((self.child.command, *self.child.arguments))


class Respawner:
    """Starts, watches and stops the ``respawn`` clients of one node.

    ``fast_run_s`` is the run time under which a death counts as a fast respawn.
    """

    def __init__(
        self,
        children: Sequence[ClientChild],
        environment: Mapping[str, str],
        fast_run_s: float = FAST_RUN_S,
    ) -> None:
        self.clients = [Client(child) for child in children if not _is_ipfail(child)]
        for child in children:
            if _is_ipfail(child):
                log.info(f'ipfail is built into hb: not starting "{child.command}"')
        self.environment = {**os.environ, **environment}
        self.fast_run_s = fast_run_s
        self._stopping = False
        self._watchers = Background(log)

    def start_all(self) -> None:
        """Start every client (comm is up)."""
        for client in self.clients:
            self._watchers.start(self._keep_running(client), f"respawn {client.command}")

    async def stop_all(self) -> None:
        """Stop the clients in reverse order: SIGTERM, then SIGKILL after a grace period."""
        self._stopping = True
        for client in reversed(self.clients):
            process = client.process
            if process is None or process.returncode is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_S)
            except TimeoutError:
                process.kill()
                await process.wait()
        self._watchers.cancel()

    async def _keep_running(self, client: Client) -> None:
        while not self._stopping:
            try:
                started = time.monotonic()
                client.process = await self._start(client)
            except OSError as error:
                log.error(f'Cannot start client "{client.command}": {error}')
                return
            code = await client.process.wait()
            if self._stopping:
                return
            _log_exit(client, code)
            if code == DO_NOT_RESPAWN:
                return
            if time.monotonic() - started < self.fast_run_s:
                client.fast_respawns += 1
            else:
                client.fast_respawns = 0
            if client.fast_respawns > MAX_FAST_RESPAWNS:
                log.error(f'Client {client.command} "respawning too fast"')
                return
            log.info(f'Respawning client "{client.command}":')

    async def _start(self, client: Client) -> asyncio.subprocess.Process:
        account = pwd.getpwnam(client.child.user)
        argv = [client.child.command, *client.child.arguments]
        if account.pw_uid != os.getuid():
            # setpriv (util-linux) switches user and groups, then execs the client under the
            # same pid; uvloop's subprocess support has no user/group arguments.
            argv = [
                "setpriv",
                f"--reuid={account.pw_uid}",
                f"--regid={account.pw_gid}",
                "--init-groups",
                "--",
                *argv,
            ]
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=self.environment,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        log.info(
            f'Starting "{client.command}" as uid {account.pw_uid} gid {account.pw_gid} '
            f"(pid {process.pid})"
        )
        return process


def _is_ipfail(child: ClientChild) -> bool:
    return os.path.basename(child.command) == "ipfail"


def _log_exit(client: Client, code: int) -> None:
    pid = client.process.pid if client.process is not None else 0
    if code < 0:
        log.warning(f"Client {client.command} (pid={pid}) killed by signal {-code}.")
    else:
        log.info(f"Client {client.command} exited with return code {code}.")

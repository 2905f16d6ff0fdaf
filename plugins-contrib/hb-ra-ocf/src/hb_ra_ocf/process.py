"""Running one agent action: no shell, stdin from /dev/null, its own process group, a timeout
after which the group is killed, and its output (stdout and stderr together) kept up to a limit.

The action ends when the agent exits, not when its pipe closes: a start often leaves a daemon
holding the agent's output, and waiting for that would hang until the daemon stops. The pipe
is closed only once that daemon lets go of it, so a late write does not kill it with SIGPIPE.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

OUTPUT_LIMIT = 64 * 1024
"""Bytes of output kept per action; what follows is dropped (and said so)."""
DRAIN_SECONDS = 0.5
"""After the agent exits, how long output still in the pipe is waited for."""
KILL_GRACE_SECONDS = 2.0
"""After a timeout, how long SIGTERM has before the process group gets SIGKILL."""


@dataclass(frozen=True)
class Completed:
    """One run: the exit status (128 + N for death by signal N; None when it overran its
    timeout and was killed) and the output."""

    returncode: int | None
    output: str


async def run(argv: Sequence[str], env: Mapping[str, str], timeout: float) -> Completed:
    """Run ``argv`` with ``env``; kill its process group after ``timeout`` seconds.

    Raises ``OSError`` when the program cannot be executed. A cancelled caller kills the
    group before the cancellation goes on.
    """
    loop = asyncio.get_running_loop()
    agent = _Agent(loop)
    spawning = asyncio.ensure_future(
        loop.subprocess_exec(
            lambda: agent,
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,
        )
    )
    try:
        transport, _ = await asyncio.shield(spawning)
    except asyncio.CancelledError:
        # asyncio, cancelled while it starts a process, waits until the process has exited
        # and its pipe is closed: for ever, with a child that holds it. Its group dies the
        # moment it exists instead.
        agent.abandon()
        raise
    group = transport.get_pid()
    try:
        done, _ = await asyncio.wait([agent.exited], timeout=timeout)
        if not done:
            await _terminate(group, agent)
        await asyncio.wait([agent.drained], timeout=DRAIN_SECONDS)
    except asyncio.CancelledError:
        _signal(group, signal.SIGKILL)
        raise
    finally:
        agent.finished.add_done_callback(lambda _: transport.close())
    returncode = transport.get_returncode() if done else None
    if returncode is not None and returncode < 0:
        returncode = 128 - returncode
    return Completed(returncode, agent.output())


async def _terminate(group: int, agent: _Agent) -> None:
    """SIGTERM to the group, SIGKILL after a grace; the wait after SIGKILL is bounded too (a
    process stuck in the kernel outlives it), since the action has failed either way."""
    _signal(group, signal.SIGTERM)
    await asyncio.wait([agent.exited], timeout=KILL_GRACE_SECONDS)
    _signal(group, signal.SIGKILL)
    await asyncio.wait([agent.exited], timeout=KILL_GRACE_SECONDS)


def _signal(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)


class _Agent(asyncio.SubprocessProtocol):
    """Keeps the output and tells when the agent exited and when its pipe closed (asyncio's
    ``Process.wait()`` waits for the pipe too)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.exited: asyncio.Future[None] = loop.create_future()
        self.drained: asyncio.Future[None] = loop.create_future()
        self.finished: asyncio.Future[None] = loop.create_future()
        self._chunks: list[bytes] = []
        self._size = 0
        self._dropped = False
        self._transport: asyncio.SubprocessTransport | None = None
        self._abandoned = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.SubprocessTransport, transport)
        if self._abandoned:
            self._kill_group()

    def abandon(self) -> None:
        """Nobody waits for the agent any more (the caller was cancelled while it started):
        kill its process group now, or as soon as it exists, and close its transport once it
        is done."""
        self._abandoned = True
        if self._transport is not None:
            self._kill_group()

    def _kill_group(self) -> None:
        transport = self._transport
        assert transport is not None
        _signal(transport.get_pid(), signal.SIGKILL)
        self.finished.add_done_callback(lambda _: transport.close())

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        room = OUTPUT_LIMIT - self._size
        if len(data) > room:
            self._dropped = True
            data = data[: max(room, 0)]
        self._chunks.append(data)
        self._size += len(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        _settle(self.drained)
        self._check_finished()

    def process_exited(self) -> None:
        _settle(self.exited)
        self._check_finished()

    def output(self) -> str:
        text = b"".join(self._chunks).decode(errors="replace").rstrip()
        return f"{text}\n[output beyond {OUTPUT_LIMIT} bytes dropped]" if self._dropped else text

    def _check_finished(self) -> None:
        if self.exited.done() and self.drained.done():
            _settle(self.finished)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)

"""Running one script action: a subprocess without a shell, in its own process group, with a
timeout, its output logged line by line as it arrives and captured for the caller.

Output is read from pipes rather than waited for at the end, so a script that talks for two
minutes before it fails shows its progress in the log. A start script often leaves a daemon
behind that still holds the script's stdout; the action ends when the script exits (plus a
short drain), and the daemon's later lines are still logged until it closes the pipe, as
heartbeat's debug log would have received them.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

OUTPUT_LIMIT = 1 << 20
"""Bytes of output kept and logged per stream; a runaway script is not allowed to fill memory
or the log."""
LINE_LIMIT = 16384
"""A line longer than this is cut into pieces rather than buffered without end."""
DRAIN_SECONDS = 1.0
"""After the script exits, how long to wait for output still in the pipes."""
KILL_GRACE_SECONDS = 2.0
"""After a timeout, how long SIGTERM has before the process group gets SIGKILL."""

LineSink = Callable[[str, str], None]
"""Called with the stream name (``stdout`` or ``stderr``) and one line, without its newline."""

_STREAMS = {1: "stdout", 2: "stderr"}


@dataclass(frozen=True)
class Completed:
    """What one run of a script produced."""

    returncode: int | None
    """The exit status as a shell reports it (128 + N for death by signal N); None when the
    script overran its timeout and was killed."""
    stdout: str
    stderr: str

    def output(self) -> str:
        """stdout then stderr, for error messages."""
        return "\n".join(text for text in (self.stdout, self.stderr) if text)


async def run(
    argv: Sequence[str],
    env: Mapping[str, str],
    timeout: float,
    on_line: LineSink,
    drain: float = DRAIN_SECONDS,
) -> Completed:
    """Run ``argv`` with ``env`` and stdin from /dev/null; kill its group after ``timeout`` s.

    Raises ``OSError`` when the program cannot be executed at all. If the caller is
    cancelled, the process group is killed before the cancellation goes on.
    """
    script = _ScriptProtocol(asyncio.get_running_loop(), on_line)
    spawning = asyncio.ensure_future(_spawn(argv, env, script))
    try:
        transport = await asyncio.shield(spawning)
    except asyncio.CancelledError:
        # asyncio, cancelled while it starts a process, waits until the process has exited
        # and its pipes are closed: for ever, with a child that holds them. Its group dies
        # the moment it exists instead.
        script.abandon()
        raise
    pgid = transport.get_pid()
    try:
        done, _ = await asyncio.wait([script.exited], timeout=timeout)
        if not done:
            await _terminate(pgid, script)
        await asyncio.wait([script.drained], timeout=drain)
    except asyncio.CancelledError:
        _signal_group(pgid, signal.SIGKILL)
        raise
    finally:
        # The pipes are closed once whoever holds them (a daemon, maybe) lets go; closing
        # them earlier would kill that daemon with SIGPIPE on its next write.
        script.finished.add_done_callback(lambda _: transport.close())
    returncode = transport.get_returncode() if done else None
    if returncode is not None and returncode < 0:
        returncode = 128 - returncode
    stdout, stderr = (capture.detach() for capture in script.captures.values())
    return Completed(returncode, stdout, stderr)


async def _spawn(
    argv: Sequence[str], env: Mapping[str, str], script: _ScriptProtocol
) -> asyncio.SubprocessTransport:
    try:
        return await _exec(argv, env, script)
    except OSError as error:
        if error.errno != errno.ENOEXEC:
            raise
    # A script without a #! line: the shell ResourceManager ran it from would have handed it
    # to sh, and so do we. The arguments still reach it as they are.
    return await _exec(["/bin/sh", *argv], env, script)


async def _exec(
    argv: Sequence[str], env: Mapping[str, str], script: _ScriptProtocol
) -> asyncio.SubprocessTransport:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.subprocess_exec(
        lambda: script,
        *argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
    )
    return transport


async def _terminate(pgid: int, script: _ScriptProtocol) -> None:
    """SIGTERM to the script's process group, SIGKILL to what is left after a grace.

    Not even SIGKILL ends a process stuck in the kernel (a dead NFS mount), so the wait after
    it is bounded too: the action has failed either way, and is reported now.
    """
    _signal_group(pgid, signal.SIGTERM)
    await asyncio.wait([script.exited], timeout=KILL_GRACE_SECONDS)
    _signal_group(pgid, signal.SIGKILL)
    await asyncio.wait([script.exited], timeout=KILL_GRACE_SECONDS)


def _signal_group(pgid: int, signum: int) -> None:
    # The group may already be gone; start_new_session made the script its leader.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


class _ScriptProtocol(asyncio.SubprocessProtocol):
    """Feeds the script's pipes to captures and tells when it exited and when the pipes
    closed. asyncio's own ``Process.wait()`` (Python 3.11) waits for the pipes too, which a
    daemon may hold for ever."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_line: LineSink) -> None:
        self.captures = {fd: _Capture(name, on_line) for fd, name in _STREAMS.items()}
        self.exited: asyncio.Future[None] = loop.create_future()
        self.drained: asyncio.Future[None] = loop.create_future()
        self.finished: asyncio.Future[None] = loop.create_future()
        self._open = set(_STREAMS)
        self._transport: asyncio.SubprocessTransport | None = None
        self._abandoned = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.SubprocessTransport, transport)
        if self._abandoned:
            self._kill_group()

    def abandon(self) -> None:
        """Nobody waits for the script any more (the caller was cancelled while it started):
        kill its process group now, or as soon as it exists, and close its transport once it
        is done."""
        self._abandoned = True
        if self._transport is not None:
            self._kill_group()

    def _kill_group(self) -> None:
        transport = self._transport
        assert transport is not None
        _signal_group(transport.get_pid(), signal.SIGKILL)
        self.finished.add_done_callback(lambda _: transport.close())

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd in self.captures:
            self.captures[fd].feed(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd in self.captures:
            self.captures[fd].end()
        self._open.discard(fd)
        if not self._open:
            _settle(self.drained)
            self._check_finished()

    def process_exited(self) -> None:
        _settle(self.exited)
        self._check_finished()

    def _check_finished(self) -> None:
        if self.exited.done() and self.drained.done():
            _settle(self.finished)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Capture:
    """One pipe cut into lines: each line is logged, and kept until ``detach``."""

    def __init__(self, name: str, on_line: LineSink) -> None:
        self._name = name
        self._on_line = on_line
        self._pending = b""
        self._lines: list[str] = []
        self._size = 0
        self._detached = False

    def feed(self, data: bytes) -> None:
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            self._line(line)
        while len(self._pending) > LINE_LIMIT:
            self._line(self._pending[:LINE_LIMIT])
            self._pending = self._pending[LINE_LIMIT:]

    def end(self) -> None:
        if self._pending:
            self._line(self._pending)
            self._pending = b""

    def detach(self) -> str:
        """The lines read so far; later lines are still logged but no longer kept."""
        self._detached = True
        return "\n".join(self._lines)

    def _line(self, raw: bytes) -> None:
        if self._size >= OUTPUT_LIMIT:
            return
        self._size += len(raw) + 1
        text = raw.decode(errors="replace").rstrip("\r")
        if self._size >= OUTPUT_LIMIT:
            text += f" [output beyond {OUTPUT_LIMIT} bytes dropped]"
        self._on_line(self._name, text)
        if not self._detached:
            self._lines.append(text)

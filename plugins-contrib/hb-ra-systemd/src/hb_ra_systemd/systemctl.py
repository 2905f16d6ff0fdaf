"""Running ``systemctl``: an asyncio subprocess with a timeout, its output captured.

``systemctl`` is the first one on the agents' ``PATH``. It starts nothing that holds its
output open (the unit's processes are systemd's children, not its), so waiting for its pipes
to close is waiting for it to exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SYSTEMCTL = "systemctl"
OUTPUT_LIMIT = 64 * 1024
"""Bytes of output kept per stream."""


@dataclass(frozen=True)
class Completed:
    """One run: its exit status (None when it overran its timeout and was killed), its
    standard output and standard error."""

    returncode: int | None
    stdout: str
    stderr: str

    def output(self) -> str:
        """Both streams, for messages."""
        return "\n".join(text for text in (self.stdout, self.stderr) if text)


async def systemctl(
    arguments: Sequence[str], env: Mapping[str, str], timeout: float | None
) -> Completed:
    """``systemctl ARGUMENTS`` with ``env``; killed after ``timeout`` seconds (None: no
    limit). Raises ``OSError`` when there is no ``systemctl`` to run."""
    child = await asyncio.create_subprocess_exec(
        SYSTEMCTL,
        *arguments,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
    )
    try:
        stdout, stderr = await asyncio.wait_for(_read_both(child), timeout)
    except TimeoutError:
        _kill(child.pid)
        await child.wait()
        return Completed(None, "", "")
    except asyncio.CancelledError:
        _kill(child.pid)
        raise
    await child.wait()
    return Completed(child.returncode, stdout, stderr)


async def _read_both(child: asyncio.subprocess.Process) -> tuple[str, str]:
    assert child.stdout is not None and child.stderr is not None
    stdout, stderr = await asyncio.gather(_read(child.stdout), _read(child.stderr))
    return stdout, stderr


async def _read(stream: asyncio.StreamReader) -> str:
    kept = bytearray()
    while chunk := await stream.read(65536):
        kept += chunk[: max(OUTPUT_LIMIT - len(kept), 0)]
    return kept.decode(errors="replace").strip()


def _kill(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)

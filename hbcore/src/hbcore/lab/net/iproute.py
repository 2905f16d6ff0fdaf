"""The lab's only door to iproute2: namespaces and batches of ``ip`` commands.

Every call raises :class:`LabCommandError` with the command and iproute2's message on failure.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

NETNS_DIR = Path("/run/netns")


class LabCommandError(RuntimeError):
    """A helper command (ip, nft, nsenter...) failed; the message holds its argv and stderr."""


def run_checked(argv: Sequence[str], stdin: str | None = None, timeout: float = 30.0) -> str:
    """Run ``argv`` to completion and return its stdout; raise :class:`LabCommandError`."""
    result = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise LabCommandError(
            f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}"
        )
    return result.stdout


def ip_batch(commands: Sequence[str], netns: str | None = None) -> None:
    """Run ``ip`` commands (without the leading ``ip``) in one process, in ``netns`` if given.
    The batch stops at the first failing command."""
    if not commands:
        return
    prefix = ["ip", "-n", netns] if netns else ["ip"]
    run_checked([*prefix, "-batch", "-"], stdin="\n".join(commands) + "\n")


def netns_list() -> list[str]:
    """Names of every named network namespace on the machine."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(path.name for path in NETNS_DIR.iterdir())


def netns_exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def netns_add(names: Sequence[str]) -> None:
    """Create the namespaces ``names`` (all in one ``ip`` process)."""
    ip_batch([f"netns add {name}" for name in names])


def netns_delete(name: str) -> None:
    """Delete namespace ``name`` if it exists. Its interfaces go with it once no process and no
    socket holds it any more."""
    if netns_exists(name):
        run_checked(["ip", "netns", "delete", name])


def netns_exec_argv(netns: str, argv: Sequence[str]) -> list[str]:
    """``argv`` prefixed to run inside ``netns`` (with its own /sys, as ``ip netns exec`` does)."""
    return ["ip", "netns", "exec", netns, *argv]

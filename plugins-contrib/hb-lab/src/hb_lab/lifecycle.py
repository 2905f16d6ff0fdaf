"""A lab's life: its unique prefix, its state on disk, its teardown however its owner ends, and
the sweep of labs whose owner died.

Prefixes are ``hbl`` + 6 hex digits, unique per lab. Namespaces are ``<prefix>-<role>`` (at most
13 characters), so every name the lab creates fits an interface name's 15.

Each lab owns ``<root>/<prefix>/`` (default root ``/run/hb-lab``): ``state.json`` plus the
nodes' private directories. The state is written before any namespace exists and removed last,
so a lab never exists without its state file, and another process can show it or tear it down.

Teardown kills every process in the lab's namespaces by PID (nothing else can be hit: see
:mod:`hb_lab.netns`), deletes the namespaces (their veths, bridges and nftables tables go with
them), then removes the lab's directory. Mounts need no unmounting: they live only in the
anchors' mount namespaces, which vanish with their last process. Every step tolerates a lab
that is already half gone, so teardown can be repeated and can race another teardown; a step
that fails does not stop the later ones.

An owned lab is torn down however the owning process ends: normally, by exception, on SIGTERM
or SIGHUP (turned into SystemExit so ``with`` blocks and atexit run), or at interpreter exit. A
SIGKILLed owner cannot clean up: the next lab's stale sweep does it instead.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hb_lab.netns import LabCommandError, kill_all, netns_delete, netns_list
from hb_lab.nullmodem import SerialCable
from hb_lab.wiring import LabSpec

FAMILY = "hbl"
_NETNS = re.compile(rf"^({FAMILY}[0-9a-f]{{6}})-[a-z0-9]+$")
_PREFIX = re.compile(rf"^{FAMILY}[0-9a-f]{{6}}$")


def new_prefix(taken: set[str]) -> str:
    """A prefix not in ``taken``."""
    while True:
        prefix = f"{FAMILY}{secrets.token_hex(3)}"
        if prefix not in taken:
            return prefix


def prefix_of_netns(netns: str) -> str | None:
    """The lab prefix of a namespace name, or None if no lab made it."""
    match = _NETNS.match(netns)
    return match.group(1) if match else None


def is_prefix(name: str) -> bool:
    return _PREFIX.match(name) is not None


# -- identity of a process -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessIdentity:
    """``pid`` as started at ``start_ticks`` (field 22 of ``/proc/PID/stat``)."""

    pid: int
    start_ticks: int

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity | None:
        """The identity of running process ``pid``, or None if there is none."""
        ticks = _start_ticks(pid)
        return None if ticks is None else cls(pid, ticks)

    @classmethod
    def current(cls) -> ProcessIdentity:
        identity = cls.of(os.getpid())
        assert identity is not None
        return identity

    def alive(self) -> bool:
        """True while this very process (not a later one with the same PID) exists."""
        return _start_ticks(self.pid) == self.start_ticks


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[19])


# -- state on disk ---------------------------------------------------------------------------------

STATE_ROOT = Path("/run/hb-lab")
STATE_FILE = "state.json"


@dataclass
class LabState:
    """What a lab needs to be found again.

    :param owner: the process whose exit tears the lab down; None for a detached lab (made by
        ``hb lab up``), which lives until ``hb lab down``.
    :param anchors: node name -> PID of its anchor.
    """

    name: str
    prefix: str
    directory: Path
    spec: LabSpec
    owner: ProcessIdentity | None
    anchors: dict[str, int] = field(default_factory=dict)
    cables: list[SerialCable] = field(default_factory=list)

    def save(self) -> None:
        """Write the state atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{STATE_FILE}.tmp"
        temporary.write_text(json.dumps(self._as_json(), indent=2))
        os.replace(temporary, self.directory / STATE_FILE)

    def _as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "directory": str(self.directory),
            "spec": asdict(self.spec),
            "owner": None if self.owner is None else asdict(self.owner),
            "anchors": self.anchors,
            "cables": [asdict(cable) for cable in self.cables],
        }

    @classmethod
    def load(cls, directory: Path) -> LabState | None:
        """The state in ``directory``, or None if it is missing or unreadable."""
        try:
            data = json.loads((directory / STATE_FILE).read_text())
            return cls(
                name=data["name"],
                prefix=data["prefix"],
                directory=Path(data["directory"]),
                spec=LabSpec.from_json(data["spec"]),
                owner=None if data["owner"] is None else ProcessIdentity(**data["owner"]),
                anchors={str(k): int(v) for k, v in data["anchors"].items()},
                cables=[SerialCable(**cable) for cable in data["cables"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def stale(self) -> bool:
        """True if the lab's owner has exited without tearing it down."""
        return self.owner is not None and not self.owner.alive()


def all_states(root: Path = STATE_ROOT) -> list[LabState]:
    """Every readable lab state under ``root``."""
    if not root.is_dir():
        return []
    states = (LabState.load(directory) for directory in sorted(root.iterdir()))
    return [state for state in states if state is not None]


def find_state(name: str, root: Path = STATE_ROOT) -> LabState | None:
    """The lab called ``name`` (or with prefix ``name``), if any."""
    for state in all_states(root):
        if name in (state.name, state.prefix):
            return state
    return None


# -- teardown --------------------------------------------------------------------------------------


def lab_namespaces(prefix: str) -> list[str]:
    """The namespaces on the machine that belong to the lab ``prefix``, the switch last (it
    holds the bridges the members' veths hang off)."""
    mine = [name for name in netns_list() if prefix_of_netns(name) == prefix]
    return sorted(mine, key=lambda name: name.endswith("-sw"))


def teardown(prefix: str, directory: Path) -> None:
    """Remove every trace of lab ``prefix``: processes, namespaces, then ``directory``."""
    namespaces = lab_namespaces(prefix)
    failures: list[Exception] = []
    # Carry on past a failing step, so one stuck process never leaves the rest behind.
    for netns in namespaces:
        try:
            kill_all(netns)
        except TimeoutError as error:
            failures.append(error)
    for netns in namespaces:
        try:
            netns_delete(netns)
        except LabCommandError as error:
            failures.append(error)
    shutil.rmtree(directory, ignore_errors=True)
    if failures:
        raise LabCommandError(f"lab {prefix} not fully torn down: {failures}")


def sweep_stale(root: Path = STATE_ROOT) -> list[str]:
    """Tear down labs of our family whose owner has exited, and namespaces of our family that
    no state claims; return the prefixes removed. Detached labs and live owners' labs stay."""
    prefixes = {prefix for name in netns_list() if (prefix := prefix_of_netns(name))}
    if root.is_dir():
        prefixes |= {entry.name for entry in root.iterdir() if is_prefix(entry.name)}
    removed = []
    for prefix in sorted(prefixes):
        directory = root / prefix
        state = LabState.load(directory)
        if state is None and directory.is_dir() and _recent(directory):
            continue  # a lab being created right now writes its state in a moment
        if state is None or state.stale():
            teardown(prefix, directory)
            removed.append(prefix)
    return removed


def _recent(directory: Path, seconds: float = 60.0) -> bool:
    try:
        return time.time() - directory.stat().st_mtime < seconds
    except FileNotFoundError:
        return False


# -- owned labs: torn down at exit -----------------------------------------------------------------

_live: dict[str, Callable[[], None]] = {}
_lock = threading.Lock()
_installed = False


def protect(prefix: str, take_down: Callable[[], None]) -> None:
    """Run ``take_down`` at exit unless :func:`release` is called for ``prefix`` first."""
    global _installed
    with _lock:
        _live[prefix] = take_down
        if _installed:
            return
        _installed = True
    atexit.register(_teardown_all)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        # Only replace the default action, and only from the main thread (where it is allowed);
        # a host program's own handler stays in charge.
        with contextlib.suppress(ValueError):
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _exit_on_signal)


def release(prefix: str) -> None:
    """Forget ``prefix``: its lab is down, or no longer this process's to tear down."""
    with _lock:
        _live.pop(prefix, None)


def _exit_on_signal(sig: int, _frame: FrameType | None) -> None:
    sys.exit(128 + sig)


def _teardown_all() -> None:
    with _lock:
        pending = list(_live.values())
        _live.clear()
    for take_down in pending:
        take_down()

"""Taking a lab apart, whoever made it, and sweeping labs whose owner died.

Teardown kills every process in the lab's namespaces by PID (nothing else can be hit: see
``net.pids``), deletes the namespaces (their veths, bridges and nftables tables go with them),
then removes the lab's directory. Mounts need no unmounting: they live only in the anchors'
mount namespaces, which vanish with their last process. Every step tolerates a lab that is
already half gone, so teardown can be repeated and can race another teardown; a step that fails
does not stop the later ones.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from hbcore.lab.lifecycle.naming import is_prefix, prefix_of_netns
from hbcore.lab.lifecycle.state import STATE_ROOT, LabState
from hbcore.lab.net.iproute import LabCommandError, netns_delete, netns_list
from hbcore.lab.net.pids import kill_all


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

"""A node's private directories and where the node sees them.

Each node gets its own copy of the directories heartbeat (and hb, which replaces it in place)
uses at their default paths. Inside the node they are bind-mounted over the real paths, so the
node process needs no path options; outside, the lab reads and writes them directly.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# (directory under the node's root, path the node sees). /run comes last: once it is mounted
# over, the sources of later mounts (under the lab's /run/hb-lab) would be hidden.
BIND_MOUNTS: tuple[tuple[str, str], ...] = (
    ("etc-ha.d", "/etc/ha.d"),
    ("var-lib-heartbeat", "/var/lib/heartbeat"),
    ("var-log", "/var/log"),
    ("run", "/run"),
)

# Files of an installed /etc/ha.d that belong to one cluster, never copied into a node.
_CLUSTER_FILES = frozenset({"ha.cf", "haresources", "authkeys"})


@dataclass(frozen=True)
class NodeDirs:
    """The host side of a node's private directories, all under ``root``."""

    root: Path

    @property
    def ha_d(self) -> Path:
        return self.root / "etc-ha.d"

    @property
    def log(self) -> Path:
        return self.root / "var-log"

    @property
    def run(self) -> Path:
        return self.root / "run"

    def mounts(self) -> list[tuple[Path, str]]:
        """(host directory, path inside the node) in mount order."""
        return [(self.root / name, target) for name, target in BIND_MOUNTS]

    def outside(self, inside: str) -> Path:
        """The host path of ``inside``, a path as the node sees it (``/var/log/ha-log``)."""
        for name, target in sorted(BIND_MOUNTS, key=lambda item: -len(item[1])):
            if inside == target or inside.startswith(target + "/"):
                return self.root / name / os.path.relpath(inside, target)
        raise ValueError(f"{inside} is not in a node's private directories")


def seed(dirs: NodeDirs) -> None:
    """Create the node's directories as a freshly installed machine has them.

    ``/etc/ha.d`` copies the installed scripts (resource.d, rc.d, harc, shellfuncs) but no
    cluster file; ``/var/lib/heartbeat`` copies the installed sub-directories with their owners
    but none of the state files at its top (hb_uuid, hostcache...), so each node gets its own
    uuid; ``/run`` starts with ``lock`` and ``shm`` as after boot.
    """
    for _name, target in BIND_MOUNTS:
        # The node's mounts need their mount points; an hb-only machine may lack these two.
        Path(target).mkdir(parents=True, exist_ok=True)
    for source, _target in dirs.mounts():
        source.mkdir(parents=True, exist_ok=True)
    _copy_entries(Path("/etc/ha.d"), dirs.ha_d, lambda entry: entry.name not in _CLUSTER_FILES)
    _copy_entries(Path("/var/lib/heartbeat"), dirs.root / "var-lib-heartbeat", Path.is_dir)
    lock = dirs.run / "lock"
    lock.mkdir(exist_ok=True)
    lock.chmod(0o1777)
    (dirs.run / "shm").symlink_to("/dev/shm")


def _copy_entries(source: Path, destination: Path, keep: Callable[[Path], bool]) -> None:
    if not source.is_dir():
        return
    entries = [str(entry) for entry in sorted(source.iterdir()) if keep(entry)]
    if entries:
        # cp -a keeps owners and modes (hacluster-owned dirs), which shutil cannot do in one go.
        subprocess.run(["cp", "-a", *entries, str(destination)], check=True)

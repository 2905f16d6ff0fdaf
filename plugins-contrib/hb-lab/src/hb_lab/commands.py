"""What runs on a node: a pluggable command, with hb and the real heartbeat 3.0.6 as choices.

A :class:`NodeCommand` prepares the node's private directories, then names the argv that the
lab runs inside the node's namespaces: :class:`HbCommand` (``hb start --foreground``),
:class:`HeartbeatCommand`, or any command line through :class:`TemplateCommand`.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hb_lab.node import NodeDirs

HB = Path(sys.executable).with_name("hb")
"""The hb of this interpreter (its virtualenv's), with the plugins this process has."""
HEARTBEAT = Path("/usr/libexec/heartbeat/heartbeat")


class NodeCommand(Protocol):
    """The process a node runs."""

    def prepare(self, dirs: NodeDirs) -> None:
        """Create what the process expects in the node's directories (before every start)."""
        ...

    def argv(self, node: str) -> list[str]:
        """The argv to run on node ``node``, with paths as the node sees them."""
        ...


@dataclass(frozen=True)
class TemplateCommand:
    """A shell-like command line; ``{node}`` is replaced by the node's name. It runs from
    ``/`` inside the node, so give the program as an absolute path or a name on ``PATH``.

    ``TemplateCommand("hb start --foreground --node-name {node}")``
    """

    template: str

    def prepare(self, dirs: NodeDirs) -> None:
        """Nothing to prepare: the command owns its directories."""

    def argv(self, node: str) -> list[str]:
        return shlex.split(self.template.format(node=node))


@dataclass(frozen=True)
class HbCommand:
    """An hb node in the foreground: ``hb start --foreground``. It finds its node name
    (``uname -n``), ``/etc/ha.d`` and state at the node's own paths, and inherits the plugin
    selection (``HB_PLUGINS``, ``HB_DISABLE_PLUGINS``) of the process that starts it."""

    binary: Path = HB

    def prepare(self, dirs: NodeDirs) -> None:
        """Nothing to prepare: hb creates its state and run directories."""

    def argv(self, node: str) -> list[str]:
        return [str(self.binary), "start", "--foreground"]


@dataclass(frozen=True)
class HeartbeatCommand:
    """The real heartbeat 3.0.6 daemon (Debian package ``heartbeat``), which forks into the
    background and writes ``/run/heartbeat.pid``."""

    binary: Path = HEARTBEAT

    def prepare(self, dirs: NodeDirs) -> None:
        """The /run directories the package's tmpfiles.d creates at boot."""
        if not self.binary.exists():
            raise FileNotFoundError(f"{self.binary} missing: apt-get install heartbeat")
        uid = pwd.getpwnam("hacluster").pw_uid
        gid = grp.getgrnam("haclient").gr_gid
        for sub in ("heartbeat", "heartbeat/ccm", "heartbeat/crm", "heartbeat/dopd", "crm"):
            _mkdir(dirs.run / sub, 0o750, uid, gid)
        _mkdir(dirs.run / "resource-agents", 0o1755, 0, 0)

    def argv(self, node: str) -> list[str]:
        return [str(self.binary)]


def _mkdir(path: Path, mode: int, uid: int, gid: int) -> None:
    path.mkdir(exist_ok=True)
    os.chown(path, uid, gid)
    path.chmod(mode)

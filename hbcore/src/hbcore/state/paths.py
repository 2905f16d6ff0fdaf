"""Where a node keeps its files. The defaults are heartbeat's own, so hb replaces heartbeat in
place; every path can be overridden so that several nodes share one machine in the lab."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_CONFIG_DIR = Path("/etc/ha.d")
DEFAULT_STATE_DIR = Path("/var/lib/heartbeat")
DEFAULT_RUN_DIR = Path("/run")


@dataclass(frozen=True)
class NodePaths:
    """The directories of one node and the files in them."""

    config_dir: Path = DEFAULT_CONFIG_DIR
    state_dir: Path = DEFAULT_STATE_DIR
    run_dir: Path = DEFAULT_RUN_DIR

    @property
    def generation_file(self) -> Path:
        """heartbeat's ``hb_generation``: the restart counter."""
        return self.state_dir / "hb_generation"

    @property
    def uuid_file(self) -> Path:
        """heartbeat's ``hb_uuid``: 16 raw bytes naming this node."""
        return self.state_dir / "hb_uuid"

    @property
    def pid_file(self) -> Path:
        """The daemon's pid file (heartbeat's is ``/run/heartbeat.pid``)."""
        return self.run_dir / "heartbeat.pid"

    @property
    def control_socket(self) -> Path:
        """The unix socket ``hb status``, ``hb standby`` and ``hb stop`` talk to."""
        return self.run_dir / "hb" / "control.sock"

"""A lab's state on disk, so that another process can show it or tear it down.

Each lab owns ``<root>/<prefix>/`` (default root ``/run/hb-lab``): ``state.json`` plus the
nodes' private directories. The state is written before any namespace exists and removed
last, so a lab never exists without its state file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hbcore.lab.lifecycle.identity import ProcessIdentity
from hbcore.lab.serial.cable import SerialCable
from hbcore.lab.spec import LabSpec

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

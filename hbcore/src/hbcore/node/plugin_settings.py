"""The read-only view of the configuration that plugin factories get (``Settings``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hbcore.config.hacf import HaCf


class PluginSettings:
    """``hb_hookspecs.Settings`` over a parsed ha.cf."""

    def __init__(self, hacf: HaCf, node_name: str, config_dir: Path) -> None:
        self._hacf = hacf
        self._node_name = node_name
        self._config_dir = config_dir

    @property
    def node_name(self) -> str:
        return self._node_name

    @property
    def config_dir(self) -> Path:
        return self._config_dir

    def value(self, directive: str) -> object:
        return self._hacf.value(directive)

    def values(self, directive: str) -> Sequence[object]:
        return self._hacf.values(directive)

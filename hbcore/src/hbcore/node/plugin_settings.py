"""The view of the configuration that plugin factories get (``hb_hookspecs.Settings``)."""

from __future__ import annotations

from pathlib import Path

from hb_hookspecs import Settings

from hbcore.config.hacf import HaCf


class PluginSettings(Settings):
    """``hb_hookspecs.Settings`` over a parsed ha.cf, for this node."""

    def __init__(self, hacf: HaCf, node_name: str, config_dir: Path) -> None:
        super().__init__(node_name, config_dir, hacf.given)

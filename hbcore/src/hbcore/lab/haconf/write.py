"""Writing the rendered files into a node's ha.d directory with heartbeat's modes."""

from __future__ import annotations

import os
from pathlib import Path

from hbcore.lab.haconf.model import ClusterConfig, NodeFacts
from hbcore.lab.haconf.render import render_authkeys, render_ha_cf, render_haresources


def write_ha_d(ha_d: Path, config: ClusterConfig, node: NodeFacts) -> None:
    """Write ha.cf and haresources (0644) and authkeys (0600: heartbeat refuses anything
    looser) into ``ha_d``, replacing earlier versions."""
    _write(ha_d / "ha.cf", render_ha_cf(config, node), 0o644)
    _write(ha_d / "haresources", render_haresources(config), 0o644)
    _write(ha_d / "authkeys", render_authkeys(config.auth), 0o600)


def _write(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as stream:
        stream.write(text)
    os.chmod(path, mode)

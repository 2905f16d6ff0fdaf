"""The operation timeouts an OCF agent advises in its meta-data, where it is installed here.

Pacemaker gives an operation without a timeout 20 s, and its shells warn when a timeout is
below what the agent advises (``Filesystem``: 40 s to monitor, 60 s to start and stop). So an
OCF primitive gets, for ``start``, ``stop`` and ``monitor``, the timeout its token sets, else
the agent's advice where that is longer than :data:`DEFAULT_MS`. The agent's ``meta-data``
action runs once per agent, without a shell, bounded by :data:`META_DATA_TIMEOUT_S`, and only
for an agent named by plain file names under the OCF root; an agent that is missing, fails or
prints no usable XML advises nothing.
"""

from __future__ import annotations

import functools
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from hb_export_pacemaker.primitives import Primitive

DEFAULT_MS = 20_000
"""Pacemaker's timeout for an operation that names none."""
META_DATA_TIMEOUT_S = 10
ACTIONS = ("start", "stop", "monitor")
_TIME = re.compile(r"\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*")
_UNIT_MS = {None: 1000, "ms": 1, "msec": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000}
_UNIT_MS |= {"h": 3_600_000, "hr": 3_600_000}


def advised(primitive: Primitive, ocf_root: Path) -> Primitive:
    """``primitive`` with the agent's advised timeouts where its token sets none (an OCF
    primitive whose agent is installed under ``ocf_root``; any other is returned as it is)."""
    names = (primitive.provider, primitive.agent)
    if primitive.standard != "ocf" or primitive.promotable or not all(map(_plain, names)):
        return primitive
    advice = _advice(ocf_root / str(primitive.provider) / primitive.agent)
    given = dict(primitive.timeouts)
    added = [
        (action, advice[action]) for action in ACTIONS if action in advice and action not in given
    ]
    if not added:
        return primitive
    return replace(primitive, timeouts=(*primitive.timeouts, *added))


def _plain(name: str | None) -> bool:
    """A file name of one directory level: never a way out of the OCF root (a token hb-ra-ocf
    would refuse, ``ocf:heartbeat:../../../bin/rm``, must not run anything)."""
    if not name:
        return False
    return name not in (".", "..") and "/" not in name and "\0" not in name


@functools.cache
def _advice(agent: Path) -> dict[str, str]:
    """Action → timeout, for the actions whose advised timeout exceeds the default."""
    if not agent.is_file():
        return {}
    try:
        ran = subprocess.run(
            [str(agent), "meta-data"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=META_DATA_TIMEOUT_S,
            env={"OCF_ROOT": str(agent.parents[2]), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
            check=False,
        )
        actions = ET.fromstring(ran.stdout).find("actions")
    except (OSError, subprocess.SubprocessError, ET.ParseError):
        return {}
    found: dict[str, str] = {}
    for action in actions if actions is not None else ():
        name, timeout = action.get("name"), action.get("timeout")
        if name in ACTIONS and name not in found and timeout is not None:
            ms = milliseconds(timeout)
            if ms is not None and ms > DEFAULT_MS:
                found[name] = timeout.strip()
    return found


def milliseconds(text: str) -> int | None:
    """A Pacemaker time (``40s``, ``2min``, ``500ms``, ``30``: seconds) in ms, or None."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    return int(match[1]) * _UNIT_MS[match[2]]

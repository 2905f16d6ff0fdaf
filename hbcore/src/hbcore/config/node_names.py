"""Cluster node names as heartbeat compares them: lowercased, at most 99 bytes.

heartbeat lowercases every name it stores (``node`` lines, the local name, haresources node
fields), so names match case-insensitively in effect while the wire always carries lowercase.
"""

from __future__ import annotations

import os
from pathlib import Path

from hb_hookspecs.arguments import ArgumentError

HOSTLENG = 100
"""heartbeat's buffer for a node name, terminating NUL included."""

NODEINFO = "nodeinfo"
"""The file in the configuration directory that overrides ``uname -n``."""


def normalize(name: str) -> str:
    """The name as heartbeat stores and compares it."""
    return name.lower()


def node_name(text: str) -> str:
    """Parse one ``node`` token: the lowercased name, or ArgumentError when it is too long or
    holds what no host name can (bytes that are not UTF-8, control characters).

    ``text`` is the file's bytes decoded with surrogateescape, so the length is counted in the
    file's bytes, as heartbeat counts it.
    """
    if len(text.encode("utf-8", "surrogateescape")) >= HOSTLENG:
        raise ArgumentError(
            f"node name '{text}' is longer than {HOSTLENG - 1} bytes",
            "use the short host name (uname -n)",
        )
    if not text.isprintable():
        raise ArgumentError(
            f"node name '{text}' holds bytes that are not UTF-8 text, or control characters",
            "write the name as `uname -n` prints it",
        )
    return normalize(text)


def local_node_name(config_dir: Path) -> str:
    """This machine's node name: the first line of ``nodeinfo`` when it is non-empty and ends
    with a newline, else ``uname -n``; lowercased either way."""
    try:
        first = (config_dir / NODEINFO).read_text(errors="surrogateescape").splitlines(True)[0]
    except (OSError, IndexError):
        first = ""
    if first.endswith("\n") and first.strip():
        return normalize(first.rstrip("\r\n"))
    return normalize(os.uname().nodename)

"""Lab prefixes: ``hbl`` + 6 hex digits, unique per lab. Namespaces are ``<prefix>-<role>``
(at most 13 characters), so every name the lab creates fits an interface name's 15."""

from __future__ import annotations

import re
import secrets

FAMILY = "hbl"
_NETNS = re.compile(rf"^({FAMILY}[0-9a-f]{{6}})-[a-z0-9]+$")
_PREFIX = re.compile(rf"^{FAMILY}[0-9a-f]{{6}}$")


def new_prefix(taken: set[str]) -> str:
    """A prefix not in ``taken``."""
    while True:
        prefix = f"{FAMILY}{secrets.token_hex(3)}"
        if prefix not in taken:
            return prefix


def prefix_of_netns(netns: str) -> str | None:
    """The lab prefix of a namespace name, or None if no lab made it."""
    match = _NETNS.match(netns)
    return match.group(1) if match else None


def is_prefix(name: str) -> bool:
    return _PREFIX.match(name) is not None

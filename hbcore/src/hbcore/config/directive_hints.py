"""The catalogue of the built-in distributions, for the messages that say what to install: the
directives and resources each would provide when it is not loaded, and the directive heartbeat
renames.

This is the one place the core names a plugin's directives, and it holds names only: what a
directive means, how it parses and what it needs of the host live with the plugin that owns it.
A plugin that is not loaded cannot say what it would provide, so the core keeps this list to
turn "unknown" into an actionable message.
"""

from __future__ import annotations

from pathlib import Path

from hbcore.config.haresources import IPADDR_SCRIPTS

PLUGIN_DIRECTIVES: dict[str, str] = {
    "bcast": "hb-media-bcast",
    "ucast": "hb-media-ucast",
    "mcast": "hb-media-mcast",
    "serial": "hb-media-serial",
    "baud": "hb-media-serial",
    "ping": "hb-monitor-ping",
    "ping_group": "hb-monitor-ping",
    "watchdog": "hb-monitor-watchdog",
    "script_dirs": "hb-ra-script",
}
"""Directive -> the built-in distribution that owns it."""

RENAMED_DIRECTIVES: dict[str, str] = {"udp": "bcast"}
"""Old name -> the directive heartbeat reads it as (with a warning)."""


IPADDR_DISTRIBUTION = "hb-ra-ipaddr"
PREFIXED_AGENTS: dict[str, str] = {"ocf:": "hb-ra-ocf", "systemd:": "hb-ra-systemd"}
"""Resource token prefix -> the contrib distribution whose agents it names."""
SCRIPT_DISTRIBUTION = "hb-ra-script"
INIT_DIR = Path("/etc/init.d")


def is_media_distribution(distribution: str) -> bool:
    """True for distributions that provide heartbeat paths."""
    return distribution.startswith("hb-media-")


def install_hint(distribution: str) -> str:
    """How to install a distribution: by name (each one brings hbcore with it; from a
    checkout, ``make dist`` builds the wheels to install from, see docs/install.md)."""
    return f"pip install {distribution}"


def resource_distribution(script: str) -> str:
    """The distribution that would run a haresources script (``IPaddr`` for the address
    shorthand; heartbeat's own ``OCF`` wrapper is a script like any other)."""
    if script in IPADDR_SCRIPTS:
        return IPADDR_DISTRIBUTION
    for prefix, distribution in PREFIXED_AGENTS.items():
        if script.startswith(prefix):
            return distribution
    return SCRIPT_DISTRIBUTION


def heartbeat_search_path(config_dir: Path) -> tuple[Path, Path]:
    """Where the script distribution looks for a script unless told otherwise: heartbeat's
    order, ``resource.d`` of the configuration directory, then /etc/init.d."""
    return config_dir / "resource.d", INIT_DIR

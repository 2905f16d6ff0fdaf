"""Names the registry cannot know: directives of built-in plugins that are not loaded, the
directive heartbeat renames, and the distribution that handles a haresources resource.

Used only to turn "unknown" into an actionable message that names what to install.
"""

from __future__ import annotations

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
SCRIPT_DISTRIBUTION = "hb-ra-script"


def is_media_distribution(distribution: str) -> bool:
    """True for distributions that provide heartbeat paths."""
    return distribution.startswith("hb-media-")


def install_hint(distribution: str) -> str:
    """How to install a built-in distribution, from PyPI or from a checkout."""
    checkout = f"./plugins-builtin/{distribution}"
    return f"pip install {distribution} (from a checkout: pip install {checkout})"


def resource_distribution(script: str) -> str:
    """The built-in distribution that would run a haresources script (``IPaddr`` for the
    address shorthand)."""
    return IPADDR_DISTRIBUTION if script in IPADDR_SCRIPTS else SCRIPT_DISTRIBUTION

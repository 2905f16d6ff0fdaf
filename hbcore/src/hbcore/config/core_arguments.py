"""Argument parsers and value types for the directives hbcore owns.

Each parser takes one token (or, for whole-line directives, the rest of the line) and returns a
typed value or raises :class:`ArgumentError`. They are pure: nothing here looks at the host.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from hb_hookspecs.arguments import ArgumentError, boolean

AutoFailback = Literal["on", "off", "legacy"]
CrmMode = Literal["off", "on", "respawn", "manual"]

SYSLOG_FACILITIES = frozenset(
    {
        "auth",
        "authpriv",
        "cron",
        "daemon",
        "ftp",
        "kern",
        "lpr",
        "mail",
        "news",
        "security",
        "syslog",
        "user",
        "uucp",
        *(f"local{n}" for n in range(8)),
        "none",
    }
)
"""The names syslog knows (glibc's ``facilitynames``), plus ``none`` for no syslog."""


def word(text: str) -> str:
    """Any single word, as given (names, paths heartbeat does not check)."""
    return text


def auto_failback(text: str) -> AutoFailback:
    """``on``/``off`` (any heartbeat boolean) or ``legacy``."""
    if text.lower() == "legacy":
        return "legacy"
    try:
        return "on" if boolean(text) else "off"
    except ArgumentError:
        raise ArgumentError(
            f"'{text}' is not a valid auto_failback value", "use on, off or legacy"
        ) from None


def crm_mode(text: str) -> CrmMode:
    """``crm`` / ``pacemaker``: a boolean, ``respawn`` or ``manual``."""
    lowered = text.lower()
    if lowered == "respawn":
        return "respawn"
    if lowered == "manual":
        return "manual"
    try:
        return "on" if boolean(text) else "off"
    except ArgumentError:
        raise ArgumentError(
            f"'{text}' is not a valid crm value", "write 'crm no' (hb manages haresources itself)"
        ) from None


def log_facility(text: str) -> str:
    """A syslog facility name (``daemon``, ``local0`` ... ``local7``) or ``none``."""
    if text not in SYSLOG_FACILITIES:
        raise ArgumentError(
            f"Log facility({text}) not valid",
            "use a syslog facility: daemon, local0 ... local7 (or none)",
        )
    return text


def environment_setting(text: str) -> tuple[str, str]:
    """``NAME=value`` for the environment of respawned clients."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise ArgumentError(f"'{text}' is not NAME=value", "write env NAME=value")
    return (name, value)


@dataclass(frozen=True)
class ClientChild:
    """A ``respawn`` or ``failfast`` line: a program heartbeat runs as ``user``."""

    user: str
    command: str
    arguments: tuple[str, ...] = ()

    @property
    def is_ipfail(self) -> bool:
        """True for heartbeat's ipfail, wherever its binary lives (Debian moved it): hb runs
        ipfail built in, so such a line turns it on rather than naming a program to run."""
        return os.path.basename(self.command) == "ipfail"

    def __str__(self) -> str:
        return " ".join((self.user, self.command, *self.arguments))


def client_child(text: str) -> ClientChild:
    """``user /absolute/path [args...]``."""
    words = text.split()
    if len(words) < 2:
        raise ArgumentError(
            f"'{text}' names no program", "write: respawn USER /absolute/path/to/program [ARGS]"
        )
    user, command, *arguments = words
    if not command.startswith("/"):
        raise ArgumentError(
            f"client program '{command}' is not an absolute path", "write the full path from /"
        )
    return ClientChild(user, command, tuple(arguments))


@dataclass(frozen=True)
class ApiAuth:
    """An ``apiauth`` line: which users and groups may use an API client name."""

    client: str
    uids: tuple[str, ...]
    gids: tuple[str, ...]


def api_auth(text: str) -> ApiAuth:
    """``client uid=u1,u2 gid=g1,g2`` (either list may be omitted, not both)."""
    words = text.split()
    if not words:
        raise ArgumentError("apiauth names no client", "write: apiauth CLIENT uid=U1,U2 gid=G1")
    client, *settings = words
    lists: dict[str, tuple[str, ...]] = {"uid": (), "gid": ()}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or key not in lists:
            raise ArgumentError(
                f"Invalid apiauth directive [{text}]", "write: apiauth CLIENT uid=U1,U2 gid=G1"
            )
        lists[key] += tuple(part for part in value.split(",") if part)
    if not lists["uid"] and not lists["gid"]:
        raise ArgumentError(
            f"Invalid apiauth directive [{text}]", "give at least one of uid=... or gid=..."
        )
    return ApiAuth(client, lists["uid"], lists["gid"])


@dataclass(frozen=True)
class Stonith:
    """A ``stonith TYPE CONFIGFILE`` line (heartbeat's R1 STONITH)."""

    type: str
    config_file: str


def stonith(text: str) -> Stonith:
    """``type configfile``."""
    words = text.split()
    if len(words) != 2:
        raise ArgumentError(f"'{text}' is not 'TYPE CONFIGFILE'", "write: stonith TYPE /path")
    return Stonith(words[0], words[1])


@dataclass(frozen=True)
class StonithHost:
    """A ``stonith_host HOST|* TYPE PARAMS...`` line."""

    host: str
    type: str
    parameters: tuple[str, ...]


def stonith_host(text: str) -> StonithHost:
    """``host|* type params...``."""
    words = text.split()
    if len(words) < 2:
        raise ArgumentError(
            f"'{text}' is not 'HOST TYPE PARAMS'", "write: stonith_host HOST|* TYPE PARAMS..."
        )
    return StonithHost(words[0], words[1], tuple(words[2:]))

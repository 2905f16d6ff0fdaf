"""``systemd:UNIT`` tokens and the unit files that back them. Looks at files, runs nothing.

A unit name without a type (``systemd:nginx``) means the service, as ``systemctl`` and
Pacemaker's ``systemd:`` class read it. Whether the unit exists here is read from the unit
directories systemd loads from (``SYSTEMD_UNIT_PATH`` when set, as systemd honours it): a file
or link named as the unit, or the template of an instance (``getty@.service`` for
``getty@tty1.service``). A link to /dev/null is a masked unit, which cannot start.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ArgumentError, HostError
from hb_hookspecs.suggest import closest

PREFIX = "systemd:"
SEPARATOR = "::"
UNIT_NAME_MAX = 255
"""systemd's longest unit name (UNIT_NAME_MAX less its NUL)."""
UNIT_TYPES = frozenset(
    {"service", "socket", "target", "mount", "automount", "swap", "timer", "path", "slice"}
)
"""The types of unit ``systemctl start`` can start (devices and scopes it cannot)."""
DEFAULT_UNIT_PATH = (
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/run/systemd/generator.late",
    "/lib/systemd/system",
)
"""systemd's system unit search path (``systemd-analyze unit-paths``), Debian's /lib included."""
MOST_UNITS_LOOKED_AT = 4096
"""Entries read per directory for suggestions, so a huge directory cannot stall a check."""

_VALID = re.compile(r"[A-Za-z0-9:_.\\@-]+")
_FORM = "write systemd:UNIT, e.g. systemd:nginx or systemd:nginx.service"


@dataclass(frozen=True)
class UnitToken:
    """A ``systemd:UNIT`` token; ``unit`` has its type (``nginx.service``)."""

    token: str
    unit: str


def parse_token(token: str) -> UnitToken | None:
    """The token parsed, None when it is not ``systemd:...``. Raises ``ArgumentError`` for a
    malformed one (arguments, a name systemd refuses, a template without its instance)."""
    if not token.startswith(PREFIX):
        return None
    if SEPARATOR in token:
        raise ArgumentError("a systemd unit takes no arguments", _FORM)
    name = token.removeprefix(PREFIX)
    if not name or len(name) > UNIT_NAME_MAX or not _VALID.fullmatch(name):
        raise ArgumentError(
            f"'{name}' is not a systemd unit name",
            f"{_FORM} (letters, digits and :-_.\\@, at most {UNIT_NAME_MAX} characters)",
        )
    stem, dot, kind = name.rpartition(".")
    if not dot or kind not in UNIT_TYPES:
        if kind in ("device", "scope"):
            raise ArgumentError(f"a .{kind} unit cannot be started", _FORM)
        stem, kind = name, "service"
    if not stem or stem.endswith("@"):
        raise ArgumentError(
            f"'{name}' is a template, not a unit", "name an instance, e.g. getty@tty1.service"
        )
    return UnitToken(token, f"{stem}.{kind}")


def unit_path(environment: Mapping[str, str]) -> tuple[Path, ...]:
    """The directories unit files are loaded from: ``SYSTEMD_UNIT_PATH`` (of the agents'
    environment, else hb's; a trailing ``:`` appends the defaults), else systemd's defaults."""
    configured = environment.get("SYSTEMD_UNIT_PATH", os.environ.get("SYSTEMD_UNIT_PATH"))
    if configured is None:
        return tuple(Path(directory) for directory in DEFAULT_UNIT_PATH)
    directories = [directory for directory in configured.split(":") if directory]
    if configured.endswith(":"):
        directories += DEFAULT_UNIT_PATH
    return tuple(Path(directory) for directory in directories)


def check_unit(unit: str, directories: tuple[Path, ...]) -> None:
    """Raise ``HostError`` when ``unit`` has no unit file in ``directories`` or is masked."""
    for candidate in _candidates(unit):
        for directory in directories:
            path = directory / candidate
            if os.path.lexists(path):
                if _masked(path):
                    raise HostError(
                        f"systemd unit {unit} is masked ({path} links to /dev/null)",
                        f"unmask it: systemctl unmask {unit}",
                    )
                return
    fix = "install it, or correct the name (systemctl list-unit-files lists the units)"
    near = closest(unit, _units_in(directories))
    if near is not None:
        fix = f"did you mean {near}? otherwise {fix}"
    where = " ".join(str(directory) for directory in directories)
    raise HostError(f"systemd unit {unit} not found (looked in {where})", fix)


def _candidates(unit: str) -> list[str]:
    stem, _, kind = unit.rpartition(".")
    prefix, at, _ = stem.partition("@")
    return [unit, f"{prefix}@.{kind}"] if at else [unit]


def _masked(path: Path) -> bool:
    try:
        return os.path.realpath(path) == os.devnull
    except (OSError, ValueError):
        return False


def _units_in(directories: tuple[Path, ...]) -> list[str]:
    names: list[str] = []
    for directory in directories:
        try:
            with os.scandir(directory) as entries:
                for count, entry in enumerate(entries):
                    if count == MOST_UNITS_LOOKED_AT:
                        break
                    names.append(entry.name)
        except (OSError, ValueError):
            continue
    return names

"""From a haresources token to the script it names, as ResourceManager's ``canonname``,
``resource2script``, ``resource2arg`` and ``scriptpath`` do it. Looks at files, runs nothing.

The directories searched are those of ``script_dirs`` (relative ones in the configuration
directory), else heartbeat's: ``resource.d`` then /etc/init.d.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ArgumentError, HostError, Settings
from hb_hookspecs.suggest import closest

from hb_ra_script.directives import SCRIPT_DIRS

# ResourceManager's ``isip``: the case pattern [0-9]*.[0-9]*.[0-9]*.[0-9]*, whose stars match
# anything. Such a token means IPaddr::TOKEN, which is hb-ra-ipaddr's to handle.
_ADDRESS_SHORTHAND = re.compile(r"[0-9].*\.[0-9].*\.[0-9].*\.[0-9]", re.DOTALL)

ARGUMENT_SEPARATOR = "::"
NAME_MAX = 255
"""The longest file name (one path component), in bytes."""
INIT_DIR = Path("/etc/init.d")
"""Where LSB init scripts live (heartbeat's INITDIR on Debian)."""
MOST_SCRIPTS_LOOKED_AT = 4096
"""Entries read per directory for suggestions, so a huge directory cannot stall a check."""


class Style(enum.Enum):
    """Which calling convention a script follows, decided by the directory it was found in."""

    HEARTBEAT = "heartbeat"
    """A heartbeat ``resource.d`` script: ``status`` is read from its output."""
    LSB = "lsb"
    """An LSB init script (``/etc/init.d``): ``status`` is read from its exit code."""


@dataclass(frozen=True)
class ScriptToken:
    """A haresources token split into the script name and its arguments."""

    token: str
    script: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class LocatedScript:
    """The executable a token runs, and the convention it follows."""

    path: Path
    style: Style


def is_address_shorthand(token: str) -> bool:
    """True for ``192.168.85.3``-like tokens, which heartbeat reads as ``IPaddr::TOKEN``."""
    return _ADDRESS_SHORTHAND.match(token) is not None


def split_token(token: str) -> ScriptToken:
    """``maid::vacuum`` is the script ``maid`` with the argument ``vacuum``.

    Empty arguments (``a::::b``) are dropped, as the shell drops them when ResourceManager
    expands ``$arg``. A script name with a ``/`` raises ``ArgumentError``: heartbeat would look
    outside its script directories; so does one that cannot be a file name (longer than
    NAME_MAX bytes, or holding a NUL).
    """
    script, *args = token.split(ARGUMENT_SEPARATOR)
    if "/" in script:
        raise ArgumentError(
            f"resource script name '{script}' contains '/'",
            "name a script of resource.d or /etc/init.d without a directory",
        )
    if len(script.encode("utf-8", "surrogateescape")) > NAME_MAX or "\0" in script:
        raise ArgumentError(
            f"resource script name '{script}' cannot be a file name (at most {NAME_MAX} bytes, "
            "no NUL)",
            "name a script of resource.d or /etc/init.d",
        )
    return ScriptToken(token, script, tuple(arg for arg in args if arg))


def search_path(settings: Settings) -> tuple[Path, ...]:
    """The directories scripts are searched in, in order."""
    config_dir = settings.config_dir
    configured = tuple(config_dir / directory for directory in settings.values(SCRIPT_DIRS))
    return configured or (config_dir / "resource.d", INIT_DIR)


def locate(script: str, settings: Settings) -> LocatedScript | None:
    """The first regular, executable file named ``script`` in the :func:`search_path`.

    A script found in ``CONFIG_DIR/resource.d`` follows heartbeat's convention; one found in
    any other directory (``/etc/init.d``) is an LSB init script. A path that cannot be looked
    at (a directory name too long, a directory we may not search) holds no script.
    """
    resource_dir = settings.config_dir / "resource.d"
    for directory in search_path(settings):
        path = directory / script
        if _is_executable_file(path):
            style = Style.HEARTBEAT if directory == resource_dir else Style.LSB
            return LocatedScript(path, style)
    return None


def missing(script: str, settings: Settings) -> HostError:
    """ResourceManager's "Cannot locate resource script", with where it was searched and the
    script of those directories it may be a typo of."""
    directories = search_path(settings)
    fix = f"install it as an executable file in {' or '.join(str(d) for d in directories)}"
    near = closest(script, _scripts_in(directories))
    if near is not None:
        fix = f"did you mean {near}? otherwise {fix}"
    return HostError(f"Cannot locate resource script {script}", fix)


def _scripts_in(directories: tuple[Path, ...]) -> list[str]:
    """The names of the files in ``directories`` (at most :data:`MOST_SCRIPTS_LOOKED_AT` of
    each); a directory that cannot be read has none."""
    names: list[str] = []
    for directory in directories:
        try:
            with os.scandir(directory) as entries:
                for count, entry in enumerate(entries):
                    if count == MOST_SCRIPTS_LOOKED_AT:
                        break
                    names.append(entry.name)
        except (OSError, ValueError):
            continue
    return names


def _is_executable_file(path: Path) -> bool:
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except (OSError, ValueError):
        return False

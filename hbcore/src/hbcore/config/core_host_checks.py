"""The host checks of the directives hbcore owns (``check_host`` of :class:`Directive`):
``respawn`` and ``failfast`` need their user and program, ``logfile`` and ``debugfile`` a file
hb can append to.

They read the host (users, files) and never change it; see :mod:`hb_hookspecs.host`.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from pathlib import Path

from hb_hookspecs import HostProblem, Settings

from hbcore.config.core_arguments import ClientChild

LOG_DISABLED = "/dev/null"
"""The log file that turns a log off (heartbeat's convention)."""


def check_respawn(child: ClientChild, settings: Settings) -> list[HostProblem]:
    """``respawn``: the user must exist and the program be executable; heartbeat's ipfail is
    built into hb, so its path is no fact of this host."""
    problems = _user_problems(child)
    if child.is_ipfail:
        problems.append(
            HostProblem(
                f"ipfail is built into hb: {child.command} is not run",
                "keep the line (it turns hb's ipfail on) or remove it to turn ipfail off",
                warning=True,
            )
        )
        return problems
    return problems + _program_problems(child)


def check_failfast(child: ClientChild, settings: Settings) -> list[HostProblem]:
    """``failfast``: the user must exist and the program be executable."""
    return _user_problems(child) + _program_problems(child)


def _user_problems(child: ClientChild) -> list[HostProblem]:
    try:
        pwd.getpwnam(child.user)
    except (KeyError, ValueError):  # ValueError: a NUL byte, which no user name holds
        return [
            HostProblem(
                f"Invalid uid [{child.user}] specified for client child",
                f"create the user {child.user}, or name an existing one",
            )
        ]
    return []


def _program_problems(child: ClientChild) -> list[HostProblem]:
    if os.path.isfile(child.command) and os.access(child.command, os.X_OK):
        return []
    return [
        HostProblem(
            f"Client child command [{child.command}] is not executable",
            "install it or correct the path (Debian ships heartbeat's helpers in "
            "/usr/libexec/heartbeat)",
        )
    ]


def log_file_check(directive: str) -> Callable[[str, Settings], list[HostProblem]]:
    """The check of ``logfile`` or ``debugfile``: a file hb can create or append to, or the
    node would start and lose its log."""

    def check(value: str, settings: Settings) -> list[HostProblem]:
        if value == LOG_DISABLED:
            return []
        path = Path(value)
        if not path.is_absolute():
            return [
                HostProblem(
                    f"{directive} {path} is not an absolute path: the file it names depends "
                    "on the directory hb runs in",
                    "write the full path, e.g. /var/log/ha-log",
                    warning=True,
                )
            ]
        unusable = _unwritable(path)
        if unusable is None:
            return []
        problem, fix = unusable
        return [HostProblem(f"{directive} {path}: {problem}", fix)]

    return check


def _unwritable(path: Path) -> tuple[str, str] | None:
    """Why hb could not append to ``path``, and the fix; None when it could."""
    other_place = "or log elsewhere (e.g. logfile /var/log/ha-log), or to syslog alone"
    try:
        if path.exists():
            if path.is_dir():
                return "is a directory", f"name a file in it, e.g. {path / 'ha-log'}"
            if not os.access(path, os.W_OK):
                return "is not writable", f"make it writable by root, {other_place}"
            return None
        parent = path.parent
        if not parent.is_dir():
            return (
                f"the directory {parent} does not exist",
                f"create it (mkdir -p {parent}), {other_place}",
            )
        if not os.access(parent, os.W_OK):
            return f"the directory {parent} is not writable", f"fix its mode, {other_place}"
    except (OSError, ValueError) as error:
        return (
            f"cannot be checked ({error})",
            f"name a file in an existing directory, {other_place}",
        )
    return None

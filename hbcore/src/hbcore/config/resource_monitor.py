"""``resource_monitor``: hb's extension directive for monitoring the resources a node holds.

heartbeat 3.0.6 never asks a resource whether it still runs once its group is started
(haresources mode has no monitor operation; Pacemaker has). hb adds one ``ha.cf`` directive::

    resource_monitor INTERVAL [failures N] [window TIME] [timeout TIME] [group KEY]

- ``INTERVAL``: how long after the previous check each held group's agents are asked for their
  status, as a heartbeat time (``10`` is 10 s, ``500ms``); ``0`` turns monitoring off.
- ``failures N`` (default 3): the Nth failure within ``window`` gives the group up to the
  peer; each earlier one restarts the failed resource and those after it in the group.
- ``window TIME`` (default 3600, one hour): how long a failure counts. It must exceed
  ``(N - 1) x INTERVAL``, or N failures could never fall inside it.
- ``timeout TIME`` (default 60): how long one agent's status may take; longer is a failure.
  The agents' own status timeouts (30 s for a script, the meta-data's for an OCF agent)
  normally answer first; this bound is for an agent that never does. A check holds resource
  actions back (a takeover too) until its statuses have answered, so it also bounds that wait.
- ``group KEY``: the line applies to the group whose first haresources token is ``KEY``;
  without it, to every group no ``group`` line names. Each line stands alone: a value it does
  not give is the default, not another line's. For one group (or for all), the last line wins.

The directive is local to the node (it is never sent on the wire), so a heartbeat 3.0.6 peer in
a mixed cluster neither sees nor needs it. The values map onto Pacemaker's: ``op monitor
interval= timeout=``, ``migration-threshold`` (failures) and ``failure-timeout`` (window).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hb_hookspecs.arguments import ArgumentError, milliseconds
from hb_hookspecs.suggest import closest

from hbcore.config.hacf_values import DirectiveValues
from hbcore.config.haresources import HaResources
from hbcore.config.problems import Located, Problem, Severity

if TYPE_CHECKING:  # hacf.py imports the core directives, which import this module
    from hbcore.config.hacf import HaCf

NAME = "resource_monitor"
SYNTAX = "resource_monitor INTERVAL [failures N] [window TIME] [timeout TIME] [group KEY]"
DEFAULT_FAILURES = 3
DEFAULT_WINDOW_MS = 3_600_000
DEFAULT_TIMEOUT_MS = 60_000
MAX_FAILURES = 1000
_OPTIONS = ("failures", "window", "timeout", "group")


@dataclass(frozen=True)
class MonitorLine:
    """One ``resource_monitor`` line: every time in milliseconds; ``group`` None for all."""

    interval_ms: int
    failures: int = DEFAULT_FAILURES
    window_ms: int = DEFAULT_WINDOW_MS
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    group: str | None = None

    @property
    def enabled(self) -> bool:
        """False for ``resource_monitor 0``: the groups it covers are not monitored."""
        return self.interval_ms > 0

    def __str__(self) -> str:
        """The line's arguments as ``ha.cf`` takes them back (reload messages show it)."""
        words = [_time(self.interval_ms)]
        if self.failures != DEFAULT_FAILURES:
            words += ["failures", str(self.failures)]
        if self.window_ms != DEFAULT_WINDOW_MS:
            words += ["window", _time(self.window_ms)]
        if self.timeout_ms != DEFAULT_TIMEOUT_MS:
            words += ["timeout", _time(self.timeout_ms)]
        if self.group is not None:
            words += ["group", self.group]
        return " ".join(words)


def parse_monitor_line(text: str) -> MonitorLine:
    """The arguments of one ``resource_monitor`` line; ArgumentError says what is wrong."""
    words = text.split()
    if not words:
        raise ArgumentError("no interval given", f"write: {SYNTAX}")
    interval_text, *rest = words
    interval = _time_argument("interval", interval_text, 0)
    if len(rest) % 2:
        raise ArgumentError(f"'{rest[-1]}' needs a value", f"write: {SYNTAX}")
    given: dict[str, str] = {}
    for option, value in zip(rest[::2], rest[1::2], strict=True):
        if option not in _OPTIONS:
            hint = closest(option, _OPTIONS)
            fix = f"did you mean '{hint}'?" if hint else f"write: {SYNTAX}"
            raise ArgumentError(f"unknown option '{option}'", fix)
        if option in given:
            raise ArgumentError(f"'{option}' is given twice", "keep one")
        given[option] = value
    window, timeout = given.get("window"), given.get("timeout")
    line = MonitorLine(
        interval,
        _count(given["failures"]) if "failures" in given else DEFAULT_FAILURES,
        DEFAULT_WINDOW_MS if window is None else _time_argument("window", window, 1),
        DEFAULT_TIMEOUT_MS if timeout is None else _time_argument("timeout", timeout, 1),
        given.get("group"),
    )
    span = (line.failures - 1) * line.interval_ms
    if line.enabled and line.window_ms <= span:
        raise ArgumentError(
            f"a window of {_shown(line.window_ms)} can never hold {line.failures} failures "
            f"checked {_shown(line.interval_ms)} apart",
            f"give a window longer than {_shown(span)}, fewer failures or a shorter interval",
        )
    return line


@dataclass(frozen=True)
class MonitorSettings:
    """Every ``resource_monitor`` line of an ``ha.cf``, in file order."""

    lines: tuple[MonitorLine, ...] = ()

    def for_group(self, key: str) -> MonitorLine | None:
        """How the group keyed ``key`` is monitored: the last line naming it, else the last
        line for all groups; None when neither exists or it says ``0`` (not monitored)."""
        named = [line for line in self.lines if line.group == key]
        general = [line for line in self.lines if line.group is None]
        chosen = named[-1] if named else general[-1] if general else None
        return chosen if chosen is not None and chosen.enabled else None


def monitor_settings(values: DirectiveValues) -> MonitorSettings:
    """The ``resource_monitor`` lines of a parsed ``ha.cf``."""
    return MonitorSettings(tuple(_lines(values.located(NAME))))


def check_monitored_groups(hacf: HaCf, haresources: HaResources) -> list[Problem]:
    """Cross-file rules: a ``group KEY`` must name a haresources group (its first token); a
    second line for the same group (or for all) is a warning, since only the last counts;
    in ``auto_failback legacy`` mode a warning that a group given up stays down (heartbeat
    has no standby there)."""
    keys = [group.key for group in haresources.groups]
    problems: list[Problem] = []
    seen: dict[str | None, int | None] = {}
    for entry in hacf.located(NAME):
        line = entry.value
        if not isinstance(line, MonitorLine):
            continue
        if line.group is not None and line.group not in keys:
            hint = closest(line.group, keys)
            known = ", ".join(keys) or "none"
            fix = f"did you mean '{hint}'?" if hint else f"name one of the groups ({known})"
            problems.append(
                Problem(
                    entry.location,
                    f"{NAME}: no haresources group {line.group}",
                    f"{fix} (a group is named by its first resource)",
                )
            )
        if line.group in seen:
            whom = f"group {line.group}" if line.group is not None else "every group"
            problems.append(
                Problem(
                    entry.location,
                    f"{NAME} for {whom} is also given at line {seen[line.group]}",
                    "only the last line counts: delete the others",
                    Severity.WARNING,
                )
            )
        seen[line.group] = entry.location.line
    monitoring = any(line.enabled for line in _lines(hacf.located(NAME)))
    if monitoring and hacf.auto_failback == "legacy":
        first = hacf.located(NAME)[0].location
        problems.append(
            Problem(
                first,
                f"{NAME} with auto_failback legacy: a group that keeps failing is stopped and "
                "stays down, since legacy mode has no standby to hand it to the peer",
                "use 'auto_failback on' or 'auto_failback off'",
                Severity.WARNING,
            )
        )
    return problems


def _lines(entries: Sequence[Located[object]]) -> list[MonitorLine]:
    return [entry.value for entry in entries if isinstance(entry.value, MonitorLine)]


def _time_argument(option: str, text: str, minimum_ms: int) -> int:
    try:
        value = milliseconds(text)
    except ArgumentError as error:
        raise ArgumentError(f"{option}: {error.problem}", error.fix) from None
    if value < minimum_ms:
        raise ArgumentError(f"{option} '{text}' is too small", "give a time greater than 0")
    return value


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_FAILURES:
        raise ArgumentError(
            f"failures '{text}' is not a count", f"give a whole number from 1 to {MAX_FAILURES}"
        )
    return int(text)


def _time(ms: int) -> str:
    """A time in heartbeat's words: seconds when whole, else milliseconds."""
    return f"{ms // 1000}" if ms % 1000 == 0 else f"{ms}ms"


def _shown(ms: int) -> str:
    """A time for a message: ``20 s`` or ``500 ms``."""
    return f"{ms // 1000} s" if ms % 1000 == 0 else f"{ms} ms"

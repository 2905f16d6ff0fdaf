"""heartbeat's timers, with the derived defaults and the rules that tie them together.

All values are milliseconds. ``warntime`` defaults to deadtime/2, ``deadping`` to deadtime and
``initdead`` to deadtime when that is over 10 s, to 12 s when deadtime is under 6 s, and to
twice deadtime otherwise (heartbeat/config.c ``init_config``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hb_hookspecs import DEADTIME, KEEPALIVE

from hbcore.config.core_directives import DEADPING, INITDEAD, WARNTIME
from hbcore.config.hacf_values import DirectiveValues
from hbcore.config.problems import Problem, Severity

INITDEAD_WARNING_MS = 10_000


@dataclass(frozen=True)
class Timers:
    """The settled timers, in milliseconds."""

    keepalive: int
    deadtime: int
    warntime: int
    initdead: int
    deadping: int


def default_initdead(deadtime: int) -> int:
    """heartbeat's initdead when none is given."""
    if deadtime > 10_000:
        return deadtime
    if deadtime < 6_000:
        return 12_000
    return 2 * deadtime


def settle_timers(values: DirectiveValues) -> tuple[Timers, list[Problem]]:
    """Apply the derived defaults and check the timers against each other."""
    keepalive = values.get(KEEPALIVE)
    deadtime = values.get(DEADTIME)
    warntime = values.get(WARNTIME)
    initdead = values.get(INITDEAD)
    deadping = values.get(DEADPING)
    timers = Timers(
        keepalive=keepalive,
        deadtime=deadtime,
        warntime=deadtime // 2 if warntime is None else warntime,
        initdead=default_initdead(deadtime) if initdead is None else initdead,
        deadping=deadtime if deadping is None else deadping,
    )
    problems: list[Problem] = []
    if timers.deadtime <= 2 * keepalive:
        where = "deadtime" if values.is_set("deadtime") else "keepalive"
        problems.append(
            Problem(
                values.location(where),
                f"Dead time [{timers.deadtime} ms] is too small compared to keepalive "
                f"[{keepalive} ms]",
                f"make deadtime more than twice keepalive (over {2 * keepalive} ms)",
            )
        )
    if values.is_set("deadping") and timers.deadping <= 2 * keepalive:
        problems.append(
            Problem(
                values.location("deadping"),
                f"Dead ping time [{timers.deadping} ms] is too small compared to keepalive "
                f"[{keepalive} ms]",
                f"make deadping more than twice keepalive (over {2 * keepalive} ms)",
            )
        )
    if timers.initdead < timers.deadtime:
        problems.append(
            Problem(
                values.location("initdead"),
                f"Initial dead time [{timers.initdead} ms] is smaller than deadtime "
                f"[{timers.deadtime} ms]",
                "make initdead at least deadtime (twice deadtime is usual)",
            )
        )
    elif timers.initdead < INITDEAD_WARNING_MS:
        problems.append(
            Problem(
                values.location("initdead"),
                f"Initial dead time [{timers.initdead} ms] may be too small!",
                "give the network time to come up after a boot: initdead 10 or more",
                Severity.WARNING,
            )
        )
    return timers, problems

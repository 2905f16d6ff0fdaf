"""``ha.cf`` directives and who parses them.

The core parses ``ha.cf`` generically: for each line it looks up the directive by name in a table
built from the core's own directives and every plugin's registrations, then calls the directive's
``parse`` on its arguments. A plugin therefore owns its directives completely (``serial`` and
``baud`` belong to hb-media-serial), and a directive nobody owns is reported with the distribution
that would own it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass


class Form(enum.Enum):
    """How the rest of a directive's line is handed to ``parse``."""

    PER_TOKEN = "per-token"
    """Split on commas and blanks; ``parse`` is called once per token (``bcast eth0 eth1``)."""
    WHOLE_LINE = "whole-line"
    """``parse`` gets the rest of the line as one string (``ucast eth0 10.0.0.2``)."""


class Repeat(enum.Enum):
    """What a second occurrence of the directive (or a second token) means."""

    LAST_WINS = "last-wins"
    """A single setting; the last value given wins (heartbeat's rule for most directives)."""
    ACCUMULATE = "accumulate"
    """Every value is kept, in file order (``node``, ``bcast``, ``respawn``)."""
    ONCE = "once"
    """May be given only once; a repeat is an error (``baud``, ``watchdog``)."""


@dataclass(frozen=True)
class Directive:
    """One ``ha.cf`` directive.

    ``parse`` turns one argument into a value or raises
    :class:`hb_hookspecs.arguments.ArgumentError`. It must be pure and cheap: it runs in
    ``hb check`` on any machine, so it must not look at the host (devices, users, DNS). Host
    checks belong to the runtime classes, which report them at start-up.
    """

    name: str
    parse: Callable[[str], object]
    summary: str
    form: Form = Form.PER_TOKEN
    repeat: Repeat = Repeat.LAST_WINS
    default: object = None
    is_medium: bool = False
    """True when each value of this directive is a heartbeat path (bcast, serial, ...), so the
    core can tell "No heartbeat media defined"."""

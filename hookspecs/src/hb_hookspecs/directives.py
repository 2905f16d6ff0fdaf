"""``ha.cf`` directives and who parses them.

The core parses ``ha.cf`` generically: for each line it looks up the directive by name in a table
built from the core's own directives and every plugin's registrations, then calls the directive's
``parse`` on its arguments. A plugin therefore owns its directives completely: how a value reads
(``parse``), what it needs of the machine (``check_host``), whether it is a heartbeat path
(``medium``) or names a ping node (``ping_node``). The core reads no plugin's directive by name,
and a directive nobody owns is reported with the distribution that would own it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, overload

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from hb_hookspecs.host import HostProblem
    from hb_hookspecs.interfaces import Medium, Settings

    # Defaults (PEP 696, Python 3.13) make a bare ``Directive`` mean ``Directive[Any, Any]``,
    # so a registration callback reads ``Callable[[Directive], None]``. Only type checkers
    # need them, and they read them from typing_extensions.
    T = TypeVar("T", default=Any)
    D = TypeVar("D", default=Any)
else:
    from typing import TypeVar

    T = TypeVar("T")
    D = TypeVar("D")


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


MediumFactory = Callable[[T, "Settings"], Sequence["Medium"]]
"""``medium(value, settings)``: the heartbeat paths one value describes (one per interface of a
``bcast`` line, one for a ``ucast`` line)."""
HostCheck = Callable[[T, "Settings"], Sequence["HostProblem"]]
"""``check_host(value, settings)``: what this machine lacks for one value (see
:class:`Directive`)."""


@dataclass(frozen=True, init=False)
class Directive(Generic[T, D]):
    """One ``ha.cf`` directive, whose values are of type ``T``.

    ``D`` is the type of its default: ``T`` when the directive has one (``udpport``, 694),
    None when it has none, so that :meth:`hb_hookspecs.Settings.get` returns an ``int`` for
    ``udpport`` and a ``str | None`` for ``watchdog``. Both are inferred from the arguments.

    Contracts of the callables, all called with values this directive's ``parse`` returned:

    ``parse(text) -> T``
        Turns one argument into a value or raises :class:`hb_hookspecs.ArgumentError`.
        **When called:** for every argument, whenever a configuration is read (``hb check`` on
        any machine, ``hb start``, a reload). **Concurrency:** synchronous; must be pure and
        cheap: no host lookups (devices, users, DNS). **Result:** the value.

    ``check_host(value, settings) -> Sequence[HostProblem]`` (optional)
        What this machine lacks for the value: a device, an interface, a host name that does
        not resolve. ``settings`` is the whole ``ha.cf`` as :class:`hb_hookspecs.Settings`.
        **When called:** by ``hb check``, ``hb start`` and a reload, after the files parsed:
        once per value of an accumulating directive, once for the value in force of a
        single-valued one. **Concurrency:** synchronous and never on the event loop (a reload
        runs it in a worker thread): it may block on DNS and ``stat``, and must not touch the
        loop. It must only read the host, never change it. **Result:** every problem found, an
        empty sequence when there is none. A value the host cannot even be asked about (a NUL
        byte, a name the resolver's encoding refuses) is a problem like a missing one, not an
        exception; a check that raises anyway is reported as an error naming its plugin.

    ``medium(value, settings) -> Sequence[Medium]`` (optional)
        Marks the directive as a kind of heartbeat path and builds the paths one value
        describes. **When called:** by ``hb start``, once per value, before the node runs.
        **Concurrency:** synchronous, before the event loop runs; may look at the host and
        raise ``OSError`` naming what is missing (the node then refuses to start). Import
        sockets and devices inside it, so that listing plugins stays light. **Result:** the
        media, in the order they are used.

    ``ping_node(value) -> str`` (optional)
        Marks each value as declaring one ping node (a member of the node table that only
        answers ICMP: ``ping``, ``ping_group``) and names it. **When called:** when the node's
        settings are built (start, reload). **Concurrency:** synchronous, pure. **Result:**
        the name the node table and ``hb status`` know the ping node by.
    """

    name: str
    parse: Callable[[str], T]
    summary: str
    form: Form
    repeat: Repeat
    default: D
    medium: MediumFactory[T] | None
    check_host: HostCheck[T] | None
    ping_node: Callable[[T], str] | None

    @overload
    def __init__(
        self: Directive[T, None],
        name: str,
        parse: Callable[[str], T],
        summary: str,
        form: Form = Form.PER_TOKEN,
        repeat: Repeat = Repeat.LAST_WINS,
        *,
        medium: MediumFactory[T] | None = None,
        check_host: HostCheck[T] | None = None,
        ping_node: Callable[[T], str] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Directive[T, T],
        name: str,
        parse: Callable[[str], T],
        summary: str,
        form: Form = Form.PER_TOKEN,
        repeat: Repeat = Repeat.LAST_WINS,
        *,
        default: T,
        medium: MediumFactory[T] | None = None,
        check_host: HostCheck[T] | None = None,
        ping_node: Callable[[T], str] | None = None,
    ) -> None: ...

    def __init__(
        self,
        name: str,
        parse: Callable[[str], Any],
        summary: str,
        form: Form = Form.PER_TOKEN,
        repeat: Repeat = Repeat.LAST_WINS,
        *,
        default: Any = None,
        medium: MediumFactory[Any] | None = None,
        check_host: HostCheck[Any] | None = None,
        ping_node: Callable[[Any], str] | None = None,
    ) -> None:
        # Written out because the overloads above are what types ``default``; a frozen
        # dataclass generates the rest (equality, hashing, repr).
        fields = {
            "name": name,
            "parse": parse,
            "summary": summary,
            "form": form,
            "repeat": repeat,
            "default": default,
            "medium": medium,
            "check_host": check_host,
            "ping_node": ping_node,
        }
        for field_name, value in fields.items():
            object.__setattr__(self, field_name, value)

"""``ha.cf``: the generic parser and the typed result.

The parser knows no directive itself. It looks each line's directive up in the registry (the
core's directives plus every loaded plugin's) and hands the arguments to that directive's
``parse``: token by token, or the whole rest of the line. What a value means beyond its type
(a heartbeat path, a ping node) the directive declares. Lines naming a directive of a built-in
plugin that is not loaded, or no known directive at all, become errors that say what to do; so
does a line holding a NUL byte, where heartbeat would silently read only the start of the line.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hb_hookspecs
from hb_hookspecs import Directive, Form, Repeat, Settings
from hb_hookspecs.arguments import ArgumentError
from hb_hookspecs.directives import MediumFactory

from hbcore.config import hacf_rules
from hbcore.config.core_arguments import AutoFailback
from hbcore.config.directive_hints import (
    PLUGIN_DIRECTIVES,
    RENAMED_DIRECTIVES,
    is_media_distribution,
)
from hbcore.config.hacf_syntax import DirectiveLine, directive_lines, split_tokens
from hbcore.config.hacf_values import DirectiveValues
from hbcore.config.plugin_checks import absent_plugin
from hbcore.config.problems import NUL_FIX, NUL_IN_LINE, Located, Location, Problem, Severity
from hbcore.config.timers import Timers, settle_timers
from hbcore.plugins import PluginRecord
from hbcore.registry import Owned


@dataclass(frozen=True)
class Medium:
    """One heartbeat path as configured: the directive and one of its values."""

    directive: str
    value: object
    location: Location
    create: MediumFactory[Any] = field(compare=False, repr=False)
    """The directive's ``medium``: builds the media of ``value``."""

    def media(self, settings: Settings) -> list[hb_hookspecs.Medium]:
        """The media this value describes (may raise ``OSError``, see :class:`Directive`)."""
        return list(self.create(self.value, settings))

    def __str__(self) -> str:
        return f"{self.directive} {self.value}"


@dataclass(frozen=True)
class HaCf(DirectiveValues):
    """A parsed ``ha.cf``: every value with its location, plus the settled settings."""

    directives: Mapping[str, Owned[Directive]]
    """Every directive known when the file was read, with its owner, in registration order."""
    nodes: tuple[str, ...]
    """The ``node`` names, lowercased, each once, in file order."""
    ping_nodes: tuple[str, ...]
    """The ping nodes the directives declare (``ping_node``), directive by directive in
    registration order, each directive's in file order."""
    media: tuple[Medium, ...]
    """Every heartbeat path, in file order."""
    timers: Timers
    auto_failback: AutoFailback
    use_logd: bool
    crm_enabled: bool
    """``crm``/``pacemaker`` asks for Pacemaker; hb refuses it and ignores haresources."""

    def declares_ping_nodes(self, directive: str) -> bool:
        """True when the values of ``directive`` are ping nodes (its ``ping_node`` is set)."""
        owned = self.directives.get(directive)
        return owned is not None and owned.item.ping_node is not None


def read_hacf(
    path: Path,
    directives: Mapping[str, Owned[Directive]],
    display_name: str | None = None,
    plugins: Sequence[PluginRecord] = (),
) -> tuple[HaCf, list[Problem]]:
    """Read and parse ``path`` (see :func:`parse_hacf`); a missing file is one error."""
    file = display_name or path.name
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as error:
        hacf, _ = parse_hacf("", directives, file)
        missing = Problem(
            Location(file),
            f"cannot read {path}: {error.strerror}",
            "create ha.cf (or point -c at the directory that holds it)",
        )
        return hacf, [missing]
    return parse_hacf(text, directives, file, plugins)


def parse_hacf(
    text: str,
    directives: Mapping[str, Owned[Directive]],
    file: str = "ha.cf",
    plugins: Sequence[PluginRecord] = (),
) -> tuple[HaCf, list[Problem]]:
    """Parse an ``ha.cf`` text against the registered directives.

    ``plugins`` (the records of the installed plugins) let a directive of a built-in plugin
    that is not loaded say why: failed, disabled or not installed. Returns the result and every
    problem (errors and warnings) in file order; the result is usable for further checks even
    when there are errors.
    """
    parser = _Parser(file, directives, plugins)
    for line in directive_lines(text):
        parser.apply(line)
    values = DirectiveValues(
        file,
        {name: tuple(entries) for name, entries in parser.entries.items()},
        {name: owned.item.default for name, owned in directives.items()},
    )
    problems = parser.problems
    nodes = tuple(dict.fromkeys(str(node) for node in values.values("node")))
    timers, timer_problems = settle_timers(values)
    auto_failback, failback_problems = hacf_rules.settle_auto_failback(values)
    use_logd, logd_problems = hacf_rules.settle_use_logd(values)
    problems += timer_problems + failback_problems + logd_problems
    problems += hacf_rules.check_crm(values)
    problems += hacf_rules.check_nodes(values, nodes)
    problems += hacf_rules.check_autojoin(values)
    problems += hacf_rules.check_media(values, parser.media, parser.media_missing)
    problems += hacf_rules.check_apiauth(values)
    hacf = HaCf(
        file=file,
        entries=values.entries,
        defaults=values.defaults,
        directives=directives,
        nodes=nodes,
        ping_nodes=_ping_nodes(values, directives),
        media=tuple(parser.media),
        timers=timers,
        auto_failback=auto_failback,
        use_logd=use_logd,
        crm_enabled=hacf_rules.crm_enabled(values),
    )
    return hacf, sorted(problems, key=lambda problem: problem.location.line)


class _Parser:
    """Applies directive lines one by one, collecting values and problems."""

    def __init__(
        self,
        file: str,
        directives: Mapping[str, Owned[Directive]],
        plugins: Sequence[PluginRecord],
    ) -> None:
        self.file = file
        self.directives = directives
        self.plugins = plugins
        self.entries: dict[str, list[Located[object]]] = {}
        self.media: list[Medium] = []
        self.media_missing = False
        self.problems: list[Problem] = []

    def apply(self, line: DirectiveLine) -> None:
        location = Location(self.file, line.number)
        if "\0" in line.name or "\0" in line.rest:
            self._problem(location, NUL_IN_LINE, NUL_FIX)
            return
        name = line.name
        if name in RENAMED_DIRECTIVES:
            name = RENAMED_DIRECTIVES[name]
            self._problem(
                location,
                f"directive '{line.name}' replaced by '{name}'",
                f"write '{name}' instead",
                Severity.WARNING,
            )
        owned = self.directives.get(name)
        if owned is None:
            self._unknown(location, name)
            return
        directive = owned.item
        if directive.form is Form.WHOLE_LINE:
            if not line.rest:
                self._problem(location, f"{name} needs arguments", f"write: {directive.summary}")
                return
            self._store(directive, line.rest, location)
            return
        tokens = split_tokens(line.rest)
        if not tokens:
            self._problem(
                location,
                f"{name} has no value, so the line does nothing",
                "give a value or delete the line",
                Severity.WARNING,
            )
        for token in tokens:
            self._store(directive, token, location)

    def _store(self, directive: Directive, argument: str, location: Location) -> None:
        try:
            value = directive.parse(argument)
        except ArgumentError as error:
            self._problem(location, f"{directive.name}: {error.problem}", error.fix)
            return
        entries = self.entries.setdefault(directive.name, [])
        if directive.repeat is Repeat.ONCE and entries:
            self._problem(
                location,
                f"{directive.name} may be given only once (already at line "
                f"{entries[0].location.line})",
                "keep a single value",
            )
            return
        entries.append(Located(value, location))
        if directive.medium is not None:
            self.media.append(Medium(directive.name, value, location, directive.medium))

    def _unknown(self, location: Location, name: str) -> None:
        distribution = PLUGIN_DIRECTIVES.get(name)
        if distribution is not None:
            self.media_missing |= is_media_distribution(distribution)
            why, fix = absent_plugin(distribution, self.plugins)
            self._problem(location, f"directive '{name}' is provided by the plugin {why}", fix)
            return
        self._problem(location, f"unknown directive '{name}'", _suggestion(name, self.directives))

    def _problem(
        self, location: Location, problem: str, fix: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.problems.append(Problem(location, problem, fix, severity))


def _ping_nodes(
    values: DirectiveValues, directives: Mapping[str, Owned[Directive]]
) -> tuple[str, ...]:
    """The names of the ping nodes the directives declare."""
    return tuple(
        owned.item.ping_node(value)
        for name, owned in directives.items()
        if owned.item.ping_node is not None
        for value in values.values(name)
    )


def _suggestion(name: str, directives: Mapping[str, Owned[Directive]]) -> str:
    """A "did you mean" for a misspelt directive name (names are case-sensitive)."""
    known = sorted({*directives, *PLUGIN_DIRECTIVES})
    same_but_case = [candidate for candidate in known if candidate.lower() == name.lower()]
    close = same_but_case or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return (
        "check the spelling (directive names are case-sensitive); "
        "hb plugins list shows the directives of the loaded plugins"
    )

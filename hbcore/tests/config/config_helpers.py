"""Helpers shared by the configuration tests: a registry of the core's directives plus stand-ins for
the plugin directives, and a plugin set built from it (no installed plugin is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pluggy
from hb_hookspecs import (
    PROJECT_NAME,
    AuthMethod,
    Directive,
    Form,
    HbHookSpecs,
    KeyRule,
    Medium,
    Repeat,
    Settings,
)
from hb_hookspecs.arguments import absolute_path
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.config.hacf import HaCf, parse_hacf
from hbcore.config.problems import Problem, Severity
from hbcore.plugins import PluginSet
from hbcore.registry import CORE_OWNER, Owned, Registry


@dataclass(frozen=True)
class FakeUcast:
    """Stands in for hb-media-ucast's value."""

    interface: str
    peer: str

    def __str__(self) -> str:
        return f"{self.interface} {self.peer}"


@dataclass(frozen=True)
class FakeBcast:
    """Stands in for hb-media-bcast's value."""

    interface: str

    def __str__(self) -> str:
        return self.interface


def _ucast(text: str) -> FakeUcast:
    interface, peer, *_ = text.split()
    return FakeUcast(interface, peer)


def _no_media(value: object, settings: Settings) -> list[Medium]:
    """A medium factory for parsing only: no test here opens a path."""
    return []


class _Crc:
    def sign(self, data: bytes) -> str:
        return "0"

    def verify(self, data: bytes, token: str) -> bool:
        return token == "0"


PLUGIN_STAND_INS: dict[str, Directive] = {
    "bcast": Directive(
        "bcast", FakeBcast, "bcast IFACE...", repeat=Repeat.ACCUMULATE, medium=_no_media
    ),
    "ucast": Directive(
        "ucast", _ucast, "ucast IFACE PEER", Form.WHOLE_LINE, Repeat.ACCUMULATE, medium=_no_media
    ),
    "serial": Directive(
        "serial", absolute_path, "serial DEV...", repeat=Repeat.ACCUMULATE, medium=_no_media
    ),
    "watchdog": Directive("watchdog", absolute_path, "watchdog DEV", repeat=Repeat.ONCE),
}
"""Like the built-in plugins' directives as far as parsing goes (no host checks: those are the
plugins' own, tested with them); ``baud``, ``ping`` and the rest stay unregistered."""


def registry(*without: str) -> Registry:
    """The core's directives and the stand-ins (minus ``without``), and a ``crc`` method."""
    result = Registry()
    for directive in CORE_DIRECTIVES:
        result.directives[directive.name] = Owned(directive, CORE_OWNER)
    for name, directive in PLUGIN_STAND_INS.items():
        if name not in without:
            result.directives[name] = Owned(directive, "stand-in")
    result.auth_methods["crc"] = Owned(
        AuthMethod("crc", KeyRule.FORBIDDEN, lambda key: _Crc(), "crc"), "stand-in"
    )
    return result


def plugin_set(*plugins: object, without: tuple[str, ...] = ()) -> PluginSet:
    """A plugin set over :func:`registry` with ``plugins`` registered for their hooks."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(HbHookSpecs)
    for plugin in plugins:
        manager.register(plugin)
    return PluginSet(manager, registry(*without))


MINIMAL = "node alpha beta\nbcast lo\nauto_failback on\nlogfacility daemon\n"
"""A valid ha.cf with no warnings on any host (``lo`` exists everywhere); tests append to it."""


def parse(text: str, *without: str) -> tuple[HaCf, list[Problem]]:
    """Parse ``text`` as ha.cf against :func:`registry`."""
    return parse_hacf(text, registry(*without).directives)


def errors(problems: list[Problem]) -> list[str]:
    """``line: problem`` for every error."""
    return [f"{p.location.line}: {p.problem}" for p in problems if p.severity is Severity.ERROR]


def warnings(problems: list[Problem]) -> list[str]:
    """``line: problem`` for every warning."""
    return [f"{p.location.line}: {p.problem}" for p in problems if p.severity is Severity.WARNING]


def write_config(
    directory: Path,
    hacf: str = MINIMAL,
    haresources: str | None = "alpha\n",
    authkeys: str | None = "auth 1\n1 crc\n",
) -> Path:
    """Write ha.cf, haresources and authkeys (mode 600) into ``directory``; None skips a file."""
    (directory / "ha.cf").write_text(hacf)
    if haresources is not None:
        (directory / "haresources").write_text(haresources)
    if authkeys is not None:
        (directory / "authkeys").write_text(authkeys)
        (directory / "authkeys").chmod(0o600)
    return directory

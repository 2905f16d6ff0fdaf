"""What plugins hand to the registration hooks: one frozen value per thing they provide.

A registration is data plus a factory. The core keeps them in a registry and builds runtime
objects from them when the node starts; nothing here runs on the hot path. Heartbeat paths
are registered as directives (:class:`hb_hookspecs.Directive` with a ``medium`` factory): a
kind of path is the ``ha.cf`` directive that configures it. A command is data
plus the place of its code, imported only when the command runs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from hb_hookspecs.interfaces import Authenticator, HealthMonitor, Settings


class KeyRule(enum.Enum):
    """Whether an authkeys method takes a key on its line."""

    REQUIRED = "required"
    """``1 sha1 secret``: a line without a key is an error ("requires a key")."""
    FORBIDDEN = "forbidden"
    """``2 crc``: a line with a key is an error ("doesn't use a key")."""


@dataclass(frozen=True)
class AuthMethod:
    """An authkeys method (``crc``, ``md5``, ``sha1``).

    ``create(key)`` returns an :class:`Authenticator` for the key text of an authkeys line
    (empty bytes when the method forbids a key).
    """

    name: str
    key: KeyRule
    create: Callable[[bytes], Authenticator]
    summary: str


@dataclass(frozen=True)
class ResourceAgentType:
    """A kind of resource agent, listed by ``hb plugins list``.

    Tokens are turned into agents by the ``hb_resolve_resource`` hook, not by this value.
    """

    name: str
    summary: str


@dataclass(frozen=True)
class HealthMonitorType:
    """A kind of health monitor.

    ``create(settings)`` returns the monitor, or None when ``ha.cf`` does not ask for it.
    """

    name: str
    summary: str
    create: Callable[[Settings], HealthMonitor | None]


@dataclass(frozen=True)
class CliCommand:
    """A subcommand a plugin adds to ``hb`` (hb-lab's ``hb lab``).

    ``target`` is where its ``click.Command`` (or group) is, as ``"module:attribute"``; hb
    imports it only to run the command or show its own help. ``summary`` is the line
    ``hb --help`` shows, so that listing the commands imports none of them.
    """

    name: str
    target: str
    summary: str

    def __post_init__(self) -> None:
        module, _, attribute = self.target.partition(":")
        if not (module and attribute):
            raise ValueError(
                f"command {self.name!r}: target {self.target!r} is not 'module:attribute'"
            )

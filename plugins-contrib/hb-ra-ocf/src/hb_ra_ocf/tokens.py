"""The haresources tokens hb-ra-ocf owns, parsed without looking at the host.

- ``ocf:PROVIDER:AGENT::name=value::name=value``: the agent ``AGENT`` of ``PROVIDER`` with
  parameters (``OCF_RESKEY_name``). A name holding a ``-`` is one of hb's settings for the
  resource, never an agent parameter (an OCF parameter is an environment variable's suffix):
  ``start-timeout``, ``stop-timeout``, ``monitor-timeout``, ``validate-all-timeout``.
- ``OCF::TYPE::INSTANCE``: heartbeat's OCF wrapper (``resource.d/OCF``), whose parameters are
  in the instance file ``CONFIG_DIR/conf/OCF/TYPE/INSTANCE`` (see :mod:`hb_ra_ocf.instance_file`).

Values cannot hold blanks (haresources splits on them) nor ``::``; such a value belongs in an
instance file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hb_hookspecs import ArgumentError

from hb_ra_ocf.durations import seconds

CLASS = "ocf"
WRAPPER = "OCF"
SEPARATOR = "::"
NAME_MAX = 255
"""The longest file name (a provider or agent is a path component), in bytes."""

TIMEOUT_SETTINGS = {
    "start-timeout": "start",
    "stop-timeout": "stop",
    "monitor-timeout": "monitor",
    "validate-all-timeout": "validate-all",
}
"""hb's per-token settings: the action whose timeout each overrides."""

_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INSTANCE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_FORM = "write ocf:PROVIDER:AGENT::name=value, e.g. ocf:heartbeat:Dummy::state=/run/dummy.state"
_WRAPPER_FORM = "write OCF::TYPE::INSTANCE, e.g. OCF::Dummy::db"


@dataclass(frozen=True)
class OcfToken:
    """An ``ocf:PROVIDER:AGENT::...`` token."""

    token: str
    provider: str
    agent: str
    parameters: tuple[tuple[str, str], ...]
    """``(name, value)`` in token order."""
    timeouts: tuple[tuple[str, float], ...]
    """``(action, seconds)`` the token sets, overriding the agent's meta-data."""

    @property
    def kind(self) -> str:
        """``ocf:heartbeat:Dummy``."""
        return f"{CLASS}:{self.provider}:{self.agent}"

    @property
    def instance(self) -> str:
        """``OCF_RESOURCE_INSTANCE``: the agent and its first parameter's value, as heartbeat's
        IPaddr wrapper names its instances (``IPaddr2_10.0.0.1``); file-name safe, because
        agents build state file names from it, and the same on every node."""
        if not self.parameters:
            return self.agent
        return _INSTANCE_UNSAFE.sub("_", f"{self.agent}_{self.parameters[0][1]}")


@dataclass(frozen=True)
class WrapperToken:
    """An ``OCF::TYPE::INSTANCE`` token (heartbeat's OCF wrapper)."""

    token: str
    agent: str
    instance: str


def parse_token(token: str) -> OcfToken | WrapperToken | None:
    """The token parsed, None when it is not hb-ra-ocf's.

    Raises ``ArgumentError`` for a token that is ours but malformed. Never raises anything else.
    """
    head, *arguments = token.split(SEPARATOR)
    if head == WRAPPER:
        return _wrapper(token, arguments)
    if not head.lower().startswith(f"{CLASS}:"):
        return None
    if not head.startswith(f"{CLASS}:"):
        raise ArgumentError(f"'{head}': the OCF class is written in lower case", _FORM)
    parts = head.split(":")
    if len(parts) != 3:
        raise ArgumentError(f"'{head}' is not ocf:PROVIDER:AGENT", _FORM)
    _, provider, agent = parts
    _file_name("provider", provider, _FORM)
    _file_name("agent", agent, _FORM)
    parameters, timeouts = _arguments(arguments)
    return OcfToken(token, provider, agent, parameters, timeouts)


def _wrapper(token: str, arguments: list[str]) -> WrapperToken:
    # heartbeat's wrapper insists on exactly its three arguments (TYPE INSTANCE operation).
    if len(arguments) != 2:
        raise ArgumentError("OCF:: takes a resource type and an instance name", _WRAPPER_FORM)
    agent, instance = arguments
    _file_name("resource type", agent, _WRAPPER_FORM)
    _file_name("instance name", instance, _WRAPPER_FORM)
    return WrapperToken(token, agent, instance)


def _file_name(what: str, name: str, fix: str) -> None:
    if not name or name in (".", "..") or "/" in name or not name.isprintable():
        raise ArgumentError(f"'{name}' is not an OCF {what}", fix)
    if len(name.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise ArgumentError(f"OCF {what} '{name[:40]}...' is longer than {NAME_MAX} bytes", fix)


def _arguments(
    arguments: list[str],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, float], ...]]:
    parameters: dict[str, str] = {}
    timeouts: dict[str, float] = {}
    # Empty arguments (a trailing ::) are dropped, as ResourceManager's shell drops them.
    for argument in filter(None, arguments):
        name, equals, value = argument.partition("=")
        if not equals:
            raise ArgumentError(f"'{argument}' is not name=value", _FORM)
        if "-" in name:
            timeouts[_setting(name)] = _timeout(name, value)
            continue
        if not _PARAMETER.fullmatch(name):
            raise ArgumentError(
                f"'{name}' is not an OCF parameter name",
                "parameter names are letters, digits and _ (they become OCF_RESKEY_name)",
            )
        if name in parameters:
            raise ArgumentError(f"parameter '{name}' is given twice", "give it once")
        if "\0" in value:
            raise ArgumentError(f"parameter '{name}' holds a NUL byte", "remove it")
        parameters[name] = value
    return tuple(parameters.items()), tuple(timeouts.items())


def _setting(name: str) -> str:
    action = TIMEOUT_SETTINGS.get(name)
    if action is None:
        raise ArgumentError(
            f"'{name}' is not an hb setting of OCF resources",
            f"use {', '.join(TIMEOUT_SETTINGS)} (names with '-' are hb's, not the agent's)",
        )
    return action


def _timeout(name: str, value: str) -> float:
    timeout = seconds(value)
    if timeout is None or timeout <= 0:
        raise ArgumentError(
            f"{name} '{value}' is not a time", "write e.g. 90s, 2min or 500ms (a bare number is s)"
        )
    return timeout

"""One OCF resource as hb runs it, whichever token form named it, and the environment the OCF
resource-agent API gives its agent."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ArgumentError
from hb_hookspecs.suggest import closest

from hb_ra_ocf.instance_file import PARAMETER_PREFIX
from hb_ra_ocf.metadata import MetaData

OCF_RA_VERSION = ("1", "1")
"""The OCF resource-agent API version hb speaks (1.1, as Pacemaker 2.1)."""


@dataclass(frozen=True)
class OcfResource:
    """An agent, its parameters and hb's settings for it."""

    token: str
    provider: str
    agent: str
    path: Path
    """The agent's executable."""
    root: Path
    """``OCF_ROOT``."""
    instance: str
    """``OCF_RESOURCE_INSTANCE``."""
    parameters: tuple[tuple[str, str], ...]
    timeouts: tuple[tuple[str, float], ...] = ()
    """``(action, seconds)`` set by the token, overriding the meta-data."""
    exported: tuple[tuple[str, str], ...] = ()
    """Other variables an instance file sets, exported as they are."""
    heartbeat_command: str | None = None
    """For ``OCF::`` tokens, the command heartbeat would have logged (``/etc/ha.d/resource.d/OCF
    Dummy db``); hb logs the same ``Running ... start`` line."""

    @property
    def kind(self) -> str:
        """``ocf:heartbeat:Dummy``."""
        return f"ocf:{self.provider}:{self.agent}"


def base_environment(root: Path, environment: Mapping[str, str]) -> dict[str, str]:
    """hb's environment without inherited parameters, with ``environment`` (``HA_CURHOST``
    ...) over it, then ``OCF_ROOT`` and the API version: what ``meta-data`` runs with."""
    base = {
        name: value for name, value in os.environ.items() if not name.startswith(PARAMETER_PREFIX)
    }
    base.update(environment)
    base["OCF_ROOT"] = str(root)
    base["OCF_RA_VERSION_MAJOR"], base["OCF_RA_VERSION_MINOR"] = OCF_RA_VERSION
    return base


def agent_environment(resource: OcfResource, environment: Mapping[str, str]) -> dict[str, str]:
    """:func:`base_environment` plus the instance's identity and its parameters as
    ``OCF_RESKEY_name``: what every action runs with."""
    env = base_environment(resource.root, environment)
    env.update(resource.exported)
    env["OCF_RESOURCE_INSTANCE"] = resource.instance
    env["OCF_RESOURCE_TYPE"] = resource.agent
    env["OCF_RESOURCE_PROVIDER"] = resource.provider
    for name, value in resource.parameters:
        env[PARAMETER_PREFIX + name] = value
    return env


def check_parameters(
    resource: OcfResource, metadata: MetaData, how_to_add: Callable[[str], str]
) -> None:
    """Raise ``ArgumentError`` for a parameter the agent does not declare (with the one it
    probably means) or a required one that is missing, listing the agent's parameters.
    ``how_to_add(name)`` says how the token's form adds a parameter."""
    declared = metadata.parameter_names
    listed = f"(parameters: {', '.join(declared)})" if declared else "(it takes no parameters)"
    for name, _ in resource.parameters:
        if name in declared:
            continue
        near = closest(name, declared)
        fix = f"did you mean '{near}'? {listed}" if near else f"remove it {listed}"
        raise ArgumentError(f"unknown parameter '{name}'", fix)
    given = {name for name, _ in resource.parameters}
    for name in metadata.required():
        if name not in given:
            raise ArgumentError(
                f"missing required parameter '{name}'", f"{how_to_add(name)} {listed}"
            )

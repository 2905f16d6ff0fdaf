"""The registry: every directive, authkeys method, medium, agent and monitor the loaded plugins
registered, each with the name of the plugin that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from hb_hookspecs import AuthMethod, Directive, HealthMonitorType, MediumType, ResourceAgentType

T = TypeVar("T")

CORE_OWNER = "hbcore"


@dataclass(frozen=True)
class Owned(Generic[T]):
    """A registration and the plugin (or ``hbcore``) it came from."""

    item: T
    owner: str


@dataclass
class Registry:
    """What is available to the configuration and the node, by name."""

    directives: dict[str, Owned[Directive]] = field(default_factory=dict)
    auth_methods: dict[str, Owned[AuthMethod]] = field(default_factory=dict)
    media: dict[str, Owned[MediumType]] = field(default_factory=dict)
    resource_agents: dict[str, Owned[ResourceAgentType]] = field(default_factory=dict)
    health_monitors: dict[str, Owned[HealthMonitorType]] = field(default_factory=dict)

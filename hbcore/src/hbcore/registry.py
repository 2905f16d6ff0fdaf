"""The registry: every directive, authkeys method, agent and monitor the loaded plugins
registered, each with the name of the plugin that owns it. A kind of heartbeat path is a
directive with a ``medium`` factory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hb_hookspecs import AuthMethod, Directive, HealthMonitorType, ResourceAgentType

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
    resource_agents: dict[str, Owned[ResourceAgentType]] = field(default_factory=dict)
    health_monitors: dict[str, Owned[HealthMonitorType]] = field(default_factory=dict)

    def provided_by(self, owner: str) -> list[str]:
        """What ``owner`` provides, as ``hb plugins list`` shows it: ``directive:bcast``,
        ``auth:sha1``, ``medium:bcast`` (a directive with a ``medium``), ``agent:IPaddr``,
        ``monitor:ping``, in that order, each kind in registration order."""
        owned: list[tuple[str, Mapping[str, Owned[Any]]]] = [
            ("directive", self.directives),
            ("auth", self.auth_methods),
            ("medium", self._media()),
            ("agent", self.resource_agents),
            ("monitor", self.health_monitors),
        ]
        return [
            f"{kind}:{name}"
            for kind, registrations in owned
            for name, registration in registrations.items()
            if registration.owner == owner
        ]

    def _media(self) -> dict[str, Owned[Directive]]:
        return {name: d for name, d in self.directives.items() if d.item.medium is not None}

"""hb's plugin contract: hookspecs, registrations, runtime interfaces and argument parsers."""

from hb_hookspecs.arguments import ArgumentError
from hb_hookspecs.contract import CONTRACT_ATTRIBUTE, CONTRACT_VERSION
from hb_hookspecs.core_directives import DEADTIME, KEEPALIVE, UDPPORT
from hb_hookspecs.directives import Directive, Form, Repeat
from hb_hookspecs.host import HostError, HostProblem
from hb_hookspecs.interfaces import (
    Authenticator,
    HealthMonitor,
    Medium,
    Observation,
    ResourceAgent,
    ResourceContext,
    ResourceError,
    Settings,
    StatisticsView,
)
from hb_hookspecs.markers import ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec
from hb_hookspecs.registrations import (
    AuthMethod,
    CliCommand,
    HealthMonitorType,
    KeyRule,
    ResourceAgentType,
)
from hb_hookspecs.specs import HbHookSpecs

__all__ = [
    "CONTRACT_ATTRIBUTE",
    "CONTRACT_VERSION",
    "DEADTIME",
    "ENTRY_POINT_GROUP",
    "KEEPALIVE",
    "PROJECT_NAME",
    "UDPPORT",
    "ArgumentError",
    "AuthMethod",
    "Authenticator",
    "CliCommand",
    "Directive",
    "Form",
    "HbHookSpecs",
    "HealthMonitor",
    "HealthMonitorType",
    "HostError",
    "HostProblem",
    "KeyRule",
    "Medium",
    "Observation",
    "Repeat",
    "ResourceAgent",
    "ResourceAgentType",
    "ResourceContext",
    "ResourceError",
    "Settings",
    "StatisticsView",
    "hookimpl",
    "hookspec",
]

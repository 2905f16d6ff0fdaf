"""hb's plugin contract: hookspecs, registrations, runtime interfaces and argument parsers."""

from hb_hookspecs.arguments import ArgumentError
from hb_hookspecs.directives import Directive, Form, Repeat
from hb_hookspecs.interfaces import (
    Authenticator,
    HealthMonitor,
    Medium,
    Observation,
    ResourceAgent,
    ResourceContext,
    ResourceError,
    Settings,
)
from hb_hookspecs.markers import ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec
from hb_hookspecs.registrations import (
    AuthMethod,
    CliCommand,
    HealthMonitorType,
    KeyRule,
    MediumType,
    ResourceAgentType,
)
from hb_hookspecs.specs import HbHookSpecs

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "ArgumentError",
    "AuthMethod",
    "Authenticator",
    "CliCommand",
    "Directive",
    "Form",
    "HbHookSpecs",
    "HealthMonitor",
    "HealthMonitorType",
    "KeyRule",
    "Medium",
    "MediumType",
    "Observation",
    "Repeat",
    "ResourceAgent",
    "ResourceAgentType",
    "ResourceContext",
    "ResourceError",
    "Settings",
    "hookimpl",
    "hookspec",
]

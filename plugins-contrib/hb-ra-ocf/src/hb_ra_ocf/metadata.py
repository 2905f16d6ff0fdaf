"""An OCF agent's ``meta-data`` XML, reduced to what hb uses: its parameters (which are
required) and its actions with their timeouts.

The text comes from a program: anything may arrive. :func:`parse_metadata` returns a value or
raises :class:`MetaDataError` saying what is wrong, never another exception.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass, field

from hb_ra_ocf.durations import seconds

LIMIT = 1 << 20
"""Bytes of meta-data read at most; the largest agent of resource-agents prints about 40 KiB."""
_TRUE = frozenset({"1", "true", "yes", "on"})


class MetaDataError(ValueError):
    """The meta-data cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class Parameter:
    """One ``<parameter>`` of the meta-data."""

    name: str
    required: bool = False


@dataclass(frozen=True)
class MetaData:
    """What an agent's meta-data declares."""

    parameters: tuple[Parameter, ...]
    timeouts: Mapping[str, float] = field(default_factory=dict)
    """Seconds, by action name, for the actions whose ``timeout`` reads as a time."""
    actions: frozenset[str] = frozenset()
    """Every action the agent declares (``start``, ``monitor``, ``validate-all`` ...)."""

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The parameters' names, in meta-data order."""
        return tuple(parameter.name for parameter in self.parameters)

    def required(self) -> tuple[str, ...]:
        """The names of the required parameters, in meta-data order."""
        return tuple(parameter.name for parameter in self.parameters if parameter.required)


def parse_metadata(data: bytes) -> MetaData:
    """The meta-data in ``data`` (an agent's standard output).

    Raises :class:`MetaDataError` when it is empty, larger than :data:`LIMIT`, not
    well-formed XML, not a ``<resource-agent>`` document, or a parameter or action has no name.
    An action timeout that does not read as a time is left out (hb's default applies).
    """
    if len(data) > LIMIT:
        raise MetaDataError(f"meta-data is larger than {LIMIT} bytes")
    if not data.strip():
        raise MetaDataError("meta-data is empty")
    try:
        # expat fetches no external DTD and refuses entity expansion bombs.
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise MetaDataError(f"meta-data is not well-formed XML: {error}") from None
    except (ValueError, RecursionError) as error:  # an encoding declaration Python lacks
        raise MetaDataError(f"meta-data cannot be read as XML: {error}") from None
    if root.tag != "resource-agent":
        raise MetaDataError(f"meta-data is a <{root.tag}> document, not a <resource-agent>")
    parameters = tuple(
        Parameter(_name(element, "parameter"), element.get("required", "0").lower() in _TRUE)
        for element in root.iterfind("parameters/parameter")
    )
    timeouts: dict[str, float] = {}
    actions: set[str] = set()
    for element in root.iterfind("actions/action"):
        name = _name(element, "action")
        actions.add(name)
        timeout = seconds(element.get("timeout", ""))
        # An action may be listed several times (monitor per role): the first timeout wins.
        if timeout is not None and timeout > 0:
            timeouts.setdefault(name, timeout)
    return MetaData(parameters, timeouts, frozenset(actions))


def _name(element: ElementTree.Element, what: str) -> str:
    name = element.get("name", "").strip()
    if not name:
        raise MetaDataError(f"meta-data has a <{what}> without a name")
    return name

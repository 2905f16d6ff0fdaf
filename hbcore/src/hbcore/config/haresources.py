"""``haresources``: resource groups, each owned by a preferred node.

Normalised as heartbeat's ResourceManager does: everything from ``#`` on is dropped, a line
ending in ``\\`` continues on the next one, runs of blanks count as one. A line is
``NODE RESOURCE [RESOURCE ...]``; NODE is lowercased and must be an ``ha.cf`` node. The group
key is the first resource. A resource is ``script``, ``script::arg1::arg2``, or an address
``a.b.c.d[/...]``, shorthand for ``IPaddr::a.b.c.d[/...]``. A line holding a NUL byte is an
error (the shell that reads the file for heartbeat would drop the byte and join the pieces).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from hbcore.config.node_names import normalize
from hbcore.config.problems import NUL_FIX, NUL_IN_LINE, Location, Problem, Severity

_IP_SHORTHAND = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
IPADDR_SCRIPTS = frozenset({"IPaddr", "IPaddr2"})


@dataclass(frozen=True)
class Resource:
    """One resource token: the script to run and its arguments (split on ``::``)."""

    token: str
    """As written (``192.168.85.3/27``, ``IPaddr::192.168.85.3``, ``httpd``)."""
    script: str
    arguments: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class ResourceGroup:
    """One haresources line: resources started left to right on ``node`` by preference."""

    node: str
    resources: tuple[Resource, ...]
    location: Location

    @property
    def key(self) -> str:
        """The group's name in every protocol message: its first resource token."""
        return self.resources[0].token


@dataclass(frozen=True)
class HaResources:
    """Every resource group, in file order."""

    file: str
    groups: tuple[ResourceGroup, ...]

    def group(self, key: str) -> ResourceGroup | None:
        """The first group whose key is ``key`` exactly."""
        return next((group for group in self.groups if group.key == key), None)


def parse_resource(token: str, location: Location) -> Resource:
    """One resource token, with the address shorthand turned into ``IPaddr``."""
    if _IP_SHORTHAND.match(token):
        return Resource(token, "IPaddr", (token,), location)
    script, *arguments = token.split("::")
    return Resource(token, script, tuple(arguments), location)


def read_haresources(
    path: Path, nodes: Collection[str], display_name: str | None = None
) -> tuple[HaResources, list[Problem]]:
    """Read and parse ``path`` (see :func:`parse_haresources`); a missing file is an error,
    as heartbeat's "Cannot open resources file"."""
    file = display_name or path.name
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as error:
        problem = Problem(
            Location(file),
            f"Cannot open resources file {path}: {error.strerror}",
            "create haresources with a line 'NODE RESOURCE...' (it may hold just a node name)",
        )
        return HaResources(file, ()), [problem]
    return parse_haresources(text, nodes, file)


def parse_haresources(
    text: str, nodes: Collection[str], file: str = "haresources"
) -> tuple[HaResources, list[Problem]]:
    """Parse a haresources text; ``nodes`` are the (lowercased) ``node`` names of ha.cf."""
    groups: list[ResourceGroup] = []
    problems: list[Problem] = []
    first_line_of_key: dict[str, int] = {}
    for number, fields in _logical_lines(text):
        location = Location(file, number)
        if any("\0" in field for field in fields):
            problems.append(Problem(location, NUL_IN_LINE, NUL_FIX))
            continue
        node, tokens = normalize(fields[0]), fields[1:]
        if node not in nodes:
            known = ", ".join(nodes) or "none"
            problems.append(
                Problem(
                    location,
                    f"Bad nodename in haresources [{node}]",
                    f"name a node of ha.cf ({known}), or add 'node {node}' to ha.cf",
                )
            )
        if not tokens:
            problems.append(
                Problem(
                    location,
                    f"node {node} has no resources on this line",
                    "list resources after the node name, or delete the line",
                    Severity.WARNING,
                )
            )
            continue
        group = ResourceGroup(node, tuple(parse_resource(t, location) for t in tokens), location)
        if group.key in first_line_of_key:
            problems.append(
                Problem(
                    location,
                    f"group key {group.key} is also the key of line {first_line_of_key[group.key]}",
                    "start each line with a different resource: messages name a group by it",
                    Severity.WARNING,
                )
            )
        else:
            first_line_of_key[group.key] = number
        groups.append(group)
    return HaResources(file, tuple(groups)), problems


def _logical_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line number, fields) of each non-blank logical line."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        content = raw.rstrip("\r").partition("#")[0]
        if not pending:
            start = number
        if content.endswith("\\"):
            pending.append(content[:-1])
            continue
        fields = "".join([*pending, content]).split()
        pending = []
        if fields:
            yield start, fields
    fields = "".join(pending).split()
    if fields:
        yield start, fields

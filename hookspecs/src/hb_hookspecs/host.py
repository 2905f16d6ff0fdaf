"""Facts of the machine a configuration depends on: what a directive's ``check_host`` returns,
what ``hb_resolve_resource`` raises, and the lookups plugins share.

The files may be right for the machine they were written for, so a missing fact is not an error
of the file: ``hb check`` warns, ``hb check --strict`` and ``hb start`` refuse (unless the problem
is only a ``warning``). Every lookup here reads the host and never changes it; a value the host
cannot even be asked about (a NUL byte, a name too long for the resolver) is reported like a
missing one, never raised.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class HostProblem:
    """Something this machine lacks for one ``ha.cf`` value.

    ``problem`` says what, ``fix`` how to put it right; both are shown as
    ``ha.cf:LINE: problem; fix`` at the value's line.
    """

    problem: str
    fix: str
    warning: bool = False
    """True when the value works without it, as heartbeat's does (a ``ping_group`` member
    that does not resolve): then a warning only, even for ``hb check --strict``."""


class HostError(Exception):
    """A haresources token this plugin handles names something missing on this machine (a
    script that is not installed here).

    Raised by ``hb_resolve_resource``; ``hb check`` shows it at the token's line as a fact of
    the host, like a :class:`HostProblem`.
    """

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}; {fix}")
        self.problem = problem
        self.fix = fix


def missing_interface(directive: str, interface: str) -> list[HostProblem]:
    """The problem of a heartbeat path on ``interface`` when this machine has no such network
    interface (an alias such as ``eth0:1`` counts as its own name)."""
    try:
        socket.if_nametoindex(interface)
    except (OSError, ValueError):  # ValueError: a NUL byte, which no interface name holds
        return [
            HostProblem(
                f"{directive}: interface [{interface}] does not exist",
                "name an interface of this machine (ip link), or rename the line's interface "
                "to the one this node uses",
            )
        ]
    return []


def missing_device(directive: str, path: str) -> list[HostProblem]:
    """The problem of a device path (a serial line, a watchdog) that does not exist here."""
    if os.path.exists(path):
        return []
    return [
        HostProblem(
            f"{directive} device {path} does not exist",
            "correct the path, or load the driver that creates it",
        )
    ]


def unresolvable(name: str) -> str | None:
    """Why ``name`` has no IPv4 address here, in the resolver's words, or None when it has one.

    As heartbeat resolves a host: a numeric address first (``inet_pton``), then the resolver
    (``gethostbyname``), so ``/etc/hosts`` and DNS both count. It may wait for DNS.
    """
    try:
        ipaddress.IPv4Address(name)
        return None
    except ValueError:
        pass
    try:
        socket.getaddrinfo(name, None, socket.AF_INET)
    except socket.gaierror as error:
        return error.strerror or "no address"
    except (OSError, UnicodeError, ValueError):  # the name cannot even be asked about
        return "no resolver can look this name up"
    return None

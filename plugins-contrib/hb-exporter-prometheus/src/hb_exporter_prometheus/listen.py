"""The ``metrics_listen`` directive: where the exporter serves, or ``off``.

``metrics_listen 127.0.0.1:9694`` (the default, also when the line is absent),
``metrics_listen [::1]:9694``, ``metrics_listen off``. The address is an IP literal (no name
lookup: ``hb check`` parses anywhere, and a name could resolve to another address at start); an
address that is not loopback is allowed, and ``hb check`` warns that it shows the cluster's state
to whoever reaches it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from hb_hookspecs import ArgumentError, Directive, HostProblem, Settings

DEFAULT_PORT = 9694
"""The exporter's port when ``ha.cf`` has no ``metrics_listen`` line (heartbeat's ``udpport``
is 694)."""


@dataclass(frozen=True)
class Listen:
    """An address and TCP port to serve on."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """True when only this machine can connect."""
        return ipaddress.ip_address(self.host).is_loopback


DEFAULT = Listen("127.0.0.1", DEFAULT_PORT)

_FORM = "write HOST:PORT with an IP address, e.g. 127.0.0.1:9694 or [::1]:9694, or off"


def parse_listen(text: str) -> Listen | None:
    """``HOST:PORT`` (an IPv6 address in brackets) as a :class:`Listen`, ``off`` as None.

    :raises ArgumentError: for anything else, saying what is wrong.
    """
    if text.lower() == "off":
        return None
    host, colon, port_text = text.rpartition(":")
    if not colon or not host:
        raise ArgumentError(f"{text} has no port", _FORM)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        if ":" not in host:
            raise ArgumentError(f"{text}: brackets hold an IPv6 address", _FORM)
    elif ":" in host:
        raise ArgumentError(f"{text}: an IPv6 address goes in brackets", _FORM)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ArgumentError(f"{host} is not an IP address", _FORM) from None
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ArgumentError(f"port {port_text} is not 1 to 65535", _FORM)
    return Listen(str(address), int(port_text))


def check_listen(value: Listen | None, settings: Settings) -> list[HostProblem]:
    """A warning for an address other than loopback: the page and the metrics show every
    node, link, resource group and event, without authentication."""
    if value is None or value.loopback:
        return []
    return [
        HostProblem(
            f"metrics_listen {value} exposes the cluster's state (nodes, links, resource groups, "
            "events) to every host that reaches it, without authentication",
            "keep 127.0.0.1 and scrape through a proxy or tunnel, or allow only the Prometheus "
            "server to this port in the firewall",
            warning=True,
        )
    ]


METRICS_LISTEN: Directive[Listen | None, Listen | None] = Directive(
    "metrics_listen",
    parse_listen,
    "where the Prometheus exporter and status page listen (HOST:PORT, or off)",
    default=DEFAULT,
    check_host=check_listen,
)
"""The directive this plugin owns."""

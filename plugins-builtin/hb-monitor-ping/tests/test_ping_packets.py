"""Echo packets, reply matching and the monitor factory, without a network."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hb_hookspecs import HealthMonitorType, Settings
from hb_monitor_ping import create_monitor, hb_register_health_monitors
from hb_monitor_ping.directives import PingGroup, PingHost
from hb_monitor_ping.echo_socket import EchoSocket
from hb_monitor_ping.icmp import (
    ECHO_REPLY,
    ECHO_REQUEST,
    HEADER,
    checksum,
    echo_data,
    echo_request,
    parse_echo_reply,
)
from hb_monitor_ping.monitor import LATE_ROUNDS, EchoBook, PingMonitor, PingNode, _resolve


def _reply_to(request: bytes, data: bytes | None = None) -> bytes:
    """What a host answers to ``request``: type 0, same identifier, sequence and data."""
    _, _, _, identifier, sequence = HEADER.unpack_from(request)
    body = request[HEADER.size :] if data is None else data
    unsigned = HEADER.pack(ECHO_REPLY, 0, 0, identifier, sequence) + body
    return HEADER.pack(ECHO_REPLY, 0, checksum(unsigned), identifier, sequence) + body


def _ip_header(payload: bytes, options: bytes = b"") -> bytes:
    words = 5 + len(options) // 4
    return (
        struct.pack(
            "!BBHHHBBH4s4s",
            0x40 | words,
            0,
            words * 4 + len(payload),
            0,
            0,
            64,
            socket.IPPROTO_ICMP,
            0,
            socket.inet_aton("10.0.0.2"),
            socket.inet_aton("10.0.0.1"),
        )
        + options
    )


# -- packets ------------------------------------------------------------------------------------


def test_checksum_of_a_known_header() -> None:
    # RFC 1071's example words: 0x0001 0xf203 0xf4f5 0xf6f7 sum to 0xddf2 (one's complement).
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == ~0xDDF2 & 0xFFFF
    assert checksum(b"\x01") == ~0x0100 & 0xFFFF


def test_an_echo_request_carries_the_marker_and_sequence_and_a_valid_checksum() -> None:
    packet = echo_request(0x1234, 7)
    kind, code, _, identifier, sequence = HEADER.unpack_from(packet)
    assert (kind, code, identifier, sequence) == (ECHO_REQUEST, 0, 0x1234, 7)
    assert packet[HEADER.size :] == echo_data(7)
    assert checksum(packet) == 0


def test_a_reply_is_parsed_with_or_without_the_ip_header() -> None:
    reply = _reply_to(echo_request(0x1234, 7))
    parsed = parse_echo_reply(reply, with_ip_header=False)
    assert parsed is not None
    assert (parsed.identifier, parsed.sequence, parsed.data) == (0x1234, 7, echo_data(7))
    assert parse_echo_reply(_ip_header(reply) + reply, with_ip_header=True) == parsed
    with_options = _ip_header(reply, options=b"\x01\x01\x01\x00") + reply
    assert parse_echo_reply(with_options, with_ip_header=True) == parsed


@pytest.mark.parametrize(
    "packet",
    [
        pytest.param(echo_request(1, 7), id="an echo request, not a reply"),
        pytest.param(_reply_to(echo_request(1, 7))[:-1] + b"X", id="a corrupt checksum"),
        pytest.param(_reply_to(echo_request(1, 7))[:6], id="truncated"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_but_a_sound_echo_reply_is_refused(packet: bytes) -> None:
    assert parse_echo_reply(packet, with_ip_header=False) is None


def test_a_raw_packet_that_is_not_ipv4_is_refused() -> None:
    reply = _reply_to(echo_request(1, 7))
    assert parse_echo_reply(b"\x60" + _ip_header(reply)[1:] + reply, with_ip_header=True) is None
    assert parse_echo_reply(_ip_header(reply)[:19], with_ip_header=True) is None


def test_a_reply_is_ours_with_our_data_and_on_a_raw_socket_our_identifier() -> None:
    ours = parse_echo_reply(_reply_to(echo_request(0x1234, 7)), with_ip_header=False)
    assert ours is not None
    assert ours.is_ours(0x1234) and ours.is_ours(None)
    assert not ours.is_ours(0x4321)
    foreign = parse_echo_reply(
        _reply_to(echo_request(0x1234, 7), data=b"abcdefgh"), with_ip_header=False
    )
    assert foreign is not None and not foreign.is_ours(None)
    other_sequence = parse_echo_reply(
        _reply_to(echo_request(0x1234, 7), data=echo_data(8)), with_ip_header=False
    )
    assert other_sequence is not None and not other_sequence.is_ours(None)


# -- matching replies to ping nodes -------------------------------------------------------------


def test_a_reply_from_a_pinged_host_shows_its_ping_node_alive_once() -> None:
    book = EchoBook({"10.0.0.1": ["10.0.0.1"]})
    book.sent(1)
    assert book.answered("10.0.0.1", 1) == ["10.0.0.1"]
    assert book.answered("10.0.0.1", 1) == [], "a duplicate reply"


def test_replies_from_hosts_we_did_not_ping_or_to_echoes_we_did_not_send_are_ignored() -> None:
    book = EchoBook({"10.0.0.1": ["10.0.0.1"]})
    book.sent(1)
    assert book.answered("10.0.0.9", 1) == []
    assert book.answered("10.0.0.1", 2) == []


def test_a_group_is_alive_once_per_round_whichever_member_answers() -> None:
    book = EchoBook({"uplinks": ["10.0.0.1", "10.0.0.2"], "10.0.0.2": ["10.0.0.2"]})
    assert book.addresses == ["10.0.0.1", "10.0.0.2"]
    book.sent(1)
    assert book.answered("10.0.0.2", 1) == ["uplinks", "10.0.0.2"]
    assert book.answered("10.0.0.1", 1) == []
    book.sent(2)
    assert book.answered("10.0.0.1", 2) == ["uplinks"]


def test_a_reply_may_trail_by_a_few_keepalives_but_not_more() -> None:
    book = EchoBook({"10.0.0.1": ["10.0.0.1"]})
    for sequence in range(1, LATE_ROUNDS + 2):
        book.sent(sequence)
    assert book.answered("10.0.0.1", 1) == [], "forgotten"
    assert book.answered("10.0.0.1", 2) == ["10.0.0.1"]


# -- opening the socket -------------------------------------------------------------------------


def test_without_datagram_or_raw_sockets_start_says_why_and_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(family: int, kind: int, proto: int) -> socket.socket:
        code = errno.EACCES if kind == socket.SOCK_DGRAM else errno.EPERM
        raise OSError(code, "refused")

    monkeypatch.setattr(socket, "socket", refuse)
    with pytest.raises(OSError) as raised:
        EchoSocket.open()
    message = str(raised.value)
    assert "datagram ICMP socket refused" in message
    assert "raw ICMP socket refused" in message
    assert 'sysctl -w net.ipv4.ping_group_range="0 2147483647"' in message
    assert "run hb as root" in message


class _NoDns:
    """A loop whose resolver knows no name (as here: no DNS) but reads numeric addresses."""

    async def getaddrinfo(self, host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host.replace(".", "").isdigit():
            return [(socket.AF_INET, socket.SOCK_RAW, 0, "", (host, 0))]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_an_unknown_host_is_logged_with_heartbeats_text_and_not_pinged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert asyncio.run(_resolve(_NoDns(), "gw.invalid")) is None  # type: ignore[arg-type]
    assert asyncio.run(_resolve(_NoDns(), "10.0.0.1")) == "10.0.0.1"  # type: ignore[arg-type]
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("ERROR", "unknown host: gw.invalid: Name or service not known")
    ]


def test_localhost_resolves_to_the_loopback_address() -> None:
    async def resolve() -> str | None:
        return await _resolve(asyncio.get_running_loop(), "localhost")

    assert asyncio.run(resolve()) == "127.0.0.1"


def test_a_group_is_pinged_without_its_unknown_members(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """As heartbeat's ping_group: the member is logged and left out, the group stays a ping
    node, and a ``ping`` host that does not resolve is a ping node nobody pings."""
    started: list[EchoBook] = []

    class NoSocket:
        kind = "datagram"

        @classmethod
        def open(cls) -> NoSocket:
            raise OSError("stop here: the book is built")

    async def start() -> None:
        loop = asyncio.get_running_loop()
        monkeypatch.setattr(loop, "getaddrinfo", _NoDns().getaddrinfo)
        monitor = PingMonitor(
            [
                PingNode("uplinks", ("gw.invalid", "10.0.0.2"), group=True),
                PingNode("ping1.linux-ha.org", ("ping1.linux-ha.org",)),
            ],
            1.0,
        )
        monkeypatch.setattr("hb_monitor_ping.monitor.EchoSocket", NoSocket)
        with pytest.raises(OSError, match="stop here"):
            await monitor.start(lambda observation: None)
        started.append(monitor._book)

    asyncio.run(start())
    book = started[0]
    assert book.addresses == ["10.0.0.2"]
    book.sent(1)
    assert book.answered("10.0.0.2", 1) == ["uplinks"]
    assert [record.getMessage() for record in caplog.records] == [
        "unknown host: gw.invalid: Name or service not known",
        "unknown host: ping1.linux-ha.org: Name or service not known",
    ]


# -- the factory --------------------------------------------------------------------------------


def settings_of(**given: Sequence[object]) -> Settings:
    return Settings("linuxha1", Path("/etc/ha.d"), given)


def test_registers_the_ping_monitor() -> None:
    registered: list[HealthMonitorType] = []
    hb_register_health_monitors(registered.append)
    assert [kind.name for kind in registered] == ["ping"]
    assert registered[0].create is create_monitor


def test_no_ping_nodes_no_monitor() -> None:
    assert create_monitor(settings_of()) is None


def test_one_monitor_for_every_ping_host_and_group_pinging_every_keepalive() -> None:
    settings = settings_of(
        ping=[PingHost("10.0.0.254"), PingHost("gateway.example.com")],
        ping_group=[PingGroup("uplinks", ("10.0.1.1", "10.0.1.2"))],
        keepalive=[250],
    )
    monitor = create_monitor(settings)
    assert isinstance(monitor, PingMonitor)
    assert monitor.name == "ping"
    assert monitor.interval_s == 0.25
    assert monitor.nodes == (
        PingNode("10.0.0.254", ("10.0.0.254",)),
        PingNode("gateway.example.com", ("gateway.example.com",)),
        PingNode("uplinks", ("10.0.1.1", "10.0.1.2"), group=True),
    )


def test_a_host_we_cannot_send_to_is_logged_once_per_run_of_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Unreachable:
        fail = True

        def send(self, address: str, sequence: int) -> None:
            if self.fail:
                raise OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH))

    monitor = PingMonitor([PingNode("10.0.0.1", ("10.0.0.1",))], 0.1)
    echo = Unreachable()
    for _ in range(5):
        monitor._send(echo, "10.0.0.1")  # type: ignore[arg-type]
    echo.fail = False
    monitor._send(echo, "10.0.0.1")  # type: ignore[arg-type]
    echo.fail = True
    monitor._send(echo, "10.0.0.1")  # type: ignore[arg-type]
    errors = [record.getMessage() for record in caplog.records]
    assert errors == ["ping 10.0.0.1: Error sending packet: Network is unreachable"] * 2

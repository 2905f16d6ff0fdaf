"""Serial media on pseudo-terminals: two nodes' lines joined by a null modem, or one line whose
far end the test holds (the pty master)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import tty
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hb_auth_sha1.sha1 import Sha1Authenticator
from hb_hookspecs import AuthMethod, Directive, KeyRule, Medium, Settings
from hb_media_serial import hb_register_directives
from hb_media_serial.framing import ClassicFramer
from hb_media_serial.serial_medium import QUEUE_SIZE, SerialMedium, chunk_pause
from hbcore.wire import Decoded, Encoding, Keyring, Message, decode, encode
from structlog.testing import capture_logs

FAST = 0.02
"""Pause between chunks in tests; the default is the time 512 bytes take on the line."""


def classic(number: int, padding: int = 0) -> bytes:
    return b">>>\nt=status\nseq=%x\n" % number + b"info=" + b"p" * padding + b"\n<<<\n"


def run(scenario: Callable[[], Awaitable[None]], timeout: float = 10) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario(), timeout)

    asyncio.run(bounded())


class Inbox:
    """Collects what a medium delivers."""

    def __init__(self) -> None:
        self.packets: list[bytes] = []
        self._arrived = asyncio.Event()

    def __call__(self, packet: bytes) -> None:
        self.packets.append(packet)
        self._arrived.set()

    async def wait_for(self, count: int) -> list[bytes]:
        while len(self.packets) < count:
            self._arrived.clear()
            await self._arrived.wait()
        return self.packets


@contextlib.contextmanager
def pty() -> Iterator[tuple[int, str]]:
    """A raw pty: (the far end's descriptor, the device path a medium opens)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        # The slave stays open so the master does not see EIO while no medium holds it.
        yield master, os.ttyname(slave)
    finally:
        for fd in (master, slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@contextlib.asynccontextmanager
async def null_modem() -> AsyncIterator[tuple[str, str]]:
    """Two ptys whose far ends are joined, as two machines' ports by a null-modem cable."""
    loop = asyncio.get_running_loop()
    with pty() as (master_a, device_a), pty() as (master_b, device_b):

        def forward(source: int, target: int) -> None:
            os.write(target, os.read(source, 4096))

        loop.add_reader(master_a, forward, master_a, master_b)
        loop.add_reader(master_b, forward, master_b, master_a)
        try:
            yield device_a, device_b
        finally:
            loop.remove_reader(master_a)
            loop.remove_reader(master_b)


@contextlib.asynccontextmanager
async def started(medium: SerialMedium, inbox: Callable[[bytes], None]) -> AsyncIterator[None]:
    await medium.start(inbox)
    try:
        yield
    finally:
        await medium.stop()


class FarEnd:
    """Reads what a medium wrote, by arrival time."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.reads: list[tuple[float, bytes]] = []
        self.framer = ClassicFramer()
        self.packets: list[bytes] = []
        self._arrived = asyncio.Event()
        asyncio.get_running_loop().add_reader(master, self._readable)

    def _readable(self) -> None:
        data = os.read(self.master, 65536)
        self.reads.append((time.monotonic(), data))
        self.packets.extend(self.framer.feed(data))
        self._arrived.set()

    async def wait_for(self, count: int) -> list[bytes]:
        while len(self.packets) < count:
            self._arrived.clear()
            await self._arrived.wait()
        return self.packets

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)


# ---------------------------------------------------------------------- exchanging messages


def test_two_nodes_exchange_heartbeats_over_a_null_modem() -> None:
    async def scenario() -> None:
        async with null_modem() as (device_a, device_b):
            inbox_a, inbox_b = Inbox(), Inbox()
            node_a, node_b = SerialMedium(device_a), SerialMedium(device_b)
            async with started(node_a, inbox_a), started(node_b, inbox_b):
                for number in range(3):
                    await node_a.send(classic(number))
                await node_b.send(classic(10))
                assert await inbox_b.wait_for(3) == [classic(n) for n in range(3)]
                assert await inbox_a.wait_for(1) == [classic(10)]

    run(scenario)


def test_a_long_message_goes_out_in_512_byte_chunks_and_is_reassembled() -> None:
    long = classic(1, padding=1400)
    assert len(long) > 2 * 512

    async def scenario() -> None:
        async with null_modem() as (device_a, device_b):
            inbox = Inbox()
            sender, receiver = SerialMedium(device_a, pause=0.1), SerialMedium(device_b)
            async with started(sender, Inbox()), started(receiver, inbox):
                begun = time.monotonic()
                await sender.send(long)
                assert await inbox.wait_for(1) == [long]
                assert time.monotonic() - begun >= 2 * 0.1

    run(scenario)


def test_chunks_are_written_a_pause_apart() -> None:
    long = classic(1, padding=1400)

    async def scenario() -> None:
        with pty() as (master, device):
            far = FarEnd(master)
            medium = SerialMedium(device, pause=0.1)
            async with started(medium, Inbox()):
                await medium.send(long)
                assert await far.wait_for(1) == [long]
            far.close()
            sizes = [len(data) for _, data in far.reads]
            assert sizes == [512, 512, len(long) - 1024]
            gaps = [b[0] - a[0] for a, b in zip(far.reads, far.reads[1:], strict=False)]
            assert all(gap >= 0.09 for gap in gaps)

    run(scenario)


def test_the_default_pause_is_512_bytes_at_the_configured_baud() -> None:
    assert chunk_pause(19200) == pytest.approx(0.2133, abs=1e-4)
    assert chunk_pause(9600) == pytest.approx(0.4267, abs=1e-4)
    assert SerialMedium("/dev/ttyS0").pause == pytest.approx(0.2133, abs=1e-4)
    assert SerialMedium("/dev/ttyS0", 115200).pause == pytest.approx(512 / 14400)


def test_describe_and_name_follow_heartbeat() -> None:
    medium = SerialMedium("/dev/ttyS1", 38400)
    assert medium.name == "/dev/ttyS1"
    assert medium.wire_format == "classic"
    assert medium.describe() == "Serial heartbeat on tty /dev/ttyS1 (38400 baud)"
    assert isinstance(medium, Medium)


# ---------------------------------------------------------------------- receiving


def test_garbage_before_a_message_is_skipped() -> None:
    async def scenario() -> None:
        with pty() as (master, device):
            inbox = Inbox()
            async with started(SerialMedium(device), inbox):
                os.write(master, b"\x00modem noise\nt=tail of a lost message\n<<<\njunk")
                os.write(master, b"\n" + classic(7))
                assert await inbox.wait_for(1) == [classic(7)]

    run(scenario)


def test_carriage_returns_and_bit_7_are_ignored_like_heartbeats_tty() -> None:
    mangled = bytes(byte | 0x80 for byte in classic(3).replace(b"\n", b"\r\n"))

    async def scenario() -> None:
        with pty() as (master, device):
            inbox = Inbox()
            async with started(SerialMedium(device), inbox):
                os.write(master, mangled)
                assert await inbox.wait_for(1) == [classic(3)]

    run(scenario)


# ---------------------------------------------------------------------- sending


def test_a_full_queue_drops_the_oldest_pending_message() -> None:
    async def scenario() -> None:
        with pty() as (master, device):
            far = FarEnd(master)
            medium = SerialMedium(device, pause=0.3)
            async with started(medium, Inbox()):
                await medium.send(classic(100, padding=600))
                await asyncio.sleep(0.05)  # the writer is now in the pause after chunk 1
                for number in range(QUEUE_SIZE + 4):
                    await medium.send(classic(number))
                assert medium.dropped == 4
                received = await far.wait_for(1 + QUEUE_SIZE)
            far.close()
            assert received == [classic(100, padding=600)] + [
                classic(n) for n in range(4, QUEUE_SIZE + 4)
            ]

    run(scenario)


def test_send_never_blocks_when_nobody_reads_the_line() -> None:
    async def scenario() -> None:
        with pty() as (_, device), capture_logs() as logs:
            medium = SerialMedium(device, pause=0)
            await medium.start(Inbox())
            begun = time.monotonic()
            for number in range(500):
                await medium.send(classic(number, padding=2000))
                await asyncio.sleep(0)
            assert time.monotonic() - begun < 0.5
            assert medium.dropped > 400
            # The loop stays responsive while the writer waits for the stuck line.
            for _ in range(10):
                slept = time.monotonic()
                await asyncio.sleep(0.07)
                assert time.monotonic() - slept < 0.2
            stopping = time.monotonic()
            await medium.stop()
            assert time.monotonic() - stopping < 0.5
        warnings = [entry["event"] for entry in logs if entry["log_level"] == "warning"]
        assert (
            f"TTY write timeout on [{device}] (no connection or bad cable? [see documentation])"
            in warnings
        )
        assert len(warnings) == len(set(warnings)), "each problem is logged once"

    run(scenario)


def test_a_packet_that_is_not_7_bit_is_refused() -> None:
    async def scenario() -> None:
        with pty() as (master, device), capture_logs() as logs:
            far = FarEnd(master)
            medium = SerialMedium(device)
            async with started(medium, Inbox()):
                await medium.send(b">>>\nt=status\nnode=caf\xc3\xa9\n<<<\n")
                await medium.send(b">>>\nt=status\ninfo=dos\r\n<<<\n")
                await medium.send(classic(1))
                assert await far.wait_for(1) == [classic(1)]
            far.close()
            assert b"caf" not in b"".join(data for _, data in far.reads)
        assert [entry["event"] for entry in logs] == [
            f"{device}: not sending a message that would arrive altered "
            "(byte 0xc3 at offset 21 is not 7-bit): serial lines are 7-bit"
        ]

    run(scenario)


def test_send_before_start_and_after_stop_is_ignored_and_stop_is_idempotent() -> None:
    async def scenario() -> None:
        with pty() as (_, device):
            medium = SerialMedium(device)
            await medium.send(classic(1))
            await medium.stop()
            await medium.start(Inbox())
            await medium.stop()
            await medium.stop()
            await medium.send(classic(2))
            assert not medium.connected

    run(scenario)


# ---------------------------------------------------------------------- the device


def test_a_missing_device_fails_start_naming_it() -> None:
    async def scenario() -> None:
        with pytest.raises(OSError, match=r"cannot open serial line /dev/ttyNOPE: No such file"):
            await SerialMedium("/dev/ttyNOPE").start(Inbox())

    run(scenario)


def test_a_file_that_is_not_a_tty_fails_start_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notatty"
    path.write_text("")

    async def scenario() -> None:
        with pytest.raises(OSError, match=f"cannot open serial line {path}: .*ioctl"):
            await SerialMedium(str(path)).start(Inbox())

    run(scenario)


def test_a_line_held_by_another_process_is_refused() -> None:
    async def scenario() -> None:
        with pty() as (_, device):
            async with started(SerialMedium(device), Inbox()):
                with pytest.raises(OSError, match="in use by another process"):
                    await SerialMedium(device).start(Inbox())

    run(scenario)


def test_a_vanished_device_is_reopened_when_it_comes_back(tmp_path: Path) -> None:
    link = tmp_path / "ttyHB"

    async def scenario() -> None:
        with capture_logs() as logs, pty() as (first_master, first_device), pty() as spare:
            link.symlink_to(first_device)
            inbox = Inbox()
            medium = SerialMedium(str(link), pause=FAST, reopen_interval=0.05)
            async with started(medium, inbox):
                os.write(first_master, classic(1))
                await inbox.wait_for(1)

                os.close(first_master)  # the cable is pulled
                cpu = time.process_time()
                await asyncio.sleep(0.3)
                assert not medium.connected
                assert time.process_time() - cpu < 0.15, "a dead line must not spin the loop"
                await medium.send(classic(2))  # lost with the line

                master, device = spare  # and put back
                link.unlink()
                link.symlink_to(device)
                while not medium.connected:
                    await asyncio.sleep(0.01)
                far = FarEnd(master)
                os.write(master, classic(3))
                assert await inbox.wait_for(2) == [classic(1), classic(3)]
                await medium.send(classic(4))
                assert await far.wait_for(1) == [classic(4)]
                far.close()
        events = [entry["event"] for entry in logs]
        lost = [event for event in events if "lost" in event]
        assert len(lost) == 1 and lost[0].startswith(f"Serial line {link} lost (")
        assert f"Serial line {link} reopened" in events

    run(scenario)


# ---------------------------------------------------------------------- configuration


def settings(**given: tuple[object, ...]) -> Settings:
    return Settings("node1", Path("/etc/ha.d"), given)


def media_of(directive: Directive, value: str, given: Settings) -> Sequence[Medium]:
    assert directive.medium is not None
    return directive.medium(value, given)


def registered_serial() -> Directive:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    [serial] = [directive for directive in registered if directive.medium is not None]
    assert serial.name == "serial"
    return serial


def test_create_makes_one_medium_per_device_at_the_configured_baud() -> None:
    [medium] = media_of(registered_serial(), "/dev/ttyS1", settings(baud=(38400,)))
    assert isinstance(medium, SerialMedium)
    assert (medium.name, medium.baud, medium.wire_format) == ("/dev/ttyS1", 38400, "classic")
    assert medium.pause == pytest.approx(512 / 4800)


def test_create_falls_back_to_19200_baud() -> None:
    [medium] = media_of(registered_serial(), "/dev/ttyS0", settings())
    assert isinstance(medium, SerialMedium) and medium.baud == 19200


# ---------------------------------------------------------------------- end to end


def test_a_signed_heartbeat_message_crosses_the_line_and_authenticates() -> None:
    sha1 = AuthMethod("sha1", KeyRule.REQUIRED, Sha1Authenticator, "test")
    keyring = Keyring(1, {1: (sha1, b"serial-secret")})
    message = Message.of(
        ("t", "status"),
        ("st", "active"),
        ("src", "node1"),
        ("seq", "2a"),
        ("info", "multi\nline " + "x" * 1200),
        ("srcuuid", bytes(range(16))),
    )
    packet = encode(message, keyring, Encoding.CLASSIC)
    assert len(packet) > 1024 and packet.startswith(b">>>\n") and not packet.endswith(b"\0")

    async def scenario() -> None:
        async with null_modem() as (device_a, device_b):
            inbox = Inbox()
            sender, receiver = SerialMedium(device_a, pause=FAST), SerialMedium(device_b)
            async with started(sender, Inbox()), started(receiver, inbox):
                await sender.send(packet)
                [arrived] = await inbox.wait_for(1)
        assert arrived == packet
        decoded = decode(arrived, keyring)
        assert isinstance(decoded, Decoded) and decoded.encoding is Encoding.CLASSIC
        assert decoded.message.get("info") == "multi\nline " + "x" * 1200
        assert decoded.message.get_binary("srcuuid") == bytes(range(16))

    run(scenario)

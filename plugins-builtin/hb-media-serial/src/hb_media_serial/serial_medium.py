"""Heartbeats over one serial line, as heartbeat's serial plugin sends and reads them.

The line is opened with pyserial (the configured baud, 8N1, RTS/CTS, CLOCAL, an exclusive
lock) and then used through its file descriptor, which pyserial leaves non-blocking: reads
come from a reader callback on the loop, writes from one writer task. pyserial is only the
portable way to set the tty up.

Sending never blocks the loop. ``send`` puts the packet in a small queue; when the line is
slower than the messages (or stuck: no cable, CTS low), the oldest pending message is dropped.
The writer splits each packet into 512-byte chunks with a pause of 512/(baud/8) s between
them, as heartbeat does so the peer's tty buffer never overflows. A chunk that cannot be
written for half a second is given up and the output flushed, and heartbeat's "TTY write
timeout" warning is logged once per stall.

A line that reports end of file or an I/O error (the other end closed, a USB adapter pulled)
is closed at once, so a dead descriptor cannot keep the loop busy; it is reopened every
``reopen_interval`` seconds until the device works again. Meanwhile what is sent is dropped,
as on a pulled cable; the peer's retransmission requests fill the gap.

On a pty, CRTSCTS is accepted and ignored (ptys have no modem lines), as is the baud rate, so
tests on ptys use the same settings as a real line.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import os
import termios
from collections.abc import Callable

import serial
import structlog

from hb_media_serial.directives import DEFAULT_BAUD
from hb_media_serial.framing import ClassicFramer, refusal

log = structlog.get_logger("hb.media.serial")

CHUNK = 512
QUEUE_SIZE = 16
"""Pending messages per line: about two seconds of status messages at 19200 baud."""
WRITE_TIMEOUT = 0.5
REOPEN_INTERVAL = 1.0
READ_SIZE = 4096
"""Bytes read per wake-up of the loop: one read, never a loop until the line is empty.

A flood cannot hold the loop: the loop polls level-triggered, so what is still buffered is read
at its next iteration, after the timers have run. One read completes at most ``READ_SIZE / 8``
messages (``>>>\\n<<<\\n`` is the shortest), and a real line brings at most a few hundred
bytes per 100 ms at 19200 baud.
"""


def chunk_pause(baud: int) -> float:
    """Heartbeat's pause between 512-byte chunks: their time on the line at 8 bits a byte."""
    return CHUNK / (baud / 8)


def open_line(device: str, baud: int) -> serial.Serial:
    """``device`` opened and set up as heartbeat sets its lines up; ``OSError`` naming it."""
    try:
        return serial.Serial(
            device,
            baud,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            rtscts=True,
            exclusive=True,
            timeout=0,
        )
    except (serial.SerialException, ValueError) as error:
        code = getattr(error, "errno", None)
        if code in (errno.EAGAIN, errno.EWOULDBLOCK):
            reason = "it is in use by another process"
        elif code:
            reason = os.strerror(code)
        else:
            reason = str(error)
        raise OSError(code or errno.EINVAL, f"cannot open serial line {device}: {reason}") from None


def _ignore(packet: bytes) -> None:
    """Where packets go before ``start``."""


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class SerialMedium:
    """One ``serial`` device."""

    wire_format = "classic"

    def __init__(
        self,
        device: str,
        baud: int = DEFAULT_BAUD,
        *,
        pause: float | None = None,
        reopen_interval: float = REOPEN_INTERVAL,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.name = device
        self.baud = baud
        self.pause = chunk_pause(baud) if pause is None else pause
        self.reopen_interval = reopen_interval
        self.dropped = 0
        """Messages dropped because the queue was full."""
        self._queue: collections.deque[bytes] = collections.deque(maxlen=queue_size)
        self._queued = asyncio.Event()
        self._framer = ClassicFramer()
        self._port: serial.Serial | None = None
        self._deliver: Callable[[bytes], None] = _ignore
        self._writer: asyncio.Task[None] | None = None
        self._reopener: asyncio.Task[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._overflowing = False
        self._stalled = False
        self._refused = False

    @property
    def connected(self) -> bool:
        """True while the device is open (False after it vanished, until it is reopened)."""
        return self._port is not None

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self._deliver = deliver
        self._attach(open_line(self.name, self.baud))
        self._writer = asyncio.get_running_loop().create_task(self._write_forever())

    async def send(self, packet: bytes) -> None:
        if self._writer is None or self._port is None:
            # Not started, stopped, or the device is gone: lost, as on a pulled cable.
            return
        problem = refusal(packet)
        if problem is not None:
            if not self._refused:
                self._refused = True
                log.warning(
                    f"{self.name}: not sending a message that would arrive altered "
                    f"({problem}): serial lines are 7-bit",
                    medium=self.name,
                )
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
            if not self._overflowing:
                self._overflowing = True
                log.warning(
                    f"{self.name}: line slower than the messages sent, dropping the oldest",
                    medium=self.name,
                )
        self._queue.append(packet)
        self._queued.set()

    async def stop(self) -> None:
        for task in (self._writer, self._reopener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._writer = self._reopener = None
        self._queue.clear()
        self._detach()

    def describe(self) -> str:
        return f"Serial heartbeat on tty {self.name} ({self.baud} baud)"

    # ------------------------------------------------------------------ the device

    def _attach(self, port: serial.Serial) -> None:
        self._port = port
        self._framer.reset()
        asyncio.get_running_loop().add_reader(port.fileno(), self._readable, port.fileno())

    def _detach(self) -> None:
        """Close the device, unhooking it from the loop before its descriptor is reused."""
        port, self._port = self._port, None
        if port is None:
            return
        loop = asyncio.get_running_loop()
        fd = port.fileno()
        loop.remove_reader(fd)
        loop.remove_writer(fd)
        if self._writable is not None:
            _wake(self._writable)
        # Unsent output would make close() wait for the line (up to 30 s with CTS low).
        with contextlib.suppress(OSError, termios.error):
            termios.tcflush(fd, termios.TCOFLUSH)
        with contextlib.suppress(OSError):
            port.close()

    def _lost(self, reason: str) -> None:
        if self._port is None:
            return
        self._detach()
        log.warning(
            f"Serial line {self.name} lost ({reason}); reopening it every "
            f"{self.reopen_interval:g} s",
            medium=self.name,
        )
        self._reopener = asyncio.get_running_loop().create_task(self._reopen())

    async def _reopen(self) -> None:
        while True:
            await asyncio.sleep(self.reopen_interval)
            try:
                port = open_line(self.name, self.baud)
            except OSError:
                continue
            self._attach(port)
            log.info(f"Serial line {self.name} reopened", medium=self.name)
            return

    # ------------------------------------------------------------------ receiving

    def _readable(self, fd: int) -> None:
        try:
            data = os.read(fd, READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(error.strerror or str(error))
            return
        if not data:
            self._lost("end of file")
            return
        oversized = self._framer.oversized
        packets = self._framer.feed(data)
        if self._framer.oversized != oversized:
            log.error(f"serial_read:serial_pkt exceeds MAXMSG on {self.name}", medium=self.name)
        for packet in packets:
            self._deliver(packet)

    # ------------------------------------------------------------------ sending

    async def _write_forever(self) -> None:
        while True:
            while not self._queue:
                self._overflowing = False
                self._queued.clear()
                await self._queued.wait()
            packet = self._queue.popleft()
            for offset in range(0, len(packet), CHUNK):
                if offset:
                    await asyncio.sleep(self.pause)
                if not await self._write_chunk(memoryview(packet)[offset : offset + CHUNK]):
                    break
            else:
                # A whole message went out: the next stall deserves its own warning.
                self._stalled = False

    async def _write_chunk(self, chunk: memoryview) -> bool:
        """Write all of ``chunk``; False when the line is gone or stuck (the message is lost)."""
        while chunk:
            port = self._port
            if port is None:
                return False
            fd = port.fileno()
            try:
                chunk = chunk[os.write(fd, chunk) :]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as error:
                self._lost(error.strerror or str(error))
                return False
            if chunk and not await self._wait_writable(fd):
                self._give_up(fd)
                return False
        return True

    async def _wait_writable(self, fd: int) -> bool:
        loop = asyncio.get_running_loop()
        self._writable = waiter = loop.create_future()
        loop.add_writer(fd, _wake, waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), WRITE_TIMEOUT)
        except TimeoutError:
            return False
        finally:
            if self._port is not None and self._port.fileno() == fd:
                loop.remove_writer(fd)
            self._writable = None
        return True

    def _give_up(self, fd: int) -> None:
        if self._port is None:
            return
        with contextlib.suppress(OSError, termios.error):
            termios.tcflush(fd, termios.TCOFLUSH)
        if not self._stalled:
            self._stalled = True
            log.warning(
                f"TTY write timeout on [{self.name}] (no connection or bad cable? "
                "[see documentation])",
                medium=self.name,
            )

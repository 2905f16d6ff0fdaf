"""systemd's end of the notify protocol, for tests: a unix datagram socket and a reader thread."""

from __future__ import annotations

import socket
import threading
import time


class SystemdStandIn:
    """The service manager's end: a unix datagram socket read by a thread (systemd reads at
    once; the kernel queues only a few datagrams), recording what arrives and when."""

    def __init__(self, address: str) -> None:
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(address)
        self.socket.settimeout(0.05)
        self.arrived: list[tuple[float, str]] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closing.is_set():
            try:
                datagram = self.socket.recv(4096)
            except TimeoutError:
                continue
            self.arrived.append((time.monotonic(), datagram.decode()))

    def received(self) -> list[tuple[float, str]]:
        time.sleep(0.1)  # the last datagram may still be on its way to the thread
        return list(self.arrived)

    def close(self) -> None:
        self._closing.set()
        self._thread.join()
        self.socket.close()

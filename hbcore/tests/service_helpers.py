"""What the service tests share: systemd's end of the notify socket, and one hb node alone on
loopback with its files in a temporary directory."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hbcore.state.paths import NodePaths
from hbcore.testing.media import free_udp_port

HB = Path(sys.executable).with_name("hb")
NODE = "linuxha1"
STEP_TIMEOUT_S = 20.0
PLUGINS = "media-ucast,auth-sha1"
"""Only what the node needs: no watchdog plugin, so what systemd hears comes from the core."""


class NotifyListener:
    """systemd's end of ``NOTIFY_SOCKET``: a unix datagram socket read at once by a thread (the
    kernel queues only 10 datagrams), recording each notification and when it came."""

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

    def states(self) -> list[str]:
        """Every notification so far, its first line (``RELOADING=1`` carries a second)."""
        return [state.splitlines()[0] for _, state in self.arrived]

    def times_of(self, state: str) -> list[float]:
        return [at for at, sent in self.arrived if sent.splitlines()[0] == state]

    def close(self) -> None:
        self._closing.set()
        self._thread.join()
        self.socket.close()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


class LoneNode:
    """The files of one node that hears itself over ucast on lo, with no resources."""

    def __init__(self, root: Path) -> None:
        port = free_udp_port()
        self.config_dir = root / "ha.d"
        self.paths = NodePaths(self.config_dir, root / "state", root / "run")
        self.log = root / "ha-log"
        self.config_dir.mkdir()
        hacf = [
            f"logfile {self.log}",
            "keepalive 100ms",
            "deadtime 500ms",
            "warntime 300ms",
            "initdead 1",
            f"udpport {port}",
            f"ucast lo 127.0.0.1:{port}",
            "realtime off",
            f"node {NODE}",
        ]
        (self.config_dir / "ha.cf").write_text("".join(f"{line}\n" for line in hacf))
        (self.config_dir / "haresources").write_text("# membership only\n")
        authkeys = self.config_dir / "authkeys"
        authkeys.write_text("auth 1\n1 sha1 service-test\n")
        authkeys.chmod(0o600)

    def path_options(self) -> list[str]:
        return ["-c", str(self.config_dir), "--state-dir", str(self.paths.state_dir),
                "--run-dir", str(self.paths.run_dir)]  # fmt: skip

    def start_argv(self, *options: str) -> list[str]:
        return [str(HB), "start", "--plugins", PLUGINS, "--node-name", NODE,
                *self.path_options(), *options]  # fmt: skip

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> subprocess.CompletedProcess[str]:
        argv = [str(HB), "stop", "--run-dir", str(self.paths.run_dir)]
        return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)


def end(process: subprocess.Popen[bytes]) -> None:
    """Make sure a node we started is gone (a test that failed half-way left it running)."""
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""A real ``hb start --foreground`` node with ``watchdog FIFO``: SIGSTOP it and the emulated
watchdog fires within its timeout; ``hb stop`` it and the watchdog is disarmed.

(systemd's watchdog is the core's: ``hbcore/tests/test_sd_notify.py``.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hb_monitor_watchdog.device import timeout_seconds
from watchdog_emulator import DISARMED, FIRED, MAGIC_CLOSE, WatchdogEmulator

HB = Path(sys.executable).with_name("hb")
NODE = "watchdognode"
DEADTIME_MS = 1000
TIMEOUT_S = timeout_seconds(DEADTIME_MS)
"""2 s: what hb asks of a real device for this deadtime, so what the emulator applies."""
START_TIMEOUT_S = 30.0
MARGIN_S = 1.0

HACF = """logfile {log}
keepalive 100ms
deadtime {deadtime}ms
warntime 500ms
initdead 2
udpport {port}
ucast lo 127.0.0.1:{peer_port}
realtime off
node {node}
watchdog {fifo}
"""


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class HbNode:
    process: subprocess.Popen[bytes]
    log: Path
    run_dir: Path

    def wait_for_log(self, text: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while text not in (self.log.read_text() if self.log.exists() else ""):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"hb never logged {text!r} (exit {self.process.poll()})")
            time.sleep(0.05)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[WatchdogEmulator]:
    with WatchdogEmulator(tmp_path / "watchdog", TIMEOUT_S) as running:
        yield running


@pytest.fixture
def node(tmp_path: Path, emulator: WatchdogEmulator) -> Iterator[HbNode]:
    """One hb node of ours (single-node cluster over ucast on lo), kicking the emulator."""
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir()
    log = tmp_path / "ha-log"
    hacf = HACF.format(
        log=log,
        deadtime=DEADTIME_MS,
        port=_free_udp_port(),
        peer_port=_free_udp_port(),
        node=NODE,
        fifo=emulator.path,
    )
    (config_dir / "ha.cf").write_text(hacf)
    (config_dir / "haresources").write_text("# membership only\n")
    authkeys = config_dir / "authkeys"
    authkeys.write_text("auth 1\n1 sha1 watchdog-test\n")
    authkeys.chmod(0o600)
    run_dir = tmp_path / "run"
    argv = [str(HB), "start", "--foreground", "--node-name", NODE, "-c", str(config_dir),
            "--state-dir", str(tmp_path / "state"), "--run-dir", str(run_dir)]  # fmt: skip
    with (tmp_path / "console.log").open("ab") as console:
        process = subprocess.Popen(argv, stdout=console, stderr=console)
    started = HbNode(process, log, run_dir)
    try:
        started.wait_for_log(f"Using watchdog device: {emulator.path}")
        emulator.wait_for(lambda e: e.kicks >= 3, START_TIMEOUT_S)
        yield started
    finally:
        process.send_signal(signal.SIGKILL)
        process.send_signal(signal.SIGCONT)
        process.wait()


def test_a_sigstopped_hb_node_is_caught_by_the_watchdog(
    emulator: WatchdogEmulator, node: HbNode
) -> None:
    time.sleep(TIMEOUT_S + 0.5)
    assert not emulator.happened(FIRED), "a healthy node let the watchdog fire"
    stopped_at = time.monotonic()
    os.kill(node.process.pid, signal.SIGSTOP)
    fired_at = emulator.wait_for(lambda e: e.state == FIRED, TIMEOUT_S + 2 * MARGIN_S)
    assert fired_at - stopped_at <= TIMEOUT_S + MARGIN_S


def test_hb_stop_disarms_the_watchdog(emulator: WatchdogEmulator, node: HbNode) -> None:
    time.sleep(TIMEOUT_S + 0.5)
    stop = subprocess.run(
        [str(HB), "stop", "--run-dir", str(node.run_dir)], capture_output=True, timeout=60
    )
    assert stop.returncode == 0, stop.stderr
    assert node.process.wait(30) == 0
    emulator.wait_for(lambda e: e.happened(MAGIC_CLOSE), 5)
    time.sleep(TIMEOUT_S + 0.5)
    assert emulator.state == DISARMED and not emulator.happened(FIRED)
    assert emulator.received.endswith(b"V")

"""The failover demo without root: two hb nodes on this machine's loopback.

Without root there are no network namespaces and no addresses to move, so the two nodes talk
``ucast`` over ``lo`` on two ports (``udpport`` 7001 and 7002, each sending to the other's) and
the resource is a stand-in for the cluster address: a ``resource.d`` script that marks which
node holds it (a file per holder). Everything else is the real thing: the node processes, the
protocol, death detection, takeover and failback, printed as a timeline.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hb_lab.timeline import Timeline

NODES = {"linuxha1": 7001, "linuxha2": 7002}
RESOURCE = "demo-address"
STEP_TIMEOUT_S = 60.0
POLL_S = 0.01

_SCRIPT = """#!/bin/sh
# {name}: stands in for the cluster address in the loopback demo (start | stop | status).
MARK={holders}/$HA_CURHOST
case "$1" in
start) touch "$MARK" ;;
stop) rm -f "$MARK" ;;
status) if [ -e "$MARK" ]; then echo "{name} is running"; else echo "{name} is stopped"; fi ;;
esac
exit 0
"""

_HACF = """logfile {log}
keepalive 100ms
deadtime 500ms
warntime 300ms
initdead 2
udpport {port}
ucast lo 127.0.0.1:{peer_port}
auto_failback on
realtime off
node linuxha1
node linuxha2
"""


class LoopbackNode:
    """One hb node of the loopback demo, with its own directories under ``root``."""

    def __init__(self, root: Path, name: str, holders: Path) -> None:
        self.name = name
        self.directory = root / name
        self.config_dir = self.directory / "ha.d"
        self.log = self.directory / "ha-log"
        self.marker = holders / name
        self.process: subprocess.Popen[bytes] | None = None

    def write_config(self, holders: Path) -> None:
        port = NODES[self.name]
        peer_port = next(p for n, p in NODES.items() if n != self.name)
        resource_d = self.config_dir / "resource.d"
        resource_d.mkdir(parents=True)
        (self.config_dir / "ha.cf").write_text(
            _HACF.format(log=self.log, port=port, peer_port=peer_port)
        )
        (self.config_dir / "haresources").write_text(f"linuxha1 {RESOURCE}\n")
        authkeys = self.config_dir / "authkeys"
        authkeys.write_text("auth 1\n1 sha1 loopback-demo\n")
        authkeys.chmod(0o600)
        script = resource_d / RESOURCE
        script.write_text(_SCRIPT.format(name=RESOURCE, holders=holders))
        script.chmod(0o755)

    def start(self) -> None:
        hb = str(Path(sys.executable).with_name("hb"))
        argv = [hb, "start", "--foreground", "--node-name", self.name,
                "-c", str(self.config_dir), "--state-dir", str(self.directory / "state"),
                "--run-dir", str(self.directory / "run")]  # fmt: skip
        console = (self.directory / "console.log").open("ab")
        self.process = subprocess.Popen(argv, stdout=console, stderr=console)

    def kill(self) -> None:
        """SIGKILL this node's hb process (ours, by its pid) and drop its marker, as a machine
        that died would lose its address."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.marker.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_for_log(self, text: str, after: int) -> tuple[float, int]:
        """When ``text`` appeared in the log after offset ``after``, and the new offset."""
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while time.monotonic() < deadline:
            data = self.log.read_bytes() if self.log.exists() else b""
            found = data.find(text.encode(), after)
            if found >= 0:
                return time.monotonic(), data.index(b"\n", found) + 1
            time.sleep(POLL_S)
        raise TimeoutError(f"{self.name} never logged {text!r}")

    def check_running(self) -> None:
        """Raise ``RuntimeError`` with the end of the node's output if its hb has stopped."""
        if self.process is None or self.process.poll() is None:
            return
        console = self.directory / "console.log"
        said = console.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(
            f"hb on {self.name} stopped (exit status {self.process.returncode}): "
            + (" / ".join(said) or "it said nothing")
        )

    def log_end(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0


def _wait_for(condition: Callable[[], bool], what: str, *running: LoopbackNode) -> float:
    """When ``condition`` came true; a node of ``running`` that stops meanwhile ends the wait
    at once with what it said (a port another program holds, say), not a minute later."""
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        for node in running:
            node.check_running()
        time.sleep(POLL_S)
    raise TimeoutError(f"never happened: {what}")


def run_loopback_demo(print_line: Callable[[str], None] = print) -> None:
    """Fail over and back on loopback; print the timeline. Every process is stopped at the end."""
    print_line("not root: running the demo on loopback (ucast on ports 7001/7002, a stand-in")
    print_line("resource instead of an address); run as root for the network-namespace demo.")
    timeline = Timeline(print_line)
    with tempfile.TemporaryDirectory(prefix="hb-demo-") as temporary:
        root = Path(temporary)
        holders = root / "holders"
        holders.mkdir()
        nodes = {name: LoopbackNode(root, name, holders) for name in NODES}
        for node in nodes.values():
            node.write_config(holders)
        first, second = nodes["linuxha1"], nodes["linuxha2"]
        try:
            for node in nodes.values():
                node.start()
            at = _wait_for(
                lambda: first.marker.exists(), "linuxha1 holds the resource", *nodes.values()
            )
            timeline.note(at, "the resource is held by linuxha1")
            time.sleep(2.5)  # past initdead
            mark = second.log_end()
            timeline.zero = time.monotonic()
            first.kill()
            timeline.note(timeline.zero, "kill -9 linuxha1")
            at, mark = second.wait_for_log("node linuxha1: is dead", mark)
            timeline.note(at, "linuxha2: node linuxha1: is dead")
            at = _wait_for(lambda: second.marker.exists(), "linuxha2 takes the resource", second)
            timeline.note(at, "the resource is held by linuxha2")
            time.sleep(2)
            timeline.note(time.monotonic(), "start linuxha1 again (auto_failback on)")
            first.start()
            at = _wait_for(
                lambda: first.marker.exists() and not second.marker.exists(),
                "the resource fails back to linuxha1",
                *nodes.values(),
            )
            timeline.note(at, "the resource is held by linuxha1 again")
        finally:
            for node in nodes.values():
                node.stop()

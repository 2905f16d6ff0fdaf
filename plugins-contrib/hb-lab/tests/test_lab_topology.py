"""The lab itself: namespaces that come and go without a trace, links that carry bcast and
unicast, faults on demand, null-modem cables, frozen and killed nodes, and ``hb lab``."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hb_lab.commands import HEARTBEAT
from hb_lab.lab import Lab, LabSpec, Node, TemplateCommand, socket_in_netns
from hb_lab.netns import netns_list

pytestmark = [
    pytest.mark.netns,
    pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root"),
]

PORT = 7001
HB = Path(sys.executable).with_name("hb")


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab.create(LabSpec(nodes=3, serial_cables=1)) as running:
        yield running


def _receiver(node: Node, interface: str = "eth1") -> socket.socket:
    sock = socket_in_netns(node.netns)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    sock.bind(("0.0.0.0", PORT))
    sock.settimeout(0.3)
    return sock


def _sender(node: Node, interface: str = "eth1") -> socket.socket:
    sock = socket_in_netns(node.netns)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    return sock


def _drain(sock: socket.socket, timeout: float = 0.05) -> list[bytes]:
    got = []
    sock.settimeout(timeout)
    try:
        while True:
            got.append(sock.recv(2048))
    except (TimeoutError, BlockingIOError):
        return got


def _delivered(tx: socket.socket, rx: socket.socket, address: str, within: float) -> bool:
    """Send a datagram every 50 ms until one arrives or ``within`` seconds pass."""
    _drain(rx, 0)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        tx.sendto(b"probe", (address, PORT))
        if _drain(rx, 0.05):
            return True
    return False


def _lab_traces(prefix: str) -> list[str]:
    """Everything of lab ``prefix`` still on the machine: namespaces, mounts, directories."""
    traces = [name for name in netns_list() if name.startswith(prefix)]
    mounts = Path("/proc/self/mountinfo").read_text()
    traces += [line for line in mounts.splitlines() if prefix in line]
    if Path("/run/hb-lab", prefix).exists():
        traces.append(f"/run/hb-lab/{prefix}")
    return traces


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


# -- life and death of a lab -----------------------------------------------------------------


def test_lab_up_then_down_leaves_no_namespace_process_mount_or_file() -> None:
    with Lab.create(LabSpec(nodes=2, serial_cables=1)) as lab:
        lab.start(TemplateCommand("sleep 600"))
        assert _wait_for(lambda: all(node.pids() for node in lab.nodes))
        prefix = lab.prefix
        pids = [pid for node in lab.nodes for pid in (node.anchor_pid, *node.pids())]
        pids += [cable.forwarder_pid for cable in lab.cables]
        assert len([n for n in netns_list() if n.startswith(prefix)]) == 4
    assert _lab_traces(prefix) == []
    assert [pid for pid in pids if _alive(pid)] == []


def test_a_lab_whose_owner_died_is_swept_by_the_next_lab() -> None:
    orphan = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; from hb_lab.lab import Lab, LabSpec; "
            "print(Lab.create(LabSpec(nodes=1)).prefix, flush=True); os._exit(0)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert _lab_traces(orphan)
    with Lab.create(LabSpec(nodes=1, client=False)):
        assert _lab_traces(orphan) == []


def test_sigterm_to_the_owner_tears_its_lab_down() -> None:
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from hb_lab.lab import Lab, LabSpec; "
            "print(Lab.create(LabSpec(nodes=1)).prefix, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    prefix = owner.stdout.readline().strip()
    assert _lab_traces(prefix)
    owner.send_signal(signal.SIGTERM)
    assert owner.wait(timeout=10) == 128 + signal.SIGTERM
    assert _lab_traces(prefix) == []


# -- nodes and links ---------------------------------------------------------------------------


def test_each_node_has_its_own_hostname_and_ha_d(lab: Lab) -> None:
    for node in lab.nodes:
        (node.dirs.ha_d / "marker").write_text(node.name)
        assert node.run(["uname", "-n"]).stdout.strip() == node.name
        assert node.run(["cat", "/etc/ha.d/marker"]).stdout == node.name
        assert node.run(["test", "-x", "/etc/ha.d/harc"], check=False).returncode == 0
    assert not Path("/etc/ha.d/marker").exists()


def test_a_process_on_node_a_reaches_node_b_over_eth1(lab: Lab) -> None:
    a, b = lab.nodes[0], lab.nodes[1]
    with _receiver(b) as rx:
        script = "import socket,sys; socket.socket(2, 2).sendto(b'hello', (sys.argv[1], 7001))"
        a.run([sys.executable, "-c", script, b.addresses["eth1"]])
        data, (source, _port) = rx.recvfrom(100)
    assert (data, source) == (b"hello", a.addresses["eth1"])


def test_a_broadcast_on_eth1_reaches_every_other_node(lab: Lab) -> None:
    sender, *others = lab.nodes
    receivers = [_receiver(node) for node in others]
    with _sender(sender) as tx:
        tx.sendto(b"bcast", (lab.wiring.network("eth1").broadcast, PORT))
        assert [rx.recv(100) for rx in receivers] == [b"bcast"] * len(others)
    for rx in receivers:
        rx.close()


def test_a_process_on_the_client_reaches_a_node_on_the_public_network(lab: Lab) -> None:
    assert lab.client is not None
    node = lab.nodes[0]
    with _receiver(node, "eth0") as rx:
        script = "import socket,sys; socket.socket(2, 2).sendto(b'hi', (sys.argv[1], 7001))"
        lab.client.run([sys.executable, "-c", script, node.addresses["eth0"]])
        data, (source, _port) = rx.recvfrom(100)
    assert (data, source) == (b"hi", lab.client.address)


@pytest.mark.parametrize("how", ["switch", "nft"])
def test_a_cut_link_drops_traffic_and_restoring_it_brings_it_back(lab: Lab, how: str) -> None:
    a, b = lab.nodes[0], lab.nodes[1]
    with _sender(a) as tx, _receiver(b) as rx:
        address = b.addresses["eth1"]
        assert _delivered(tx, rx, address, within=2)
        lab.cut_link(b.name, "eth1", how)
        try:
            assert not _delivered(tx, rx, address, within=0.5)
        finally:
            lab.restore_link(b.name, "eth1", how)
        assert _delivered(tx, rx, address, within=2)


def test_random_loss_drops_roughly_the_asked_share(lab: Lab) -> None:
    a, b = lab.nodes[0], lab.nodes[1]
    with _sender(a) as tx, _receiver(b) as rx:
        address = b.addresses["eth1"]
        assert _delivered(tx, rx, address, within=2)
        lab.set_loss(b.name, "eth1", 30, direction="in")
        try:
            received = 0
            for _batch in range(20):
                for _ in range(50):
                    tx.sendto(b"x", (address, PORT))
                received += len(_drain(rx))
        finally:
            lab.clear_loss(b.name, "eth1")
        assert _delivered(tx, rx, address, within=2)
    assert 600 <= received <= 800, f"{received} of 1000 arrived with 30% loss"


def test_a_null_modem_cable_carries_bytes_both_ways_until_cut(lab: Lab) -> None:
    cable = lab.cables[0]
    a = os.open(cable.a_device, os.O_RDWR | os.O_NOCTTY)
    b = os.open(cable.b_device, os.O_RDWR | os.O_NOCTTY)
    try:
        for fd in (a, b):
            tty.setraw(fd, termios.TCSANOW)

        def carries(source: int, sink: int, data: bytes) -> bool:
            os.write(source, data)
            received = b""
            while select.select([sink], [], [], 0.3)[0]:
                received += os.read(sink, 100)
                if received == data:
                    return True
            return False

        assert carries(a, b, b"ping\x00\xff")
        assert carries(b, a, b"pong\n")
        cable.cut()
        assert not carries(a, b, b"lost")
        cable.restore()
        assert carries(b, a, b"back")
    finally:
        os.close(a)
        os.close(b)


# -- processes ---------------------------------------------------------------------------------


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_sigstop_freezes_a_node_sigcont_thaws_it_sigkill_kills_it(lab: Lab) -> None:
    node = lab.nodes[2]
    node.start(TemplateCommand("sleep 600"))
    assert _wait_for(node.pids)
    (pid,) = node.pids()
    assert node.freeze() == [pid]
    assert _wait_for(lambda: _state(pid) == "T")
    assert node.thaw() == [pid]
    assert _wait_for(lambda: _state(pid) == "S")
    node.kill()
    assert node.pids() == []
    # Collected, not left a zombie: a pid file check (heartbeat's) takes a zombie for running.
    assert not Path(f"/proc/{pid}").exists()
    assert node.run(["uname", "-n"]).stdout.strip() == node.name, "the node survives its process"


def test_stop_terminates_what_runs_on_a_node(lab: Lab) -> None:
    node = lab.nodes[2]
    node.start(TemplateCommand("sleep 600"))
    assert _wait_for(node.pids)
    node.stop(timeout=5)
    assert node.pids() == []


def test_wait_for_log_returns_only_lines_written_after_the_mark(lab: Lab) -> None:
    node = lab.nodes[0]
    node.run(["sh", "-c", "echo 'old: is dead' >> /var/log/ha-log"])
    mark = node.log_mark()
    node.spawn(["sh", "-c", "sleep 0.2; echo 'node x: is dead' >> /var/log/ha-log"])
    found = node.wait_for_log(": is dead", timeout=5, after=mark)
    assert found.line == "node x: is dead"
    with pytest.raises(TimeoutError):
        node.wait_for_log("never written", timeout=0.1, after=found.end)


# -- hb lab ------------------------------------------------------------------------------------


def _hb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HB), *args], capture_output=True, text=True, check=True, timeout=60)


def test_hb_lab_up_status_down_from_separate_processes() -> None:
    name = f"test-{os.getpid()}"
    _hb("lab", "up", "--name", name, "--nodes", "2", "--nets", "2", "--command", "sleep 600")
    try:
        (report,) = json.loads(_hb("lab", "status", "--name", name, "--json").stdout)
        assert report["owner"] is None
        assert [node["name"] for node in report["nodes"]] == ["linuxha1", "linuxha2"]
        assert report["nodes"][1]["addresses"] == {
            "eth0": "10.77.1.2",
            "eth1": "10.77.2.2",
            "eth2": "10.77.3.2",
        }
        assert all(len(node["pids"]) == 1 for node in report["nodes"])
        ha_cf = Path(report["directory"], "nodes", "linuxha1", "etc-ha.d", "ha.cf").read_text()
        assert "bcast eth1 eth2\n" in ha_cf
        again = subprocess.run(
            [str(HB), "lab", "up", "--name", name], capture_output=True, text=True, check=False
        )
        assert again.returncode == 1
        assert f"a lab named {name} exists" in again.stderr
    finally:
        _hb("lab", "down", "--name", name)
    assert _lab_traces(report["prefix"]) == []


def _up(name: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``hb lab up`` with its standard output and error on pipes. run() returns only once
    nothing holds them open any more: a node that kept them would run into the timeout."""
    return subprocess.run(
        [str(HB), "lab", "up", "--name", name, *options],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _cmdlines(node: Node) -> list[str]:
    return [Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ") for pid in node.pids()]


def test_hb_lab_up_starts_hb_nodes_and_returns_though_its_output_is_a_pipe() -> None:
    name = f"test-hb-{os.getpid()}"
    try:
        up = _up(name, "--media", "bcast,serial", "--keepalive", "0.2", "--deadtime", "2")
        assert up.returncode == 0, up.stderr
        assert up.stdout.startswith(f"lab {name} (")
        lab = Lab.attach(name)
        linuxha1, linuxha2 = lab.nodes
        linuxha1.wait_for_log("Link linuxha2:eth1 up.", timeout=30)
        linuxha2.wait_for_log("Link linuxha1:eth1 up.", timeout=30)
        for node in lab.nodes:
            (command,) = _cmdlines(node)
            assert command.endswith(f"{HB} start --foreground ")
    finally:
        _hb("lab", "down", "--name", name)


@pytest.mark.skipif(not HEARTBEAT.exists(), reason="apt-get install heartbeat")
def test_hb_lab_up_heartbeat_starts_heartbeat_and_returns_though_its_output_is_a_pipe() -> None:
    name = f"test-hbt-{os.getpid()}"
    try:
        up = _up(name, "--heartbeat", "--nodes", "1", "--no-client")
        assert up.returncode == 0, up.stderr
        (node,) = Lab.attach(name).nodes
        master = "heartbeat: master control process"  # heartbeat's own process title
        assert _wait_for(lambda: any(line.startswith(master) for line in _cmdlines(node)), 30)
    finally:
        _hb("lab", "down", "--name", name)


def test_hb_lab_up_no_start_writes_the_configuration_and_starts_nothing() -> None:
    name = f"test-none-{os.getpid()}"
    try:
        up = _up(name, "--no-start", "--nodes", "1", "--no-client")
        assert up.returncode == 0, up.stderr
        (node,) = Lab.attach(name).nodes
        assert (node.dirs.ha_d / "ha.cf").exists()
        assert node.pids() == []
    finally:
        _hb("lab", "down", "--name", name)

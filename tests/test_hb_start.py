"""``hb start`` as a real process on loopback, one node alone: its JSON log and ``hb status
rscstatus``; a heartbeat path that cannot open (foreground and daemon); a node stalled past its
dead interval ("No local heartbeat. Forcing restart.")."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hbcore.state.paths import NodePaths
from hbcore.testing.media import free_udp_port

HB = Path(sys.executable).with_name("hb")
NODE = "linuxha1"
RESOURCE = "marker"
STEP_TIMEOUT_S = 20.0

_SCRIPT = """#!/bin/sh
# Stands in for a resource: a file exists while it runs (start | stop | status).
case "$1" in
start) touch {mark} ;;
stop) rm -f {mark} ;;
status) if [ -e {mark} ]; then echo running; else echo stopped; fi ;;
esac
exit 0
"""


class LoneNode:
    """The directories and ``ha.cf`` of one node on loopback; ``media`` are its path lines."""

    def __init__(self, root: Path, media: list[str], udpport: int) -> None:
        self.root = root
        self.config_dir = root / "ha.d"
        self.paths = NodePaths(self.config_dir, root / "state", root / "run")
        self.log = root / "ha-log"
        self.mark = root / "held"
        self.hacf = [
            f"logfile {self.log}",
            "keepalive 100ms",
            "deadtime 500ms",
            "warntime 300ms",
            "initdead 1",
            f"udpport {udpport}",
            *media,
            "auto_failback on",
            "realtime off",
            f"node {NODE}",
        ]
        self.config_dir.mkdir()
        (self.config_dir / "ha.cf").write_text("".join(f"{line}\n" for line in self.hacf))
        (self.config_dir / "haresources").write_text(f"{NODE} {RESOURCE}\n")
        authkeys = self.config_dir / "authkeys"
        authkeys.write_text("auth 1\n1 sha1 lone-node\n")
        authkeys.chmod(0o600)
        script = self.config_dir / "resource.d" / RESOURCE
        script.parent.mkdir()
        script.write_text(_SCRIPT.format(mark=self.mark))
        script.chmod(0o755)

    def line_of(self, text: str) -> int:
        """The ha.cf line number of the line ``text``."""
        return self.hacf.index(text) + 1

    def start_argv(self, *options: str) -> list[str]:
        return [str(HB), "start", "--node-name", NODE, "-c", str(self.config_dir),
                "--state-dir", str(self.paths.state_dir), "--run-dir", str(self.paths.run_dir),
                *options]  # fmt: skip

    def status(self, *query: str) -> subprocess.CompletedProcess[str]:
        return _run([str(HB), "status", "--run-dir", str(self.paths.run_dir), *query])

    def stop(self) -> subprocess.CompletedProcess[str]:
        return _run([str(HB), "stop", "--run-dir", str(self.paths.run_dir)])

    def generation(self) -> int:
        return int(self.paths.generation_file.read_text())

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)


@contextmanager
def running(node: LoneNode, *options: str) -> Iterator[subprocess.Popen[str]]:
    """``hb start --foreground`` for the block; stopped (by its pid: ours) at the end."""
    process = subprocess.Popen(
        node.start_argv("--foreground", *options),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


@pytest.fixture
def lone_node(tmp_path: Path) -> LoneNode:
    """A node that hears itself over ucast on lo."""
    port = free_udp_port()
    return LoneNode(tmp_path, [f"ucast lo 127.0.0.1:{port}"], port)


# -- a running node: its JSON log, rscstatus ---------------------------------------------------


def test_log_json_has_heartbeats_messages_with_their_fields_and_rscstatus_answers(
    lone_node: LoneNode,
) -> None:
    json_log = lone_node.root / "ha-log.json"
    with running(lone_node, "--log-json", str(json_log)) as process:
        wait_until(lone_node.mark.exists, "the node holds its resource")
        wait_until(lambda: lone_node.status("rscstatus").stdout == "all\n", "rscstatus: all")
        assert lone_node.status("rscstatus").returncode == 0
        assert lone_node.stop().returncode == 0
        assert process.wait(30) == 0
    stopped = lone_node.status("rscstatus")
    assert (stopped.returncode, stopped.stdout) == (1, "")  # as cl_status: cannot sign on

    records: list[dict[str, Any]] = [json.loads(line) for line in json_log.read_text().splitlines()]
    events = [record["event"] for record in records]
    assert events[0].startswith("Configuration validated. Starting heartbeat 3.0.6")
    assert "Comm_now_up(): updating status to active" in events
    assert events[-1] == f"{NODE} Heartbeat shutdown complete."
    assert all(isinstance(record["timestamp"], float) for record in records)
    (generation,) = [r for r in records if r["event"].startswith("Heartbeat generation: ")]
    assert generation["event"] == f"Heartbeat generation: {lone_node.generation()}"
    (link_up,) = [record for record in records if record["event"] == f"Link {NODE}:lo up."]
    assert (link_up["level"], link_up["node"]) == ("info", NODE)
    (medium,) = [record for record in records if record.get("medium") == "lo"]
    assert medium["event"].endswith("started")
    # The ha-log has the same messages in heartbeat's line format.
    assert f"heartbeat: [{process.pid}]: info: Link {NODE}:lo up." in lone_node.log_text()


# -- a heartbeat path that cannot open ---------------------------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A UDP port another program holds (bound without SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("", 0))
        yield holder.getsockname()[1]


@pytest.fixture
def half_openable(tmp_path: Path, busy_port: int) -> LoneNode:
    """An mcast path that opens, then a bcast path whose port is taken."""
    group_port = free_udp_port()
    return LoneNode(tmp_path, [f"mcast lo 239.77.0.1 {group_port} 1 0", "bcast lo"], busy_port)


def test_a_path_that_cannot_open_refuses_the_start_in_the_foreground(
    half_openable: LoneNode, busy_port: int
) -> None:
    result = _run(half_openable.start_argv("--foreground"))
    line = half_openable.line_of("bcast lo")
    expected = (
        f"ERROR: ha.cf:{line}: cannot open bcast lo: bcast lo: cannot listen on port "
        f"{busy_port}: Address already in use; check that"
    )
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert expected in half_openable.log_text()
    assert "Heartbeat generation" not in result.stderr
    assert not half_openable.paths.generation_file.exists()
    assert not half_openable.paths.pid_file.exists()


def test_a_path_that_cannot_open_is_logged_by_the_daemon(half_openable: LoneNode) -> None:
    started = _run(half_openable.start_argv())
    assert started.returncode == 0  # the daemon forks before it opens its paths, as heartbeat
    line = half_openable.line_of("bcast lo")
    wait_until(
        lambda: f"ERROR: ha.cf:{line}: cannot open bcast lo: " in half_openable.log_text(),
        "the daemon logs the path it cannot open",
    )
    wait_until(lambda: not half_openable.paths.pid_file.exists(), "the daemon exits")
    assert "Heartbeat not started: a heartbeat path cannot be opened." in half_openable.log_text()
    assert "Local status now set to" not in half_openable.log_text()
    assert not half_openable.paths.generation_file.exists()


# -- a stalled node ----------------------------------------------------------------------------


def test_a_node_stopped_past_its_dead_interval_gives_up_and_restarts(lone_node: LoneNode) -> None:
    with running(lone_node) as process:
        wait_until(lone_node.mark.exists, "the node holds its resource")
        first = lone_node.generation()
        # In its first 5 s a node advertises (and so uses for itself) deadtime + 2 s.
        process.send_signal(signal.SIGSTOP)
        time.sleep(3.0)
        process.send_signal(signal.SIGCONT)
        wait_until(lambda: "Restarting heartbeat." in lone_node.log_text(), "the restart")
        wait_until(
            lambda: f"Heartbeat generation: {first + 1}" in lone_node.log_text(),
            "a new generation",
        )
        wait_until(lone_node.mark.exists, "the restarted node holds its resource again")
        assert lone_node.stop().returncode == 0
        assert process.wait(30) == 0
    text = lone_node.log_text()
    assert f"WARN: node {NODE}: is dead" in text
    assert "ERROR: No local heartbeat. Forcing restart." in text
    assert text.index("No local heartbeat.") < text.index("All HA resources relinquished.")
    assert text.count("No local heartbeat.") == 1


# -- the pid file: locked while the node lives, verified before any signal -----------------------


@pytest.fixture
def unrelated() -> Iterator[subprocess.Popen[bytes]]:
    """A process that is not hb, whose PID a stale pid file may name."""
    process = subprocess.Popen(["sleep", "60"])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_hb_stop_never_signals_a_process_that_is_not_the_node(
    lone_node: LoneNode, unrelated: subprocess.Popen[bytes]
) -> None:
    pid_file = lone_node.paths.pid_file
    assert (lone_node.stop().returncode, lone_node.stop().stderr) == (
        3,
        "heartbeat is stopped. No process\n",
    )
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{unrelated.pid}\n")  # the node was killed; its PID was reused
    stopped = lone_node.stop()
    assert stopped.returncode == 1
    assert stopped.stderr == (
        f"stale pid file {pid_file} (pid {unrelated.pid} is not a running hb node); "
        "nothing stopped\n"
    )
    assert unrelated.poll() is None


def test_hb_start_takes_over_a_stale_pid_file_and_refuses_a_second_node(
    lone_node: LoneNode, unrelated: subprocess.Popen[bytes]
) -> None:
    pid_file = lone_node.paths.pid_file
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{unrelated.pid}\n")
    with running(lone_node) as process:
        wait_until(lone_node.mark.exists, "the node holds its resource")
        assert pid_file.read_text() == f"{process.pid}\n"
        second = _run(lone_node.start_argv("--foreground"))
        assert second.returncode == 1
        assert f"{pid_file}: hb is already running (pid {process.pid}); hb stop first" in (
            second.stderr
        )
        assert lone_node.stop().returncode == 0
        assert process.wait(30) == 0
    stale = f"stale pid file {pid_file} (pid {unrelated.pid} is not a running hb node) replaced"
    assert f"WARN: {stale}" in lone_node.log_text()
    assert unrelated.poll() is None
    assert not pid_file.exists()


# -- files that cannot be used refuse the start before the daemon forks --------------------------


def _replace_line(node: LoneNode, old: str, new: str) -> None:
    node.hacf[node.hacf.index(old)] = new
    (node.config_dir / "ha.cf").write_text("".join(f"{line}\n" for line in node.hacf))


def test_a_logfile_in_a_missing_directory_refuses_the_start(lone_node: LoneNode) -> None:
    logfile = lone_node.root / "missing" / "ha-log"
    _replace_line(lone_node, f"logfile {lone_node.log}", f"logfile {logfile}")
    started = _run(lone_node.start_argv())  # a daemon: the refusal comes before the fork
    line = lone_node.line_of(f"logfile {logfile}")
    assert started.returncode == 1
    (problem, refused) = started.stderr.splitlines()
    # The words are hb check --strict's (config/host_checks.py) or, for what it cannot
    # foresee, the start's own check (runner.file_problems): either names file and line.
    assert problem.startswith(f"ha.cf:{line}: logfile {logfile}: ")
    assert refused == "Heartbeat not started: configuration error."
    assert not lone_node.paths.pid_file.exists()


@pytest.mark.parametrize("corruption", ["5000 digits", "directory", "letters"])
def test_a_corrupt_generation_file_refuses_the_start_without_a_traceback(
    lone_node: LoneNode, corruption: str
) -> None:
    generation_file = lone_node.paths.generation_file
    generation_file.parent.mkdir(parents=True)
    if corruption == "directory":
        generation_file.mkdir()
        problem = "cannot read it: Is a directory"
    else:
        generation_file.write_text("7" * 5000 if corruption == "5000 digits" else "forty-one\n")
        problem = "corrupt generation file"
    started = _run(lone_node.start_argv())
    assert started.returncode == 1
    assert started.stderr.startswith(f"{generation_file}: {problem}")
    assert "Traceback" not in started.stderr
    assert started.stderr.endswith("Heartbeat not started: configuration error.\n")
    assert not lone_node.paths.pid_file.exists()
    if corruption != "directory":
        assert len(generation_file.read_text()) in (5000, 10)  # left as it was


def test_a_run_directory_too_long_for_the_control_socket_refuses_the_start(
    lone_node: LoneNode,
) -> None:
    run_dir = lone_node.root / ("r" * 100)
    argv = lone_node.start_argv()
    argv[argv.index(str(lone_node.paths.run_dir))] = str(run_dir)
    started = _run(argv)
    assert started.returncode == 1
    assert started.stderr.startswith(
        f"{run_dir}/hb/control.sock: the control socket path is longer than 107 bytes; "
        "use a shorter --run-dir"
    )
    assert not (run_dir / "heartbeat.pid").exists()


def test_a_daemon_started_with_relative_paths_keeps_its_files_there(lone_node: LoneNode) -> None:
    # The daemon works from "/": relative paths resolved there would miss the operator's
    # directories (and stop would leave the pid file behind).
    root = lone_node.root
    relative = ["-c", "ha.d", "--state-dir", "state", "--run-dir", "run"]
    started = subprocess.run(
        [str(HB), "start", "--node-name", NODE, *relative],
        cwd=root, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    pid_file = lone_node.paths.pid_file
    try:
        assert started.returncode == 0, started.stderr
        wait_until(lone_node.mark.exists, "the daemon holds its resource")
        assert lone_node.paths.generation_file.exists()
        assert lone_node.status("rscstatus").stdout == "all\n"
    finally:
        stopped = subprocess.run(
            [str(HB), "stop", "--run-dir", "run"],
            cwd=root, capture_output=True, text=True, check=False, timeout=150,
        )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    assert not pid_file.exists()

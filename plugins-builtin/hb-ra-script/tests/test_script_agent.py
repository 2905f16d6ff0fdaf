"""Running scripts as ResourceManager runs them: `PATH ARGS ACTION`, no shell, heartbeat's
status words for resource.d, LSB exit codes for init.d, timeouts that kill, output logged.
Every test runs on asyncio's loop and on uvloop's."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hb_hookspecs import ResourceAgent, ResourceError
from hb_ra_script.agent import Timeouts
from ra_script_helpers import Host, Runner, runners
from structlog.testing import capture_logs

# Prints its arguments one per line, so tests see exactly what argv the script received.
ECHO_ARGS = """
for arg in "$@"; do printf '[%s]\\n' "$arg"; done
"""


@pytest.fixture(params=sorted(runners()))
def run(request: pytest.FixtureRequest) -> Runner:
    return runners()[request.param]


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host.make(tmp_path)


def _events(logs: Sequence[MutableMapping[str, Any]], level: str | None = None) -> list[str]:
    return [entry["event"] for entry in logs if level is None or entry["log_level"] == level]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for whoever reaps orphans here)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_agent_satisfies_the_protocol(host: Host) -> None:
    host.script(host.resource_dir, "maid", "exit 0")
    assert isinstance(host.agent("maid::vacuum"), ResourceAgent)


def test_start_runs_path_args_start_and_logs_it_as_resource_manager(
    host: Host, run: Runner, tmp_path: Path
) -> None:
    argv = tmp_path / "argv"
    host.script(host.resource_dir, "maid", f'echo "$0 $*" > {argv}')
    agent = host.agent("maid::vacuum")
    with capture_logs() as logs:
        run(agent.start())
    maid = host.resource_dir / "maid"
    assert argv.read_text() == f"{maid} vacuum start\n"
    assert f"Running {maid} vacuum start" in _events(logs, "info")


def test_a_script_without_arguments_is_logged_with_heartbeats_two_spaces(
    host: Host, run: Runner
) -> None:
    host.script(host.init_dir, "httpd", "exit 0")
    with capture_logs() as logs:
        run(host.agent("httpd").stop())
    assert f"Running {host.init_dir / 'httpd'}  stop" in _events(logs, "info")


def test_no_shell_arguments_with_semicolons_and_spaces_arrive_intact(
    host: Host, run: Runner, tmp_path: Path
) -> None:
    witness = tmp_path / "pwned"
    host.script(host.resource_dir, "echoargs", ECHO_ARGS)
    agent = host.agent(f"echoargs::a b::x; touch {witness}::$HOME::*")
    with capture_logs() as logs:
        run(agent.start())
    lines = [entry["event"] for entry in logs if entry.get("stream") == "stdout"]
    assert lines == ["[a b]", f"[x; touch {witness}]", "[$HOME]", "[*]", "[start]"]
    assert not witness.exists()


def test_a_failed_start_raises_with_return_code_and_output(host: Host, run: Runner) -> None:
    host.script(
        host.resource_dir, "httpd", "echo starting httpd\necho 'port 80 in use' >&2\nexit 7"
    )
    with capture_logs() as logs, pytest.raises(ResourceError) as raised:
        run(host.agent("httpd").start())
    message = str(raised.value)
    assert message.startswith(f"Return code 7 from {host.resource_dir / 'httpd'}")
    assert "starting httpd" in message
    assert "port 80 in use" in message
    assert f"Return code 7 from {host.resource_dir / 'httpd'}" in _events(logs, "error")


def test_output_is_logged_line_by_line_with_its_stream(host: Host, run: Runner) -> None:
    host.script(host.resource_dir, "smb", "echo one\necho two >&2\nprintf 'three'")
    with capture_logs() as logs:
        run(host.agent("smb").start())
    lines = {(entry["stream"], entry["event"]) for entry in logs if "stream" in entry}
    assert lines == {("stdout", "one"), ("stderr", "two"), ("stdout", "three")}
    assert all(entry["log_level"] == "info" for entry in logs if "stream" in entry)


def test_the_environment_carries_ha_curhost_and_hbs_own(
    host: Host, run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HB_TEST_MARK", "from hb")
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    body = 'echo "$HA_CURHOST|$HB_TEST_MARK|${LC_ALL-unset}|$HA_DIR|$HA_FUNCS"'
    host.script(host.resource_dir, "envdump", body)
    with capture_logs() as logs:
        run(host.agent("envdump").start())
    (line,) = [entry["event"] for entry in logs if entry.get("stream") == "stdout"]
    config = host.config_dir
    assert line == f"linuxha1|from hb|unset|{config}|{config / 'shellfuncs'}"


def test_heartbeat_status_reads_the_words_and_ignores_the_exit_code(
    host: Host, run: Runner
) -> None:
    host.script(host.resource_dir, "up", "echo 'INFO: Running OK'\nexit 1")
    host.script(host.resource_dir, "down", "echo 'maid is not running'\nexit 0")
    host.script(host.resource_dir, "quiet", "exit 0")
    assert run(host.agent("up").status()) is True
    assert run(host.agent("down").status()) is False
    assert run(host.agent("quiet").status()) is False


def test_status_gets_the_arguments_before_the_action(host: Host, run: Runner) -> None:
    host.script(host.resource_dir, "IPaddr", '[ "$1 $2" = "10.0.0.1/24 status" ] && echo OK')
    assert run(host.agent("IPaddr::10.0.0.1/24").status()) is True


def test_lsb_status_reads_the_exit_code(host: Host, run: Runner) -> None:
    host.script(host.init_dir, "running", "echo 'is stopped, honestly'\nexit 0")
    host.script(host.init_dir, "stopped", "echo 'is running, honestly'\nexit 3")
    host.script(host.init_dir, "dead", "exit 1")
    assert run(host.agent("running").status()) is True
    assert run(host.agent("stopped").status()) is False
    with capture_logs() as logs:
        assert run(host.agent("dead").status()) is False
    assert f"{host.init_dir / 'dead'}  status returned 1: not running" in _events(logs, "warning")


def test_lsb_stop_of_a_stopped_service_succeeds_and_a_failing_stop_raises(
    host: Host, run: Runner
) -> None:
    host.script(host.init_dir, "httpd", 'case "$1" in stop) exit 0;; status) exit 3;; esac')
    host.script(host.init_dir, "stuck", 'case "$1" in stop) echo busy; exit 1;; esac')
    run(host.agent("httpd").stop())
    with pytest.raises(ResourceError, match=r"Return code 1 from .*stuck:\nbusy"):
        run(host.agent("stuck").stop())


def test_each_action_runs_the_script_once(host: Host, run: Runner, tmp_path: Path) -> None:
    # Retrying a failed stop is the resource manager's policy, for every kind of agent.
    calls = tmp_path / "calls"
    host.script(host.resource_dir, "flaky", f'echo "$1" >> {calls}\nexit 1')
    agent = host.agent("flaky")
    with pytest.raises(ResourceError):
        run(agent.stop())
    assert run(agent.status()) is False
    assert calls.read_text() == "stop\nstatus\n"


def test_a_hung_start_is_killed_with_its_process_group_after_the_timeout(
    host: Host, run: Runner, tmp_path: Path
) -> None:
    child = tmp_path / "child.pid"
    host.script(host.resource_dir, "hang", f"echo waiting\nsleep 60 &\necho $! > {child}\nwait")
    agent = host.agent("hang", Timeouts(start=0.5))
    began = time.monotonic()
    with capture_logs() as logs, pytest.raises(ResourceError) as raised:
        run(agent.start())
    assert time.monotonic() - began < 5
    assert "timed out after 0.5 s and was killed" in str(raised.value)
    assert "waiting" in str(raised.value)
    assert any("timed out after 0.5 s" in event for event in _events(logs, "error"))
    pid = int(child.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_a_status_that_overruns_counts_as_not_running(host: Host, run: Runner) -> None:
    host.script(host.resource_dir, "slow", "echo running\nexec sleep 60")
    agent = host.agent("slow", Timeouts(status=0.3))
    assert run(agent.status()) is False


def test_a_daemon_keeping_stdout_does_not_hold_the_start(
    host: Host, run: Runner, tmp_path: Path
) -> None:
    daemon = tmp_path / "daemon.pid"
    # The daemon leaves the script's process group, as daemons do, but keeps its stdout.
    host.script(
        host.resource_dir,
        "daemonize",
        f"echo started\nsetsid sh -c 'echo $$ > {daemon}; exec sleep 60' &\nsleep 0.2\nexit 0",
    )
    agent = host.agent("daemonize")

    async def start_then_stop_the_daemon() -> float:
        began = time.monotonic()
        try:
            await agent.start()
            return time.monotonic() - began
        finally:
            os.kill(int(daemon.read_text()), signal.SIGKILL)
            await asyncio.sleep(0.2)  # the pipes close and the transport with them

    with capture_logs() as logs:
        assert run(start_then_stop_the_daemon()) < 5
    assert "started" in _events(logs, "info")


def test_a_script_without_a_shebang_runs_with_sh(host: Host, run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = host.resource_dir / "oldstyle"
    path.write_text(f'echo "$1" > {out}\n')
    path.chmod(0o755)
    run(host.agent("oldstyle").start())
    assert out.read_text() == "start\n"


def test_a_script_removed_after_resolving_fails_start_and_status_is_false(
    host: Host, run: Runner
) -> None:
    host.script(host.resource_dir, "gone", "exit 0")
    agent = host.agent("gone")
    (host.resource_dir / "gone").unlink()
    with pytest.raises(ResourceError, match="cannot run"):
        run(agent.start())
    assert run(agent.status()) is False


def test_a_cancelled_action_kills_the_script(host: Host, run: Runner, tmp_path: Path) -> None:
    pid_file = tmp_path / "script.pid"
    host.script(host.resource_dir, "slowstart", f"echo $$ > {pid_file}\nexec sleep 60")
    agent = host.agent("slowstart")

    async def cancel_midway() -> None:
        action = asyncio.ensure_future(agent.start())
        while not pid_file.exists() or not pid_file.read_text():
            await asyncio.sleep(0.02)
        action.cancel()
        with pytest.raises(asyncio.CancelledError):
            await action
        await asyncio.sleep(0.2)  # the killed script is reaped and its pipes close

    run(cancel_midway())
    assert not _alive(int(pid_file.read_text()))


def test_an_action_cancelled_while_its_script_starts_kills_it_at_once(
    host: Host, run: Runner, tmp_path: Path
) -> None:
    # Cancelled inside asyncio's process start, which then waits for the pipes to close: the
    # child (not exec'd, so the shell's kill does not reach it) would hold them for 60 s.
    pid_file = tmp_path / "child.pid"
    host.script(host.resource_dir, "slowstart", f"sleep 60 &\necho $! > {pid_file}\nwait")
    agent = host.agent("slowstart")

    async def cancel_at_once() -> None:
        action = asyncio.ensure_future(agent.start())
        await asyncio.sleep(0)  # the action is now starting the script
        action.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(action), 10)
        await asyncio.sleep(0.2)  # the killed group is reaped and its pipes close

    run(cancel_at_once())
    if pid_file.exists() and pid_file.read_text():  # the child may be killed before its echo
        assert not _running(int(pid_file.read_text()))


def test_a_script_killed_by_a_signal_reports_it_as_the_shell_would(host: Host, run: Runner) -> None:
    host.script(host.resource_dir, "crash", "kill -9 $$")
    with pytest.raises(ResourceError, match="Return code 137 from"):
        run(host.agent("crash").start())

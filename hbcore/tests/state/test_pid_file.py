"""The pid file: locked for the node's whole life, a stale one taken over, and a PID counted
as the node only when it is an hb process holding the locked file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hbcore.state.files import StateFileError
from hbcore.state.pid_file import (
    PidFile,
    Running,
    Stale,
    _python_runs_hb,
    inspect,
    is_alive,
    process_kind,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# A process that takes the pid file given as argv[1], says so, then waits to be killed.
_HOLDER = """
import sys, time
from pathlib import Path
from hbcore.state.pid_file import PidFile
PidFile.take(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(60)
"""


@contextmanager
def process(
    argv: list[str], ready: bool = False, named: str | None = None
) -> Iterator[subprocess.Popen[str]]:
    """Run ``argv`` for the block (waiting for its first line when ``ready``, for its
    program name to be ``named``); kill it after."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        if ready:
            assert child.stdout is not None
            assert child.stdout.readline() == "held\n"
        if named is not None:
            _wait_for_exec(child.pid, named)
        yield child
    finally:
        child.kill()
        child.wait()


def _wait_for_exec(pid: int, name: str) -> None:
    deadline = time.monotonic() + 10
    while not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(f"{name}\0".encode()):
        assert time.monotonic() < deadline, "bash never ran exec"
        time.sleep(0.001)


def holder(path: Path, name: str = "holder") -> list[str]:
    """A python process holding ``path``, running a script called ``name`` (``hb``: it looks
    like hb's entry point to ``/proc/PID/cmdline``)."""
    script = path.parent / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(_HOLDER)
    return [sys.executable, str(script), str(path)]


def sleeper(name: str) -> AbstractContextManager[subprocess.Popen[str]]:
    """``sleep 60`` under the program name ``name`` (as heartbeat renames itself)."""
    return process(["bash", "-c", f'exec -a "{name}" sleep 60'], named=name)


def test_the_pid_file_holds_our_pid_while_locked_and_goes_at_release(tmp_path: Path) -> None:
    path = tmp_path / "run" / "heartbeat.pid"
    pid_file = PidFile.take(path)
    assert path.read_text() == f"{os.getpid()}\n"
    assert pid_file.replaced is None
    pid_file.record(12345678)
    assert path.read_text() == "12345678\n"
    pid_file.release()
    assert not path.exists()
    PidFile.take(path).release()  # the lock went with it


def test_a_second_start_is_refused_while_a_node_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    with process(holder(path, "hb"), ready=True) as node:
        with pytest.raises(StateFileError) as refused:
            PidFile.take(path)
        expected = f"{path}: hb is already running (pid {node.pid}); hb stop first"
        assert str(refused.value) == expected
        assert inspect(path) == Running(node.pid)


def test_a_lock_held_by_something_else_refuses_the_start_but_is_not_the_node(
    tmp_path: Path,
) -> None:
    path = tmp_path / "heartbeat.pid"
    with process(holder(path), ready=True) as other:
        with pytest.raises(StateFileError, match="locked by another process; see who: fuser"):
            PidFile.take(path)
        assert inspect(path) == Stale(other.pid)  # python -c: not hb, never signalled


def test_a_pid_file_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    with process(holder(path, "hb"), ready=True) as node:
        node.kill()
        node.wait()
    assert path.read_text() == f"{node.pid}\n"  # killed: nobody removed it
    assert inspect(path) == Stale(node.pid)
    pid_file = PidFile.take(path)
    assert pid_file.replaced == Stale(node.pid)
    assert pid_file.replaced.describe(path) == (
        f"stale pid file {path} (pid {node.pid} is not a running hb node)"
    )
    assert path.read_text() == f"{os.getpid()}\n"
    pid_file.release()


def test_a_pid_reused_by_an_unrelated_process_is_stale_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    with process(["sleep", "60"]) as unrelated:
        path.write_text(f"{unrelated.pid}\n")
        assert inspect(path) == Stale(unrelated.pid)
        pid_file = PidFile.take(path)
        assert pid_file.replaced == Stale(unrelated.pid)
        pid_file.release()
        assert unrelated.poll() is None


def test_an_hb_process_named_in_the_file_but_not_holding_it_is_not_signalled(
    tmp_path: Path,
) -> None:
    path = tmp_path / "heartbeat.pid"
    with sleeper("hb") as named_hb:
        path.write_text(f"{named_hb.pid}\n")
        assert inspect(path) == Stale(named_hb.pid)  # the file is not locked
        with pytest.raises(StateFileError, match=rf"hb is running \(pid {named_hb.pid}\) without"):
            PidFile.take(path)  # an hb from before the lock: do not run a second node
        assert path.read_text() == f"{named_hb.pid}\n"


def test_a_locked_file_naming_another_hb_process_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    with process(holder(path), ready=True), sleeper("hb") as other_hb:
        path.write_text(f"{other_hb.pid}\n")  # locked, but not by the process it names
        assert inspect(path) == Stale(other_hb.pid)


def test_a_running_heartbeat_keeps_its_pid_file(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    with sleeper("heartbeat: master control process") as heartbeat:
        path.write_text(f"{heartbeat.pid}\n")
        with pytest.raises(StateFileError, match=rf"heartbeat is running \(pid {heartbeat.pid}\)"):
            PidFile.take(path)
        assert inspect(path) == Stale(heartbeat.pid)


@pytest.mark.parametrize("content", [b"", b"garbage\n", b"0\n", b"99999999999999\n", b"\xff"])
def test_a_pid_file_without_a_pid_is_stale_and_taken_over(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "heartbeat.pid"
    path.write_bytes(content)
    assert inspect(path) == Stale(None)
    assert Stale(None).describe(path) == f"stale pid file {path} (it names no process)"
    PidFile.take(path).release()


def test_no_pid_file_is_no_node(tmp_path: Path) -> None:
    assert inspect(tmp_path / "heartbeat.pid") is None


def test_a_pid_file_that_is_a_directory_refuses_the_start(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    path.mkdir()
    with pytest.raises(StateFileError, match="cannot open the pid file: Is a directory"):
        PidFile.take(path)
    assert inspect(path) == Stale(None)


def test_release_leaves_a_file_that_is_no_longer_ours(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.pid"
    pid_file = PidFile.take(path)
    path.unlink()
    path.write_text("4242\n")
    pid_file.release()
    assert path.read_text() == "4242\n"


def test_zombies_are_dead() -> None:
    child = subprocess.Popen(["true"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    assert not is_alive(child.pid)
    child.wait()


def test_process_kinds() -> None:
    assert process_kind(os.getpid()) is None  # pytest
    assert process_kind(2**22 + 1) is None  # beyond pid_max: no such process
    assert _python_runs_hb(["/usr/bin/hb", "start"])
    assert _python_runs_hb(["-u", "/work/.venv/bin/hb", "stop"])
    assert _python_runs_hb(["-X", "dev", "-m", "hbcore.cli.main", "start"])
    assert not _python_runs_hb(["-m", "pytest"])
    assert not _python_runs_hb(["-c", "hb"])
    assert not _python_runs_hb(["/usr/bin/hbx"])


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=40))
def test_any_pid_file_content_is_judged_without_raising(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "heartbeat.pid"
    path.write_bytes(content)
    assert isinstance(inspect(path), Stale)  # nobody holds the lock
    try:
        pid_file = PidFile.take(path)
    except StateFileError as refused:  # it named a live heartbeat or hb of this machine
        assert "is running (pid " in str(refused)
        return
    assert path.read_text() == f"{os.getpid()}\n"
    pid_file.release()

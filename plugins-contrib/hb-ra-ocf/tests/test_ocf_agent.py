"""Driving an agent the OCF way, with a recording agent: the environment it sees, the exit
codes and what hb makes of them, the timeouts and the process group killed when one runs out."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from hb_hookspecs import ResourceError
from hb_ra_ocf import exitcodes, process
from ocf_helpers import FakeRoot


@pytest.fixture
def fake(tmp_path: Path) -> FakeRoot:
    return FakeRoot.make(tmp_path)


def test_the_agent_sees_its_parameters_and_identity_as_ocf_defines_them(fake: FakeRoot) -> None:
    agent = fake.agent("ocf:hbtest:Recorder::path=/srv/data::colour=red")
    asyncio.run(agent.start())
    seen = fake.seen("start")
    assert seen == {
        "OCF_ROOT": str(fake.root),
        "OCF_RA_VERSION_MAJOR": "1",
        "OCF_RA_VERSION_MINOR": "1",
        "OCF_RESOURCE_INSTANCE": "Recorder__srv_data",
        "OCF_RESOURCE_TYPE": "Recorder",
        "OCF_RESOURCE_PROVIDER": "hbtest",
        "OCF_RESKEY_path": "/srv/data",
        "OCF_RESKEY_colour": "red",
        "OCF_RESKEY_CRM_meta_timeout": "42000",
    }
    # validate-all runs first, with the same environment but its own timeout
    assert fake.seen("validate-all") == {**seen, "OCF_RESKEY_CRM_meta_timeout": "5000"}


def test_a_parameter_in_hbs_own_environment_does_not_leak_into_the_agents(
    fake: FakeRoot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCF_RESKEY_colour", "green")
    asyncio.run(fake.agent("ocf:hbtest:Recorder::path=/x").start())
    assert "OCF_RESKEY_colour" not in fake.seen("start")


@pytest.mark.parametrize(
    ("code", "running"),
    [(0, True), (7, False), (8, True), (9, False), (190, True), (191, True)]
    + [(code, False) for code in (1, 2, 3, 4, 5, 6, 42)],
)
def test_status_is_monitor_read_by_the_ocf_exit_code(
    fake: FakeRoot, code: int, running: bool
) -> None:
    fake.returns("monitor", code)
    assert asyncio.run(fake.agent("ocf:hbtest:Recorder::path=/x").status()) is running


def test_a_failed_start_names_the_ocf_code_and_carries_the_agents_output(
    fake: FakeRoot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.returns("start", 6)
    fake.does("start", "echo 'ERROR: path /x is not a directory' >&2")
    agent = fake.agent("ocf:hbtest:Recorder::path=/x")
    with pytest.raises(ResourceError) as raised:
        asyncio.run(agent.start())
    label = "ocf:hbtest:Recorder Recorder__x start"
    assert str(raised.value) == (
        f"{label} failed: OCF_ERR_CONFIGURED (6): not configured:\n"
        "ERROR: path /x is not a directory"
    )
    assert (logging.ERROR, f"{label} failed: OCF_ERR_CONFIGURED (6): not configured") in [
        (record.levelno, record.getMessage()) for record in caplog.records
    ]


def test_validate_all_failing_prevents_the_start_and_unimplemented_does_not(
    fake: FakeRoot,
) -> None:
    agent = fake.agent("ocf:hbtest:Recorder::path=/x")
    fake.returns("validate-all", 5)
    with pytest.raises(ResourceError, match=r"validate-all failed: OCF_ERR_INSTALLED \(5\)"):
        asyncio.run(agent.start())
    assert not (fake.state / "start.env").exists()
    fake.returns("validate-all", 3)
    asyncio.run(agent.start())
    assert (fake.state / "start.env").exists()


@pytest.mark.parametrize(("code", "stopped"), [(0, True), (7, True), (1, False), (5, False)])
def test_a_stop_succeeds_when_the_resource_is_stopped_either_way(
    fake: FakeRoot, code: int, stopped: bool
) -> None:
    fake.returns("stop", code)
    stop = fake.agent("ocf:hbtest:Recorder::path=/x").stop()
    if stopped:
        asyncio.run(stop)
    else:
        with pytest.raises(ResourceError, match=exitcodes.NAMES[code][0]):
            asyncio.run(stop)


def test_timeouts_come_from_the_meta_data_unless_the_token_sets_them(fake: FakeRoot) -> None:
    agent = fake.agent("ocf:hbtest:Recorder::path=/x::stop-timeout=2min")
    assert [agent.timeout(action) for action in ("start", "stop", "monitor", "reload")] == [
        42.0,
        120.0,
        1.5,
        20.0,
    ]


def test_the_meta_data_is_read_on_the_loop_when_the_check_did_not(fake: FakeRoot) -> None:
    async def on_the_loop() -> list[float]:
        agent = fake.agent("ocf:hbtest:Recorder::path=/x")  # resolved on the loop: not read
        before = agent.timeout("start")
        await agent.status()
        return [before, agent.timeout("start")]

    assert asyncio.run(on_the_loop()) == [20.0, 42.0]


def test_an_overrun_kills_the_agents_whole_process_group(fake: FakeRoot) -> None:
    fake.does("start", 'sleep 60 & echo $! > "$HBTEST_DIR/child.pid"; sleep 60')
    agent = fake.agent("ocf:hbtest:Recorder::path=/x::start-timeout=300ms")
    with pytest.raises(ResourceError, match=r"start timed out after 0\.3 s and was killed"):
        asyncio.run(agent.start())
    child = int((fake.state / "child.pid").read_text())
    assert _gone(child)


def test_status_of_an_agent_that_cannot_run_is_false_and_start_raises(fake: FakeRoot) -> None:
    agent = fake.agent("ocf:hbtest:Recorder::path=/x")
    agent.resource.path.chmod(0o644)
    assert asyncio.run(agent.status()) is False
    with pytest.raises(ResourceError, match="cannot run"):
        asyncio.run(agent.start())


def _gone(pid: int) -> bool:
    """The process is gone, or a zombie nobody reaped yet (it no longer runs)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_an_agent_cancelled_while_it_starts_has_its_group_killed_at_once(tmp_path: Path) -> None:
    # Cancelled inside asyncio's process start, which then waits for the pipe to close: the
    # background child would hold it for 60 s.
    pid_file = tmp_path / "child.pid"
    script = tmp_path / "agent"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    script.chmod(0o755)

    async def cancel_at_once() -> None:
        action = asyncio.ensure_future(process.run([str(script)], {}, 30))
        await asyncio.sleep(0)  # the action is now starting the agent
        action.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(action), 10)
        await asyncio.sleep(0.2)  # the killed group is reaped and its pipe closes

    asyncio.run(cancel_at_once())
    if pid_file.exists() and pid_file.read_text():  # the child may be killed before its echo
        state = Path(f"/proc/{int(pid_file.read_text())}/stat")
        assert not state.exists() or state.read_text().rpartition(")")[2].split()[0] == "Z"

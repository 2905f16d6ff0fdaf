"""respawn: started, restarted when they die, left down after exit code 100 or when they
respawn too fast, stopped at shutdown."""

from __future__ import annotations

import asyncio
import os
import pwd
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

import uvloop
from hbcore.config.core_arguments import ClientChild
from hbcore.node.respawn import MAX_FAST_RESPAWNS, Respawner
from structlog.testing import capture_logs

ME = pwd.getpwuid(os.getuid()).pw_name


def script(tmp_path: Path, name: str, body: str) -> ClientChild:
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\necho $$ >> {tmp_path}/{name}.runs\n{body}\n")
    path.chmod(0o755)
    return ClientChild(ME, str(path))


def runs(tmp_path: Path, name: str) -> list[int]:
    record = tmp_path / f"{name}.runs"
    return [int(line) for line in record.read_text().split()] if record.exists() else []


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def test_killed_client_comes_back_and_all_stop_at_shutdown(tmp_path: Path) -> None:
    helper = script(tmp_path, "helper", "exec sleep 60")

    async def scenario() -> None:
        respawner = Respawner([helper], {"HB_TEST": "1"})
        respawner.start_all()
        await wait_for(lambda: len(runs(tmp_path, "helper")) == 1)
        os.kill(runs(tmp_path, "helper")[0], signal.SIGKILL)
        await wait_for(lambda: len(runs(tmp_path, "helper")) == 2)
        await asyncio.sleep(0.1)
        await respawner.stop_all()
        process = respawner.clients[0].process
        assert process is not None and process.returncode is not None

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert any(e.endswith("killed by signal 9.") for e in events)
    assert f'Respawning client "{helper.command}":' in events
    assert len(runs(tmp_path, "helper")) == 2


def test_exit_code_100_is_not_respawned(tmp_path: Path) -> None:
    done = script(tmp_path, "done", "exit 100")

    async def scenario() -> None:
        respawner = Respawner([done], {})
        respawner.start_all()
        await wait_for(lambda: len(runs(tmp_path, "done")) == 1)
        await asyncio.sleep(0.5)
        await respawner.stop_all()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert len(runs(tmp_path, "done")) == 1
    assert f"Client {done.command} exited with return code 100." in [e["event"] for e in logs]


def test_a_client_respawning_too_fast_is_given_up(tmp_path: Path) -> None:
    flaky = script(tmp_path, "flaky", "exit 1")

    async def scenario() -> None:
        respawner = Respawner([flaky], {})
        respawner.start_all()
        await wait_for(lambda: len(runs(tmp_path, "flaky")) == MAX_FAST_RESPAWNS + 1)
        await asyncio.sleep(0.5)
        await respawner.stop_all()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert len(runs(tmp_path, "flaky")) == MAX_FAST_RESPAWNS + 1
    assert f'Client {flaky.command} "respawning too fast"' in [e["event"] for e in logs]


def test_heartbeats_ipfail_is_not_started(tmp_path: Path) -> None:
    with capture_logs() as logs:
        respawner = Respawner([ClientChild("hacluster", "/usr/lib/heartbeat/ipfail")], {})
    assert respawner.clients == []
    assert any("ipfail" in entry["event"] for entry in logs)


def test_clients_run_on_uvloop_too_and_as_their_user() -> None:
    # pytest's tmp_path is private to root; the other user needs a directory it can reach.
    with tempfile.TemporaryDirectory(prefix="hb-respawn-") as directory:
        shared = Path(directory)
        shared.chmod(0o777)
        whoami = shared / "whoami"
        whoami.write_text(f"#!/bin/sh\nid -un > {shared}/user\nexit 100\n")
        whoami.chmod(0o755)

        async def scenario() -> None:
            respawner = Respawner([ClientChild("nobody", str(whoami))], {})
            respawner.start_all()
            await wait_for(lambda: (shared / "user").exists())
            await asyncio.sleep(0.2)
            await respawner.stop_all()

        uvloop.run(scenario())
        assert (shared / "user").read_text().strip() == "nobody"

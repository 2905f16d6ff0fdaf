"""The real agents of Debian's resource-agents, driven through hb-ra-ocf: Dummy (its state in a
scratch file), anything (a sleep as the service), IPaddr2 adding and removing an address in a
network namespace of ours, and Dummy again through heartbeat's ``OCF::TYPE::INSTANCE``."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hb_ra_ocf.agent import OcfAgent
from ocf_helpers import REAL_ROOT, real_context, resolve

pytestmark = pytest.mark.skipif(
    not (REAL_ROOT / "resource.d/heartbeat/Dummy").exists(),
    reason="needs Debian's resource-agents (/usr/lib/ocf)",
)


async def _lifecycle(agent: OcfAgent) -> list[bool]:
    """status, start, status, start again, stop, status, stop again: the status after each."""
    seen = [await agent.status()]
    await agent.start()
    seen.append(await agent.status())
    await agent.start()  # OCF: starting a running resource succeeds
    seen.append(await agent.status())
    await agent.stop()
    seen.append(await agent.status())
    await agent.stop()  # OCF: stopping a stopped resource succeeds
    seen.append(await agent.status())
    return seen


def test_dummy_starts_runs_and_stops_idempotently_in_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "dummy.state"
    agent = resolve(f"ocf:heartbeat:Dummy::state={state}", real_context(tmp_path))
    states: list[bool] = []

    async def watch() -> list[bool]:
        await agent.start()
        states.append(state.exists())
        await agent.stop()
        states.append(state.exists())
        return await _lifecycle(agent)

    assert asyncio.run(watch()) == [False, True, True, False, False]
    assert states == [True, False]


def test_heartbeats_ocf_wrapper_token_runs_dummy_with_the_instance_files_settings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    instance = tmp_path / "conf" / "OCF" / "Dummy" / "db"
    instance.parent.mkdir(parents=True)
    state = tmp_path / "db.state"
    instance.write_text(f"# the db's marker\n  OCF_RESKEY_state='{state}'  # where\n")
    agent = resolve("OCF::Dummy::db", real_context(tmp_path))
    caplog.set_level(logging.INFO, "hb.ra.ocf")
    asyncio.run(agent.start())
    assert state.exists()
    assert f"Running {tmp_path}/resource.d/OCF Dummy db start" in caplog.messages
    assert agent.environment()["OCF_RESOURCE_INSTANCE"] == "db"
    asyncio.run(agent.stop())
    assert not state.exists()


def test_anything_runs_a_program_as_a_service_and_stops_it(tmp_path: Path) -> None:
    pidfile = tmp_path / "sleep.pid"
    token = f"ocf:heartbeat:anything::binfile=/bin/sleep::cmdline_options=600::pidfile={pidfile}"
    agent = resolve(token, real_context(tmp_path))

    async def run() -> tuple[bool, int, bool]:
        await agent.start()
        running = await agent.status()
        pid = int(pidfile.read_text())
        await agent.stop()
        return running, pid, await agent.status()

    running, pid, after = asyncio.run(run())
    assert (running, after) == (True, False)
    assert not Path(f"/proc/{pid}").exists() or "sleep" not in _cmdline(pid)


NETNS_PREFIX = "hbocf"


def _ip(*args: str) -> str:
    ran = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)
    assert ran.returncode == 0, f"ip {' '.join(args)}: {ran.stderr}"
    return ran.stdout


@pytest.fixture
def netns() -> Iterator[str]:
    """A network namespace of ours with a veth pair, hbocf0 at 10.213.7.1/24 and hbocf1."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create a network namespace")
    name = f"{NETNS_PREFIX}{os.getpid()}"
    _ip("netns", "add", name)
    try:
        _ip("-n", name, "link", "add", "hbocf0", "type", "veth", "peer", "name", "hbocf1")
        for interface in ("hbocf0", "hbocf1"):
            _ip("-n", name, "link", "set", interface, "up")
        _ip("-n", name, "addr", "add", "10.213.7.1/24", "dev", "hbocf0")
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False, timeout=10)


@pytest.mark.netns
def test_ipaddr2_adds_and_removes_the_address_inside_the_namespace(
    netns: str, tmp_path: Path
) -> None:
    token = (
        "ocf:heartbeat:IPaddr2::ip=10.213.7.50::cidr_netmask=24::nic=hbocf0"
        f"::network_namespace={netns}::arp_count=1"
    )
    agent = resolve(token, real_context(tmp_path))

    def held() -> bool:
        return "10.213.7.50/24" in _ip("-n", netns, "-o", "-4", "addr", "show", "dev", "hbocf0")

    async def run() -> list[bool]:
        seen = [await agent.status(), held()]
        await agent.start()
        seen += [await agent.status(), held()]
        await agent.stop()
        seen += [await agent.status(), held()]
        return seen

    assert asyncio.run(run()) == [False, False, True, True, False, False]
    assert "10.213.7.50" not in _ip("-o", "-4", "addr", "show")  # never outside the namespace


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""

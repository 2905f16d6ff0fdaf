"""A systemd unit driven through systemctl (a stand-in here, as no systemd runs): start and stop
wait for the job, status is is-active, the unit's own timeouts bound hb's wait, and a failed job
carries systemctl's words."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import hb_ra_systemd.agent
import pytest
from hb_hookspecs import ResourceError
from hb_ra_systemd.agent import SystemdAgent
from systemd_helpers import FakeSystemd

SHOW = "show --property=TimeoutStartUSec --property=TimeoutStopUSec nginx.service"


@pytest.fixture
def systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSystemd:
    return FakeSystemd.install(tmp_path, monkeypatch)


def _agent() -> SystemdAgent:
    return SystemdAgent("systemd:nginx", "nginx.service", {"HA_CURHOST": "linuxha1"})


def test_start_status_stop_go_through_systemctl_and_wait_for_the_job(
    systemd: FakeSystemd,
) -> None:
    agent = _agent()

    async def lifecycle() -> list[bool]:
        seen = [await agent.status()]
        await agent.start()
        seen.append(await agent.status())
        await agent.stop()
        seen.append(await agent.status())
        return seen

    assert asyncio.run(lifecycle()) == [False, True, False]
    assert systemd.calls() == [
        "is-active nginx.service",
        SHOW,
        "start --no-ask-password nginx.service",
        "is-active nginx.service",
        "stop --no-ask-password nginx.service",
        "is-active nginx.service",
    ]


def test_a_failed_job_raises_with_systemctls_words(
    systemd: FakeSystemd, caplog: pytest.LogCaptureFixture
) -> None:
    systemd.mark("nginx.service", "fail")
    with pytest.raises(ResourceError) as raised:
        asyncio.run(_agent().start())
    assert str(raised.value) == (
        "systemctl start nginx.service failed with exit status 1:\n"
        "Job for nginx.service failed because the control process exited with error code."
    )
    assert (logging.ERROR, "systemctl start nginx.service failed with exit status 1") in [
        (record.levelno, record.getMessage()) for record in caplog.records
    ]


def test_stopping_a_unit_systemd_does_not_know_is_a_stop(systemd: FakeSystemd) -> None:
    systemd.mark("nginx.service", "unknown")
    asyncio.run(_agent().stop())


def test_the_units_own_timeouts_are_read_once(systemd: FakeSystemd) -> None:
    systemd.mark("nginx.service", "show", "TimeoutStartUSec=5min 30s\nTimeoutStopUSec=infinity\n")
    agent = _agent()

    async def twice() -> dict[str, float | None]:
        await agent.timeouts()
        return await agent.timeouts()

    assert asyncio.run(twice()) == {"start": 330.0, "stop": None}
    assert systemd.calls() == [SHOW]


def test_a_hung_systemctl_is_killed_after_the_units_timeout_and_the_margin(
    systemd: FakeSystemd, monkeypatch: pytest.MonkeyPatch
) -> None:
    systemd.mark("nginx.service", "show", "TimeoutStartUSec=100ms\n")
    systemd.mark("nginx.service", "hang")
    monkeypatch.setattr(hb_ra_systemd.agent, "MARGIN_SECONDS", 0.2)
    with pytest.raises(ResourceError, match=r"start nginx.service timed out after 0\.3 s"):
        asyncio.run(_agent().start())


def test_without_systemctl_status_is_false_and_start_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    agent = _agent()
    assert asyncio.run(agent.status()) is False
    with pytest.raises(ResourceError, match="cannot run systemctl"):
        asyncio.run(agent.start())

"""A resource that fails to start, in nice mode (config-files.md §3.2, ResourceManager's
takegroup): "Giving up resources due to failure of X" with the reason, the group stopped again
right to left, the other groups left alone, and 30 s later ``hb_standby local|foreign``, which
hands the peer every group of that kind. Meanwhile the node goes on claiming the kind, as
heartbeat's C side does, because its other groups of that kind still run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hb_hookspecs import ResourceError
from hbcore.decisions import nice_failback as manager
from hbcore.resources.groups import Group
from hbcore.testing.cluster import FakeAgent, World, wait_for
from nice_pair import events, nice_pair
from structlog.testing import capture_logs

STANDBY_DELAY_S = 1.0
HOME = {"10.0.0.1": "linuxha1", "httpd": "linuxha1", "10.0.0.3": "linuxha1", "10.0.0.2": "linuxha2"}


class FailsToStart(FakeAgent):
    """A fake resource whose start fails on one node, with an agent's reason."""

    def __init__(self, world: World, resource: str, node: str, fails_on: str) -> None:
        super().__init__(world, resource, node)
        self.fails_on = fails_on
        self.stops = 0

    async def start(self) -> None:
        if self.node == self.fails_on:
            raise ResourceError("Return code 1 from /etc/init.d/httpd:\ncannot bind port 80")
        await super().start()

    async def stop(self) -> None:
        self.stops += 1
        await super().stop()


def _groups(world: World, node: str, httpd: FakeAgent) -> list[Group]:
    """linuxha1 prefers ``10.0.0.1 httpd`` and ``10.0.0.3``; linuxha2 prefers ``10.0.0.2``."""
    return [
        Group(
            "10.0.0.1",
            "linuxha1",
            ("10.0.0.1", "httpd"),
            (FakeAgent(world, "10.0.0.1", node), httpd),
        ),
        Group("10.0.0.3", "linuxha1", ("10.0.0.3",), (FakeAgent(world, "10.0.0.3", node),)),
        Group("10.0.0.2", "linuxha2", ("10.0.0.2",), (FakeAgent(world, "10.0.0.2", node),)),
    ]


@pytest.fixture(autouse=True)
def _short_standby_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manager, "FAILED_GROUP_STANDBY_DELAY_S", STANDBY_DELAY_S)


def test_a_failed_start_gives_the_group_up_then_hands_its_kind_to_the_peer(
    tmp_path: Path,
) -> None:
    world = World()
    httpd = {
        node: FailsToStart(world, "httpd", node, "linuxha1") for node in ("linuxha1", "linuxha2")
    }

    async def scenario(logs: list[dict[str, object]]) -> None:
        async with nice_pair(
            tmp_path, world, True, lambda w, node: _groups(w, node, httpd[node])
        ) as pair:
            pair.start("linuxha1")
            pair.start("linuxha2")
            await wait_for(lambda: "Giving up resources due to failure of httpd" in events(logs))
            await wait_for(world.settled({"10.0.0.3": "linuxha1", "10.0.0.2": "linuxha2"}))
            assert world.owner("10.0.0.1") == set() and world.owner("httpd") == set()
            assert httpd["linuxha1"].stops == 1  # given up with its group
            # Still claimed: 10.0.0.3, of the same kind, runs here.
            assert pair.manager("linuxha1").holding == "local"
            await asyncio.sleep(STANDBY_DELAY_S / 2)
            assert world.owner("10.0.0.1") == set()  # the standby waits its delay
            await wait_for(world.settled(dict.fromkeys(HOME, "linuxha2")))
            await wait_for(pair.stable)
            assert pair.holdings() == {"linuxha1": "none", "linuxha2": "all"}

    with capture_logs() as logs:
        asyncio.run(scenario(logs))
    [giving_up] = [e for e in logs if e["event"] == "Giving up resources due to failure of httpd"]
    assert giving_up["log_level"] == "critical"
    assert "cannot bind port 80" in str(giving_up["output"])
    said = events(logs)
    released = said.index("Releasing resource group: linuxha1 10.0.0.1 httpd")
    assert said.index("Giving up resources due to failure of httpd") < released
    assert "linuxha1 wants to go standby [local]" in said
    assert world.conflicts == []

"""touchfile agents in a two-node cluster (hb's pytest plugin): the preferred node acquires
the group, the peer takes it over when the node dies, and the plugins hear both."""

import asyncio
from pathlib import Path

import hb_ra_touchfile
import pytest


@pytest.mark.hb_plugins(hb_ra_touchfile)
def test_the_group_runs_on_its_node_and_fails_over_when_it_dies(
    hb_cluster, hb_hook_recorder, hb_plugin_set, tmp_path: Path
) -> None:
    marker = tmp_path / "held"

    async def scenario() -> None:
        async with hb_cluster([f"linuxha1 touchfile::{marker}"]) as cluster:
            await cluster.start()
            await cluster.wait_for(
                lambda: (
                    cluster.stable()
                    and cluster.holdings() == {"linuxha1": "local", "linuxha2": "local"}
                )
            )
            assert marker.exists()
            cluster.kill("linuxha1")
            marker.unlink()  # what the dead node held is gone with it
            await cluster.wait_for(
                lambda: cluster.holdings() == {"linuxha2": "all"} and marker.exists()
            )
        await hb_plugin_set.hooks.delivered()

    asyncio.run(scenario())
    acquired = [call.arguments for call in hb_hook_recorder.named("hb_resources_acquired")]
    assert (
        acquired == [{"group": f"touchfile::{marker}", "resources": [f"touchfile::{marker}"]}] * 2
    )

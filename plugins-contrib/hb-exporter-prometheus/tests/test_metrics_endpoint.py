"""``/metrics`` scraped with a real HTTP client from a running node and read with
prometheus_client's own parser: every metric docs/metrics.md documents is there with its
documented labels, the figures are the node's, a takeover lands in the failover histogram, and
a stalled scraper holds no heartbeat back."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

from exporter_helpers import NAMES, Served, served_pair
from hbcore.testing.cluster import wait_for
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

REPO = Path(__file__).resolve().parents[3]
METRICS_DOC = REPO / "docs" / "metrics.md"
_ROW = re.compile(r"^\| `(?P<name>hb_\w+)` \| (?P<type>\w+) \|(?P<labels>[^|]*)\|")


def documented() -> dict[str, tuple[str, frozenset[str]]]:
    """Each metric of docs/metrics.md's table: its type and labels."""
    found = {}
    for line in METRICS_DOC.read_text().splitlines():
        row = _ROW.match(line)
        if row:
            labels = frozenset(re.findall(r"`(\w+)`", row["labels"]))
            found[row["name"]] = (row["type"], labels)
    return found


def samples(text: str) -> list[Sample]:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def value(text: str, name: str, **labels: str) -> float:
    [found] = [s.value for s in samples(text) if s.name == name and s.labels == labels]
    return found


def test_every_documented_metric_is_served_with_its_documented_labels(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str]:
        async with served_pair(tmp_path) as served:
            served.nodes["linuxha1"].node.packet_arrived("eth1", b"not a heartbeat packet")
            served.nodes.pop("linuxha2").kill()  # linuxha1 takes 10.0.0.2 over
            linuxha1 = served.nodes["linuxha1"].node
            taken = linuxha1.stats.groups
            await wait_for(lambda: "10.0.0.2" in taken and taken["10.0.0.2"].state == "running")
            # A scrape may be answered from the figures of the last half second: scrape until
            # they show the takeover (the loop's snapshot is rate-limited, not frozen).
            for _ in range(20):
                status, content_type, text = await served.get("/metrics")
                assert status == 200
                if value(text, "hb_link_up", node="linuxha2", link="eth1") == 0:
                    break
                await asyncio.sleep(0.1)
            return content_type, text

    content_type, text = asyncio.run(scenario())
    assert content_type.startswith("text/plain; version=0.0.4")
    served = {}
    for sample in samples(text):
        served.setdefault(sample.name, set()).add(frozenset(sample.labels) - {"le"})
    expected = documented()
    assert len(expected) >= 18
    for name, (kind, labels) in expected.items():
        names = [name]
        if kind == "histogram":
            names = [f"{name}_bucket", f"{name}_sum", f"{name}_count"]
        for sample_name in names:
            assert served.get(sample_name) == {labels}, f"{sample_name}: {served.get(sample_name)}"
    undocumented = {name.removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")
                    for name in served} - set(expected)  # fmt: skip
    assert undocumented == set()

    assert value(text, "hb_up") == 1
    assert value(text, "hb_node_status", node="linuxha2", status="dead") == 1
    assert value(text, "hb_node_status", node="linuxha2", status="active") == 0
    assert value(text, "hb_node_status", node="linuxha1", status="active") == 1
    assert value(text, "hb_link_up", node="linuxha2", link="eth1") == 0
    assert value(text, "hb_link_deaths_total", node="linuxha2", link="eth1") == 1
    heartbeats = value(text, "hb_link_interval_seconds_count", node="linuxha2", link="eth1")
    assert heartbeats > 3
    link = {"node": "linuxha2", "link": "eth1"}
    assert value(text, "hb_link_interval_seconds_bucket", **link, le="+Inf") == heartbeats
    assert value(text, "hb_dropped_packets_total", reason="not heartbeat") == 1
    assert value(text, "hb_resource_group_held", group="10.0.0.2", holder="linuxha1") == 1
    assert value(text, "hb_resource_group_state", group="10.0.0.2", state="running") == 1
    for span in ("detection", "takeover", "outage"):
        assert value(text, "hb_failover_duration_seconds_count", span=span) == 1
    detection = value(text, "hb_failover_duration_seconds_sum", span="detection")
    outage = value(text, "hb_failover_duration_seconds_sum", span="outage")
    assert 0 < detection < outage
    # up (or straight to active, as timing has it), active, dead: at least coming up and dying
    assert value(text, "hb_node_transitions_total", node="linuxha2") >= 2
    assert value(text, "hb_config_generation") == 1


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str]:
        async with served_pair(tmp_path) as served:
            _, content_type, text = await served.get(
                "/metrics", accept="application/openmetrics-text; version=1.0.0"
            )
            return content_type, text

    content_type, text = asyncio.run(scenario())
    assert content_type.startswith("application/openmetrics-text")
    assert text.endswith("# EOF\n")


async def _stall(served: Served, clients: int) -> list[socket.socket]:
    """``clients`` connections that never read an answer: half send a whole request, half
    only the start of one."""

    def connect(index: int) -> socket.socket:
        stalled = socket.create_connection(("127.0.0.1", served.exporter.port or 0))
        request = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" if index % 2 else b"GET /metr"
        stalled.sendall(request)
        return stalled

    return [await asyncio.to_thread(connect, index) for index in range(clients)]


def test_stalled_scrapers_hold_back_no_heartbeat(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, list[int]]:
        async with served_pair(tmp_path) as served:
            linuxha2 = served.nodes["linuxha2"].node.stats
            before = linuxha2.link("linuxha1", "eth1").intervals.count
            stalled = await _stall(served, 6)
            try:
                answered = [(await served.get("/metrics"))[0] for _ in range(3)]
                assert answered == [200] * 3  # a scraper that reads is still served
                await asyncio.sleep(1.0)  # 20 keepalives of linuxha1
                during = linuxha2.link("linuxha1", "eth1").intervals.count - before
            finally:
                for connection in stalled:
                    connection.close()
            nodes = [running.node for running in served.nodes.values()]
            return during, [node.stats.node(peer).deaths for node in nodes for peer in NAMES]

    during, deaths = asyncio.run(scenario())
    assert during >= 10, f"only {during} heartbeats of linuxha1 arrived in 1 s of 50 ms keepalive"
    assert deaths == [0, 0, 0, 0]

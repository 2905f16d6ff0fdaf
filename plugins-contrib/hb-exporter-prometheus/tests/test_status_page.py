"""The status page at ``/``, loaded in headless Chromium (Debian's ``chromium``) from a running
node: the nodes and their link are on it, it refreshes itself, it has no script and no form, and
nothing on the server accepts a write."""

from __future__ import annotations

import asyncio
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from exporter_helpers import served_pair
from hb_exporter_prometheus.figures import EventFigures
from hb_exporter_prometheus.page import render_page
from hb_exporter_prometheus.published import Published

CHROMIUM_TIMEOUT_S = 120
"""Chromium may take long to start on a loaded machine."""


def _chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
               f"--user-data-dir={profile}", "--window-size=1200,900", *arguments]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S, check=True
    )


def test_chromium_shows_the_nodes_their_link_and_the_groups(tmp_path: Path) -> None:
    screenshot = tmp_path / "status-page.png"  # kept with the test's tmp directory

    async def scenario() -> str:
        async with served_pair(tmp_path / "cluster") as served:
            await asyncio.sleep(0.3)  # a few heartbeats: the link has figures
            profile = tmp_path / "chromium"
            await asyncio.to_thread(_chromium, profile, f"--screenshot={screenshot}", served.url)
            return (await asyncio.to_thread(_chromium, profile, "--dump-dom", served.url)).stdout

    dom = asyncio.run(scenario())
    assert screenshot.stat().st_size > 10_000
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert "<title>hb: linuxha1</title>" in dom
    for node in ("linuxha1", "linuxha2"):
        row = re.search(rf'<tr data-node="{node}">(.*?)</tr>', dom)
        assert row is not None and "active" in row[1], node
    link = re.search(r'<tr data-link="linuxha2:eth1">(.*?)</tr>', dom)
    assert link is not None and ">up<" in link[1]
    assert '<tr data-group="10.0.0.1"><td>10.0.0.1</td><td>linuxha1</td>' in dom
    assert 'data-kind="node_up"' in dom
    assert '<meta http-equiv="refresh" content="5">' in dom
    assert "<script" not in dom and "<form" not in dom


def test_the_server_refuses_writes_and_unknown_paths(tmp_path: Path) -> None:
    def status(url: str, method: str) -> int:
        request = urllib.request.Request(url, data=b"x" if method == "POST" else None)
        request.method = method
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return refused.code

    async def scenario() -> list[int]:
        async with served_pair(tmp_path) as served:
            asked = [("/", "POST"), ("/metrics", "PUT"), ("/admin", "GET"), ("/status.json", "GET")]
            return [await asyncio.to_thread(status, served.url + p, m) for p, m in asked]

    assert asyncio.run(scenario()) == [501, 501, 404, 200]


def test_every_text_from_the_node_is_escaped_and_a_silent_node_is_said() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    snapshot = {
        "node": hostile,
        "nodes": {hostile: {"type": "normal", "status": hostile, "links": {hostile: {}}}},
        "groups": {hostile: {"state": hostile}},
    }
    events = [{"kind": hostile, "time": hostile, "node": hostile, "message": hostile}]
    page = render_page(Published(snapshot, events, EventFigures().copy(), 0.0, hostile))
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "The node did not answer in time." in render_page(None)

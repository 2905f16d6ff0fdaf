"""``hb status`` and ``hb events`` against a real node on loopback: the JSON of each, the watch
view in a pipe, and the history read from the events file once the node has stopped."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hbcore.testing.media import free_udp_port
from test_hb_start import HB, NODE, LoneNode, _run, running, wait_until


@pytest.fixture
def lone_node(tmp_path: Path) -> LoneNode:
    port = free_udp_port()
    return LoneNode(tmp_path, [f"ucast lo 127.0.0.1:{port}"], port)


def _events(node: LoneNode, *options: str) -> list[dict[str, object]]:
    result = _run(
        [str(HB), "events", "--json", "--run-dir", str(node.paths.run_dir),
         "--state-dir", str(node.paths.state_dir), *options]
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _watch_in_tmux(node: LoneNode) -> list[str]:
    """What a 160x50 terminal shows of ``hb status --watch`` after a few refreshes (tmux,
    on a server of our own)."""
    server = ["tmux", "-L", f"hb-watch-{os.getpid()}"]
    watch = [
        str(HB),
        "status",
        "--watch",
        "--interval",
        "0.2",
        "--run-dir",
        str(node.paths.run_dir),
    ]
    subprocess.run(
        [*server, "new-session", "-d", "-x", "160", "-y", "50", shlex.join(watch)], check=True
    )
    try:

        def screen() -> str:
            capture = [*server, "capture-pane", "-p"]
            return subprocess.run(capture, capture_output=True, text=True, check=True).stdout

        wait_until(lambda: "GROUP" in screen(), "the watch view on the terminal")
        time.sleep(0.7)  # a few refreshes more: they must replace the view, not follow it
        return screen().splitlines()
    finally:
        subprocess.run([*server, "kill-server"], capture_output=True, check=False)


def test_status_and_events_answer_from_a_running_node_and_events_from_its_file(
    lone_node: LoneNode,
) -> None:
    with running(lone_node) as process:
        wait_until(lone_node.mark.exists, "the node holds its resource")
        wait_until(
            lambda: "acquired" in [e["kind"] for e in _events(lone_node)], "acquired recorded"
        )
        report = json.loads(lone_node.status("--json").stdout)
        watched = lone_node.status("--watch", "--count", "2", "--interval", "0.1")
        recent = _events(lone_node, "--since", "10m")
        terminal = _watch_in_tmux(lone_node) if shutil.which("tmux") else None
        assert lone_node.stop().returncode == 0
        assert process.wait(30) == 0
    assert report["schema"] == 2 and report["status"] == "active"  # the old keys stay
    (me,) = report["nodes"]
    assert me["links"] == {"lo": "up"}
    assert [t["status"] for t in me["stats"]["transitions"]] == ["up", "active"]
    (group,) = report["groups"]
    assert (group["key"], group["holder"], group["state"]) == ("marker", NODE, "running")
    assert group["last_acquire"]["duration_ms"] > 0

    assert watched.returncode == 0
    assert watched.stdout.count("\n--- ") == 1 and watched.stdout.startswith("--- ")
    assert watched.stdout.count("NODE ") == 2 and "GROUP" in watched.stdout

    if terminal is not None:
        assert "every 0.2 s, Ctrl-C ends" in terminal[0]
        assert sum(line.startswith("NODE ") for line in terminal) == 1
        assert any(line.startswith("marker ") and "running" in line for line in terminal)

    kinds = [event["kind"] for event in recent]
    assert kinds[0] == "start" and "link_up" in kinds and "acquired" in kinds
    assert all(event["v"] == 1 for event in recent)
    # Stopped: the history comes from the events file, the stop and the release included.
    stopped = _events(lone_node)
    assert [event["kind"] for event in stopped][-2:] == ["released", "stop"]
    assert stopped[: len(recent)] == recent

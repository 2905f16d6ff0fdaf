"""The whole path: ``hb start`` with ``metrics_listen`` in ha.cf loads the installed plugin, serves
``/metrics`` while the node runs, and closes the port when it stops."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from hbcore.testing.media import free_udp_port
from prometheus_client.parser import text_string_to_metric_families

HB = Path(sys.executable).with_name("hb")
STEP_TIMEOUT_S = 30.0


def _free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def _scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            text = answer.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_started_node_serves_its_metrics_until_it_stops(tmp_path: Path) -> None:
    udp, tcp = free_udp_port(), _free_tcp_port()
    config = tmp_path / "ha.d"
    config.mkdir()
    (config / "ha.cf").write_text(
        "keepalive 100ms\ndeadtime 500ms\nwarntime 300ms\ninitdead 1\nrealtime off\n"
        f"udpport {udp}\nucast lo 127.0.0.1:{udp}\nlogfile {tmp_path / 'ha-log'}\n"
        f"metrics_listen 127.0.0.1:{tcp}\nnode lone\n"
    )
    (config / "haresources").write_text("")
    (config / "authkeys").write_text("auth 1\n1 sha1 lone\n")
    (config / "authkeys").chmod(0o600)
    node = subprocess.Popen(
        [str(HB), "start", "--foreground", "--node-name", "lone", "-c", str(config),
         "--state-dir", str(tmp_path / "state"), "--run-dir", str(tmp_path / "run")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{tcp}/metrics"
    try:
        active = (("node", "lone"), ("status", "active"))

        def scraped_active() -> object:
            metrics = _scrape(url)
            return metrics if metrics and metrics.get(("hb_node_status", active)) == 1 else None

        metrics = _until(scraped_active, "lone active in /metrics")
        assert isinstance(metrics, dict) and metrics[("hb_up", ())] == 1
        node.send_signal(signal.SIGTERM)
        assert node.wait(STEP_TIMEOUT_S) == 0
        assert _scrape(url) is None  # stopped with the node
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
    log = (tmp_path / "ha-log").read_text()
    assert f"Serving metrics and the status page on http://127.0.0.1:{tcp}/" in log

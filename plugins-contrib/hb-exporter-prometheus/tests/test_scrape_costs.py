"""What a scrape costs the process once the node heartbeats: no thread started (a thread start
holds the interpreter's lock while the kernel maps its stack: milliseconds under a plain
``mlockall``) and no module loaded (an import holds the lock for as long as it runs); the one-time
work is done when the node builds its monitors and starts them, before its first heartbeat."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

from exporter_helpers import served_pair
from hb_exporter_prometheus.server import MAX_CLIENTS

FIRST_SCRAPES = """
import sys, time, urllib.request
from pathlib import Path
from hb_exporter_prometheus.exporter import exporter_for
from hb_exporter_prometheus.figures import EventFigures
from hb_exporter_prometheus.listen import Listen
from hb_exporter_prometheus.published import Published
from hb_exporter_prometheus.server import MetricsServer
from hb_hookspecs import Settings

exporter_for(Settings("linuxha1", Path("."), {"metrics_listen": (Listen("127.0.0.1", 0),)}))
published = Published(
    {"node": "linuxha1", "nodes": {"linuxha1": {"status": "active", "links": {}}},
     "groups": {}, "dropped": {}}, [], EventFigures().copy(), time.monotonic(), "0.0")
server = MetricsServer(Listen("127.0.0.1", 0), lambda: published, "0.0")
server.start()
before = set(sys.modules)
for path, accept in (("/metrics", ""), ("/metrics", "application/openmetrics-text; version=1.0.0"),
                     ("/", ""), ("/status.json", "")):
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}")
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200, (path, answer.status)
        answer.read()
server.stop()
print(" ".join(sorted(set(sys.modules) - before)))
"""


def test_the_first_scrapes_load_no_module() -> None:
    # A fresh interpreter: in this one, earlier tests have loaded everything already.
    ran = subprocess.run(
        [sys.executable, "-c", FIRST_SCRAPES], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == []


def _server_threads() -> set[threading.Thread]:
    """The threads of this process but the test's own (asyncio's executor runs the client)."""
    return {
        thread
        for thread in threading.enumerate()
        if not thread.name.startswith(("asyncio_", "ThreadPoolExecutor"))
    }


def test_scrapes_start_no_thread(tmp_path: Path) -> None:
    async def scenario() -> tuple[set[threading.Thread], set[threading.Thread], list[int]]:
        async with served_pair(tmp_path) as served:
            started = _server_threads()
            answers = [(await served.get(path))[0] for path in ("/metrics", "/", "/status.json")]
            answers += [(await served.get("/metrics"))[0] for _ in range(5)]
            return started, _server_threads(), answers

    started, after, answers = asyncio.run(scenario())
    assert answers == [200] * 8
    assert after == started
    assert sum(thread.name.startswith("hb metrics") for thread in started) == MAX_CLIENTS + 1

"""Start-up must not delay a heartbeat: threads a plugin begins while the node is built end
before the node starts (hb-ra-ipaddr's import of pyroute2 and scapy), bounded, and daemon
threads (services for the process's life) are not waited for."""

from __future__ import annotations

import asyncio
import threading

from hbcore.node.warm_start import begun_since, settle, threads_now
from structlog.testing import capture_logs


def test_the_node_waits_for_a_warm_up_thread_begun_while_it_was_built() -> None:
    release = threading.Event()
    finished = threading.Event()

    def warm_up() -> None:
        release.wait()
        finished.set()

    async def build_then_settle() -> list[str]:
        before = threads_now()
        threading.Thread(target=warm_up, name="plugin-warmup").start()
        asyncio.get_running_loop().call_soon(release.set)
        return await settle(before)

    assert asyncio.run(build_then_settle()) == []
    assert finished.is_set()


def test_threads_alive_before_and_daemon_threads_are_not_waited_for() -> None:
    release = threading.Event()
    older = threading.Thread(target=release.wait, name="older")
    older.start()
    try:
        before = threads_now()
        service = threading.Thread(target=release.wait, name="service", daemon=True)
        service.start()
        assert begun_since(before) == []
        assert asyncio.run(settle(before)) == []
    finally:
        release.set()
        older.join()


def test_a_warm_up_that_outlives_the_limit_is_named_and_the_node_starts_anyway() -> None:
    release = threading.Event()

    async def build_then_settle() -> list[str]:
        before = threads_now()
        threading.Thread(target=release.wait, name="stuck-warmup").start()
        return await settle(before, limit_s=0.01)

    try:
        with capture_logs() as logs:
            assert asyncio.run(build_then_settle()) == ["stuck-warmup"]
    finally:
        release.set()
    assert any("stuck-warmup" in entry["event"] for entry in logs)

"""The bridge between the HTTP threads and the node's loop: a loop that does not answer costs a
scrape ``hb_up 0`` (never stale figures), many clients cost the loop one snapshot, and a port
already taken is said with the directive's value."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hb_exporter_prometheus.exporter import Exporter, Views
from hb_exporter_prometheus.figures import EventFigures
from hb_exporter_prometheus.listen import Listen
from hb_exporter_prometheus.metrics import HbCollector
from hb_exporter_prometheus.published import Published
from hb_exporter_prometheus.server import LoopSource
from prometheus_client import CollectorRegistry, generate_latest


class StillView:
    """A view of a node that has nothing to say."""

    def snapshot(self) -> Mapping[str, Any]:
        return {"node": "linuxha1", "nodes": {}, "groups": {}, "dropped": {}}

    def events(
        self, since: float | None = None, after: int | None = None, limit: int | None = None
    ) -> Sequence[Mapping[str, Any]]:
        return []

    def subscribe(self, listener: Callable[[Mapping[str, Any]], None]) -> Callable[[], None]:
        return lambda: None

    @property
    def last_number(self) -> int:
        return 0


def test_a_loop_that_does_not_answer_makes_hb_up_0_and_nothing_else() -> None:
    stalled = asyncio.new_event_loop()  # never run: as a loop stuck in a long call
    try:
        source = LoopSource(stalled, lambda: pytest.fail("taken"), timeout_s=0.05)
        registry = CollectorRegistry(auto_describe=False)
        registry.register(HbCollector(source.get, "0.1.0"))
        text = generate_latest(registry).decode()
    finally:
        stalled.close()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ['hb_build_info{version="0.1.0"} 1.0', "hb_up 0.0"]
    assert source.get() is None  # a closed loop too


def test_clients_at_once_cost_the_loop_one_snapshot() -> None:
    taken: list[float] = []

    async def scenario() -> list[Published | None]:
        loop = asyncio.get_running_loop()

        def take() -> Published:
            taken.append(loop.time())
            return Published(StillView().snapshot(), [], EventFigures().copy(), loop.time(), "x")

        source = LoopSource(loop, take, timeout_s=5, max_age_s=60)
        barrier = threading.Barrier(6)

        def client() -> Published | None:
            barrier.wait()
            return source.get()

        return list(await asyncio.gather(*(asyncio.to_thread(client) for _ in range(6))))

    answers = asyncio.run(scenario())
    assert len(taken) == 1
    assert all(answer is answers[0] is not None for answer in answers)


def test_a_port_already_taken_is_said_with_the_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        views = Views()
        views.ready(StillView())
        exporter = Exporter("linuxha1", Listen("127.0.0.1", port), views)
        with pytest.raises(OSError, match=rf"^metrics_listen 127.0.0.1:{port}: Address already"):
            asyncio.run(exporter.start(lambda observation: None))

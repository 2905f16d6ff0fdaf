"""Background tasks: each named, its failure logged (rate-limited by name), cancelled at stop;
and a takeover that raises is logged, where it used to die silently."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from hbcore.decisions.nice_failback import NiceFailback as ResourceManager
from hbcore.resources.executor import Executor
from hbcore.resources.groups import Group, GroupTable
from hbcore.tasks import Background
from hbcore.testing.cluster import FakeAgent, World, wait_for
from hbcore.wire import Message
from structlog.testing import capture_logs

log = structlog.get_logger("hb.test")


def _errors(logs: list[dict[str, Any]]) -> list[str]:
    return [entry["event"] for entry in logs if entry["log_level"] == "error"]


def test_a_task_that_raises_is_logged_with_its_name_and_traceback() -> None:
    async def fail() -> None:
        raise ValueError("no such thing")

    async def scenario() -> None:
        background = Background(log)
        background.start(fail(), "send the impossible")
        await background.wait()

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert _errors(logs) == ["task send the impossible failed: ValueError: no such thing"]
    assert isinstance(logs[0]["exc_info"], ValueError)


def test_a_long_error_text_is_cut_in_the_log_line() -> None:
    async def fail() -> None:
        raise ValueError("x" * 1000)

    async def scenario() -> None:
        background = Background(log)
        background.start(fail(), "quote a field")
        await background.wait()

    with capture_logs() as logs:
        asyncio.run(scenario())
    (line,) = _errors(logs)
    assert line.endswith("...")
    assert len(line) < 300


def test_a_failure_that_repeats_is_logged_once_then_counted() -> None:
    async def fail() -> None:
        raise OSError("network unreachable")

    async def scenario() -> None:
        background = Background(log, summary_interval_s=0.05)
        for _ in range(5):
            background.start(fail(), "ack to linuxha2")
            await background.wait()
        await asyncio.sleep(0.2)  # the interval ends: one summary line

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert _errors(logs) == ["task ack to linuxha2 failed: OSError: network unreachable"]
    warnings = [entry["event"] for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("task ack to linuxha2 failed: 4 more in the last ")


def test_cancel_ends_every_running_task_and_is_no_failure() -> None:
    async def scenario() -> list[asyncio.Task[None]]:
        background = Background(log)
        tasks = [background.start(asyncio.Event().wait(), f"waits {n}") for n in range(3)]
        await asyncio.sleep(0)
        background.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return tasks

    with capture_logs() as logs:
        tasks = asyncio.run(scenario())
    assert all(task.cancelled() for task in tasks)
    assert _errors(logs) == []


def test_any_awaitable_may_be_started() -> None:
    """A ``send`` may return any awaitable, not only a coroutine."""

    async def scenario() -> str:
        background = Background(log)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = background.start(future, "a future")
        future.set_result(None)
        await background.wait()
        return task.get_name()

    assert asyncio.run(scenario()) == "a future"


def test_a_takeover_task_that_raises_is_logged() -> None:
    """The peer dies; taking its group over raises (here: what follows a started group).
    The failure must reach the log with the task's name: an HA daemon's worst failure is a
    takeover that dies without a word."""
    world = World()
    group = Group(
        "10.0.0.2", "linuxha2", ("10.0.0.2",), (FakeAgent(world, "10.0.0.2", "linuxha1"),)
    )

    async def acquired(_group: Group) -> None:
        raise RuntimeError("acquired callback broke")

    async def nothing(_group: Group) -> None:
        return None

    async def send(_message: Message) -> None:
        return None

    async def scenario() -> None:
        manager = ResourceManager(
            GroupTable([group], "linuxha1"), Executor(acquired, nothing, nothing), send, True
        )
        manager.comm_up(["linuxha2"])
        manager.node_died("linuxha2")
        await wait_for(lambda: bool(_errors(logs)))

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert world.owner("10.0.0.2") == {"linuxha1"}
    assert _errors(logs) == [
        "task acquire all resources failed: RuntimeError: acquired callback broke"
    ]

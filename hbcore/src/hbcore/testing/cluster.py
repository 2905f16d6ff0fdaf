"""In-process clusters for tests: nodes running as tasks, fake resources that record who
runs them, and a way to wait for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hbcore.node.daemon import Node


class RunningNode:
    """A node running as a task on the current loop, with its stop switch."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.stopping = asyncio.Event()
        self.task = asyncio.create_task(node.run(self.stopping))

    async def stop(self) -> None:
        """Stop cleanly (resources released, ``shutdone`` sent) and wait for the end."""
        self.stopping.set()
        await asyncio.wait_for(self.task, 5)

    def kill(self) -> None:
        """Stop at once, as SIGKILL would: nothing is released, nobody is told."""
        self.task.cancel()


class World:
    """Who runs each resource, across every node; any moment with two owners is recorded."""

    def __init__(self) -> None:
        self.owners: dict[str, set[str]] = {}
        self.conflicts: list[str] = []

    def start(self, resource: str, node: str) -> None:
        owners = self.owners.setdefault(resource, set())
        owners.add(node)
        if len(owners) > 1:
            self.conflicts.append(f"{resource} owned by {sorted(owners)}")

    def owner(self, resource: str) -> set[str]:
        return self.owners.get(resource, set())

    def settled(self, expected: dict[str, str]) -> Callable[[], bool]:
        """A condition: each resource of ``expected`` runs on its node alone."""
        return lambda: all(self.owner(r) == {n} for r, n in expected.items())


class FakeAgent:
    """A resource agent of one node that starts and stops a resource of the :class:`World`."""

    def __init__(self, world: World, resource: str, node: str) -> None:
        self.world, self.name, self.node = world, resource, node

    async def start(self) -> None:
        await asyncio.sleep(0.01)
        self.world.start(self.name, self.node)

    async def stop(self) -> None:
        await asyncio.sleep(0.01)
        self.world.owner(self.name).discard(self.node)

    async def status(self) -> bool:
        return self.node in self.world.owner(self.name)

    def describe(self) -> str:
        return f"fake {self.name}"


async def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> None:
    """Wait until ``condition()`` holds; AssertionError after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)

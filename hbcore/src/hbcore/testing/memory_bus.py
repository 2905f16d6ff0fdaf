"""An in-memory broadcast segment for node tests: every packet reaches every attached medium
(the sender's own included, as bcast does), unless the test cuts a member off."""

from __future__ import annotations

from collections.abc import Callable


class MemoryBus:
    """One shared segment."""

    def __init__(self, name: str = "eth1") -> None:
        self.name = name
        self.members: list[MemoryMedium] = []
        self.cut: set[str] = set()
        self.sent: list[bytes] = []

    def medium(self, owner: str) -> MemoryMedium:
        """A new medium of ``owner`` attached to this segment."""
        medium = MemoryMedium(self, owner)
        self.members.append(medium)
        return medium

    def carry(self, sender: MemoryMedium, packet: bytes) -> None:
        """Deliver ``packet`` to every member that is not cut off."""
        self.sent.append(packet)
        if sender.owner in self.cut:
            return
        for member in self.members:
            if member.deliver is not None and member.owner not in self.cut:
                member.deliver(packet)


class MemoryMedium:
    """A medium on a :class:`MemoryBus`."""

    wire_format = "netstring"

    def __init__(self, bus: MemoryBus, owner: str) -> None:
        self.bus = bus
        self.owner = owner
        self.name = bus.name
        self.deliver: Callable[[bytes], None] | None = None

    async def start(self, deliver: Callable[[bytes], None]) -> None:
        self.deliver = deliver

    async def send(self, packet: bytes) -> None:
        self.bus.carry(self, packet)

    async def stop(self) -> None:
        self.deliver = None

    def describe(self) -> str:
        return f"memory {self.name}"

"""The resource groups of a cluster, with their agents, as one node sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hb_hookspecs import ResourceAgent

from hbcore.resources.holdings import Hold


@dataclass(frozen=True)
class Group:
    """One haresources line: ``key`` (its first token), the preferred ``node``, the tokens and
    their agents in start order."""

    key: str
    node: str
    tokens: tuple[str, ...]
    agents: tuple[ResourceAgent, ...]

    @property
    def line(self) -> str:
        """The haresources line, as heartbeat logs it (``linuxha1 10.0.0.1 httpd``)."""
        return " ".join((self.node, *self.tokens))


class GroupTable:
    """Every group, in haresources order, split into ours (``local``) and the others."""

    def __init__(self, groups: Sequence[Group], local_node: str) -> None:
        self.groups = tuple(groups)
        self.local_node = local_node

    def select(self, hold: Hold) -> list[Group]:
        """The groups a holding covers, in file order."""
        return [group for group in self.groups if self.hold_of(group) in hold]

    def of_node(self, node: str) -> list[Group]:
        """The groups whose preferred node is ``node``."""
        return [group for group in self.groups if group.node == node]

    def hold_of(self, group: Group) -> Hold:
        """``LOCAL`` for our groups, ``FOREIGN`` for the others."""
        return Hold.LOCAL if group.node == self.local_node else Hold.FOREIGN

    def by_key(self, key: str) -> Group | None:
        """The group so keyed, or None."""
        return next((group for group in self.groups if group.key == key), None)

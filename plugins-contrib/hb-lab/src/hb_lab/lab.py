"""The lab: N cluster nodes (plus a client) as processes in their own network namespaces.

This module is the lab's public face: everything a test, a bench or the demo builds a lab with
is importable from here. Example::

    with Lab.create(LabSpec(nodes=2)) as lab:
        lab.write_config(ClusterConfig(media=(Bcast(("eth1",)),)))
        lab.start(HeartbeatCommand())
        lab.node("linuxha2").wait_for_log("Status update for node linuxha1: status active", 30)

A lab created by this process (the default) is torn down when the ``with`` block ends, at
interpreter exit, or on SIGTERM/SIGHUP. A *detached* lab (``hb lab up``) lives until
:meth:`Lab.teardown` from any process (``hb lab down``), found by name with :meth:`Lab.attach`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from hb_lab import faults, lifecycle
from hb_lab.commands import HbCommand, HeartbeatCommand, NodeCommand, TemplateCommand
from hb_lab.faults import Direction
from hb_lab.haconf import (
    Auth,
    Bcast,
    ClusterConfig,
    Mcast,
    NodeFacts,
    Serial,
    Timers,
    Ucast,
    write_ha_d,
)
from hb_lab.lifecycle import (
    STATE_ROOT,
    LabState,
    ProcessIdentity,
    find_state,
    is_prefix,
    lab_namespaces,
    new_prefix,
    prefix_of_netns,
    sweep_stale,
    teardown,
)
from hb_lab.logs import LogMatch
from hb_lab.netns import LabCommandError, netns_list, netns_pids, socket_in_netns
from hb_lab.node import Client, Node, NodeDirs, seed, start_anchor
from hb_lab.nullmodem import SerialCable, lay_cable
from hb_lab.wiring import LabSpec, Wiring, build, networks, plan_wiring

__all__ = [
    "Auth",
    "Bcast",
    "Client",
    "ClusterConfig",
    "HbCommand",
    "HeartbeatCommand",
    "Lab",
    "LabCommandError",
    "LabError",
    "LabSpec",
    "LogMatch",
    "Mcast",
    "Node",
    "NodeCommand",
    "Serial",
    "SerialCable",
    "TemplateCommand",
    "Timers",
    "Ucast",
    "socket_in_netns",
]
"""The lab's public face: what tests, benches and the demo build labs with."""


class LabError(RuntimeError):
    """A lab cannot be created or found; the message says why and what to do."""


class Lab:
    """A running lab. Make one with :meth:`create` or find one with :meth:`attach`."""

    def __init__(self, state: LabState, owned: bool) -> None:
        self._state = state
        self._owned = owned
        self._children: list[subprocess.Popen[Any]] = []
        spec = state.spec
        self.wiring: Wiring = plan_wiring(
            state.prefix,
            spec.node_names,
            networks(spec.subnet_base, spec.heartbeat_nets),
            spec.client,
        )
        self.nodes: tuple[Node, ...] = tuple(self._node(name) for name in spec.node_names)
        client = self.wiring.client
        self.client: Client | None = (
            None if client is None else Client(client.netns, self.wiring.address_of(client))
        )

    # -- life -----------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        spec: LabSpec | None = None,
        name: str | None = None,
        detached: bool = False,
        root: Path = STATE_ROOT,
    ) -> Lab:
        """Build a lab: sweep stale labs first, then namespaces, switch, nodes with their
        anchors, serial cables. Any failure tears down what was built and re-raises.

        :param name: how ``hb lab status/down`` find it (default: its prefix).
        :param detached: outlive this process (``hb lab up``); otherwise this process owns it.
        """
        if os.geteuid() != 0:
            raise LabError("the lab needs root (network namespaces, mounts): run it with sudo")
        spec = spec or LabSpec()
        sweep_stale(root)
        if name is not None and find_state(name, root) is not None:
            raise LabError(f"a lab named {name} exists: hb lab down --name {name}")
        taken = {p for n in netns_list() if (p := prefix_of_netns(n))}
        if root.is_dir():
            taken |= {entry.name for entry in root.iterdir() if is_prefix(entry.name)}
        prefix = new_prefix(taken)
        state = LabState(
            name=name or prefix,
            prefix=prefix,
            directory=root / prefix,
            spec=spec,
            owner=None if detached else ProcessIdentity.current(),
        )
        state.save()
        lab = cls(state, owned=not detached)
        if lab._owned:
            lifecycle.protect(prefix, lab.teardown)
        try:
            lab._build()
        except BaseException:
            lab.teardown()
            raise
        return lab

    @classmethod
    def attach(cls, name: str, root: Path = STATE_ROOT) -> Lab:
        """The existing lab called ``name``, to inspect, fault or tear down; this process does
        not become its owner."""
        state = find_state(name, root)
        if state is None:
            raise LabError(f"no lab named {name} (hb lab status lists them)")
        return cls(state, owned=False)

    def teardown(self) -> None:
        """Kill every process of the lab, delete its namespaces and its directory. Idempotent."""
        lifecycle.release(self.prefix)
        teardown(self.prefix, self._state.directory)
        for node in self.nodes:
            node.reap()
        for child in self._children:
            child.wait(timeout=5)
        self._children.clear()

    def __enter__(self) -> Lab:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.teardown()

    def _build(self) -> None:
        build(self.wiring)
        for node in self.nodes:
            seed(node.dirs)
            anchor = start_anchor(node.netns, node.name, node.dirs)
            self._children.append(anchor)
            node.anchor_pid = anchor.pid
            self._state.anchors[node.name] = anchor.pid
        for index, (a_node, b_node) in enumerate(self.spec.cable_ends()):
            log = self.directory / f"serial-{index}.log"
            cable, forwarder = lay_cable(self.wiring.switch, a_node, b_node, log)
            self._children.append(forwarder)
            self._state.cables.append(cable)
        self._state.save()

    def _node(self, name: str) -> Node:
        member = self.wiring.nodes[name]
        return Node(
            name=name,
            netns=member.netns,
            anchor_pid=self._state.anchors.get(name, 0),
            dirs=NodeDirs(self._state.directory / "nodes" / name),
            addresses={
                interface: self.wiring.address(name, interface) for interface in member.ports
            },
        )

    # -- what it is -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def prefix(self) -> str:
        return self._state.prefix

    @property
    def spec(self) -> LabSpec:
        return self._state.spec

    @property
    def directory(self) -> Path:
        return self._state.directory

    @property
    def cables(self) -> tuple[SerialCable, ...]:
        return tuple(self._state.cables)

    def node(self, name: str) -> Node:
        """The node called ``name``."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"the lab has no node {name}; it has {', '.join(self.spec.node_names)}")

    def status(self) -> dict[str, Any]:
        """A JSON-ready description: namespaces, nodes with addresses and PIDs, cables."""
        owner = self._state.owner
        alive = set(lab_namespaces(self.prefix))
        return {
            "name": self.name,
            "prefix": self.prefix,
            "directory": str(self.directory),
            "owner": None if owner is None else owner.pid,
            "stale": self._state.stale(),
            "namespaces": sorted(alive),
            "nodes": [
                {
                    "name": node.name,
                    "netns": node.netns,
                    "up": node.netns in alive and node.anchor_pid in netns_pids(node.netns),
                    "addresses": node.addresses,
                    "pids": node.pids(),
                    "log": str(node.log_path()),
                }
                for node in self.nodes
            ],
            "client": None
            if self.client is None
            else {"netns": self.client.netns, "address": self.client.address},
            "cables": [
                {cable.a_node: cable.a_device, cable.b_node: cable.b_device}
                for cable in self.cables
            ],
        }

    # -- configuration and processes -----------------------------------------------------------

    def write_config(self, config: ClusterConfig) -> None:
        """Write every node's ha.cf, haresources and authkeys from ``config``."""
        for node in self.nodes:
            devices = tuple(
                device for cable in self.cables if (device := cable.device_of(node.name))
            )
            facts = NodeFacts(
                name=node.name,
                cluster=self.spec.node_names,
                peer_addresses=self.wiring.peer_addresses(node.name),
                serial_devices=devices,
            )
            write_ha_d(node.dirs.ha_d, config, facts)

    def start(self, command: NodeCommand, nodes: Iterable[str] | None = None) -> None:
        """Start ``command`` on the named nodes (default: all), in order, without waiting."""
        for name in self.spec.node_names if nodes is None else nodes:
            self.node(name).start(command)

    # -- faults ---------------------------------------------------------------------------------

    def cut_link(self, node: str, interface: str, how: str = "switch") -> None:
        """Pull ``node``'s cable on ``interface``: ``switch`` takes the far veth end down (the
        node sees NO-CARRIER and its sends vanish); ``nft`` drops every packet in the node and
        keeps the carrier up (replacing any loss rule on that interface)."""
        if how == "switch":
            port = self.wiring.nodes[node].ports[interface]
            faults.switch_port(self.wiring.switch, port, up=False)
        elif how == "nft":
            faults.drop(self.node(node).netns, interface, 100)
        else:
            raise ValueError(f"how must be 'switch' or 'nft', not {how!r}")

    def restore_link(self, node: str, interface: str, how: str = "switch") -> None:
        """Undo :meth:`cut_link` made the same way."""
        if how == "switch":
            port = self.wiring.nodes[node].ports[interface]
            faults.switch_port(self.wiring.switch, port, up=True)
        elif how == "nft":
            faults.undrop(self.node(node).netns, interface)
        else:
            raise ValueError(f"how must be 'switch' or 'nft', not {how!r}")

    def set_loss(
        self, node: str, interface: str, percent: float, direction: Direction = "both"
    ) -> None:
        """Drop ``percent`` of the packets crossing ``node``'s ``interface`` at random, in
        ``direction`` (in, out, both); replaces an earlier loss or nft cut there."""
        faults.drop(self.node(node).netns, interface, percent, direction)

    def clear_loss(self, node: str, interface: str) -> None:
        """Remove the loss (or nft cut) rule on ``node``'s ``interface``."""
        faults.undrop(self.node(node).netns, interface)

"""The lab: clusters of hb or heartbeat 3.0.6 nodes in Linux network namespaces, for the
integration tests, ``make demo`` and the benchmarks. Needs root, iproute2, util-linux and
nftables; the real heartbeat needs the Debian package ``heartbeat``.
"""

from hbcore.lab.haconf import Auth, Bcast, ClusterConfig, Mcast, Serial, Timers, Ucast
from hbcore.lab.lab import Lab, LabError
from hbcore.lab.net.iproute import LabCommandError
from hbcore.lab.net.sockets import socket_in_netns
from hbcore.lab.nodes.client import Client
from hbcore.lab.nodes.commands import HeartbeatCommand, NodeCommand, TemplateCommand
from hbcore.lab.nodes.logs import LogMatch
from hbcore.lab.nodes.node import Node
from hbcore.lab.serial.cable import SerialCable
from hbcore.lab.spec import LabSpec

__all__ = [
    "Auth",
    "Bcast",
    "Client",
    "ClusterConfig",
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

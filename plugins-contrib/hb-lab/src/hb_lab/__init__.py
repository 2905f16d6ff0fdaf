"""hb-lab: clusters of hb or heartbeat 3.0.6 nodes in Linux network namespaces, for the
integration tests, ``make demo`` and the benchmarks; not needed on a production node.

As an hb plugin it adds ``hb lab`` and ``hb demo``, imported only when they run. The lab's API
is :mod:`hb_lab.lab` (``from hb_lab.lab import Lab, LabSpec``). It needs root, iproute2,
util-linux and nftables; the real heartbeat needs the Debian package ``heartbeat``.
"""

from __future__ import annotations

from collections.abc import Callable

from hb_hookspecs import CliCommand, hookimpl

HB_CONTRACT = (1, 0)
"""The hb plugin contract this plugin is built for (:mod:`hb_hookspecs.contract`)."""


@hookimpl
def hb_register_commands(register: Callable[[CliCommand], None]) -> None:
    register(
        CliCommand(
            name="lab",
            target="hb_lab.cli:lab_group",
            summary="Run cluster nodes in network namespaces (root only).",
        )
    )
    register(
        CliCommand(
            name="demo",
            target="hb_lab.cli:demo",
            summary="Fail a two-node cluster over and back; print the timeline.",
        )
    )

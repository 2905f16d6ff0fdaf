"""``hb demo``: the failover demo (see :mod:`hbcore.demo.failover`)."""

from __future__ import annotations

import os

import click


@click.command("demo")
def demo() -> None:
    """Fail a two-node cluster over and back; print the timeline.

    As root: in network namespaces, with a cluster address, a web service and a client.
    Otherwise: on loopback, with a stand-in resource.
    """
    if os.geteuid() != 0:
        from hbcore.demo.loopback import run_loopback_demo

        run_loopback_demo(click.echo)
        return
    from hbcore.demo.failover import run_demo

    run_demo(click.echo)

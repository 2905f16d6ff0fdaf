"""``hb demo``: the failover demo (see :mod:`hbcore.demo.failover`)."""

from __future__ import annotations

import os
import sys

import click


@click.command("demo")
def demo() -> None:
    """Fail a two-node cluster over and back in network namespaces; print the timeline."""
    if os.geteuid() != 0:
        click.echo(
            "hb demo builds network namespaces and needs root: run it as root (sudo make demo).",
            err=True,
        )
        sys.exit(1)
    from hbcore.demo.failover import run_demo

    run_demo(click.echo)

"""``hb standby`` and ``hb takeover`` (also installed as ``hb_standby`` and ``hb_takeover`` for
old scripts): ask the cluster to move resource groups. Like heartbeat's tools they return once
the request is sent, not when the handover is done."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hbcore.state.paths import DEFAULT_RUN_DIR, NodePaths

WHAT = click.Choice(["all", "local", "foreign", "failback"])


class _UsageError(click.UsageError):
    """heartbeat's ``hb_standby`` and ``hb_takeover`` exit 1 on a wrong or extra argument,
    click's usage errors 2: scripts written for heartbeat test for 1."""

    exit_code = 1


class _HeartbeatUsage(click.Command):
    """A command whose usage errors exit 1 (:class:`_UsageError`), with click's message."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _UsageError(error.format_message(), error.ctx) from error


def _request(command: str, run_dir: Path, hold: str) -> None:
    from hbcore.control.client import NodeNotRunning, ask

    try:
        answer = ask(NodePaths(run_dir=run_dir).control_socket, command, hold=hold)
    except NodeNotRunning as error:
        click.echo(f"Heartbeat is stopped on this machine. ({error})", err=True)
        sys.exit(1)
    if answer.get("ok") is False:
        click.echo(f"{command} refused: {answer.get('error')}", err=True)
        sys.exit(1)
    if answer.get("refused"):
        click.echo(f"{command} refused: {answer['refused']}", err=True)
        sys.exit(1)


@click.command("standby", cls=_HeartbeatUsage)
@click.argument("what", type=WHAT, default="all")
@click.option("--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR)
def standby(what: str, run_dir: Path) -> None:
    """Give resources to the peer: all (default), local, foreign, or failback (= foreign)."""
    _request("standby", run_dir, "foreign" if what == "failback" else what)


@click.command("takeover", cls=_HeartbeatUsage)
@click.argument("what", type=WHAT, default="all")
@click.option("--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR)
def takeover(what: str, run_dir: Path) -> None:
    """Take resources from the peer: all (default), local, foreign, or failback."""
    _request("takeover", run_dir, what)


def hb_standby() -> None:
    """The ``hb_standby`` command of heartbeat."""
    standby()


def hb_takeover() -> None:
    """The ``hb_takeover`` command of heartbeat."""
    takeover()

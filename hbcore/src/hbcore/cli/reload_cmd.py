"""``hb reload``: make the running node read its configuration again, as SIGHUP does, and say
what came of it (see :mod:`hbcore.node.reload`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from hbcore.state.paths import DEFAULT_RUN_DIR, NodePaths

WAIT_S = 120.0
"""How long to wait for the outcome: reading the files may resolve host names."""
POLL_S = 0.05


@click.command("reload")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
def reload(run_dir: Path) -> None:
    """Reread ha.cf, haresources and authkeys in the running node (as SIGHUP does).

    Prints each change, applied or not (and why not); exits 0 when the files were accepted,
    1 when they were refused (the problems are printed, as hb check --strict prints them, and
    the node runs on as it was) or when no node answers.
    """
    from hbcore.control.client import NodeNotRunning, ask

    socket = NodePaths(run_dir=run_dir).control_socket
    try:
        answer = ask(socket, "reload")
        deadline = time.monotonic() + WAIT_S
        while answer.get("ok") is not False and not answer.get("done"):
            if time.monotonic() > deadline:
                _fail(f"the node did not finish the reload within {WAIT_S:g} s")
            time.sleep(POLL_S)
            answer = ask(socket, "reload", wait=answer.get("reload"))
    except NodeNotRunning as error:
        _fail(f"Heartbeat is stopped on this machine. ({error})")
    if answer.get("ok") is False:
        _fail(f"hb reload: the node refused: {answer.get('error')}")
    _report(answer)


def _report(answer: dict[str, Any]) -> None:
    if not answer.get("accepted"):
        for problem in answer.get("problems", []):
            click.echo(problem, err=True)
        _fail("Configuration not reloaded: the node runs on with its running configuration.")
    applied, not_applied = answer.get("applied", []), answer.get("not_applied", [])
    for line in [*applied, *not_applied]:
        click.echo(line)
    if not applied and not not_applied:
        click.echo("Configuration unchanged.")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)

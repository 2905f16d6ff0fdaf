"""``hb start``, ``hb stop`` and ``hb status``: run a node and talk to it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.state.paths import DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, NodePaths

if TYPE_CHECKING:  # the commands import their modules late, so that `hb status` stays fast
    from hbcore.log import LogTargets
    from hbcore.node.runner import Prepared

STOP_TIMEOUT_S = 120


def path_options(command: Any) -> Any:
    """``-c DIR``, ``--state-dir`` and ``--run-dir``: heartbeat's paths unless overridden."""
    command = click.option(
        "--run-dir",
        type=click.Path(path_type=Path),
        default=DEFAULT_RUN_DIR,
        show_default=True,
        help="Pid file and control socket.",
    )(command)
    command = click.option(
        "--state-dir",
        type=click.Path(path_type=Path),
        default=DEFAULT_STATE_DIR,
        show_default=True,
        help="Generation and uuid files.",
    )(command)
    command = click.option(
        "-c",
        "--config-dir",
        type=click.Path(path_type=Path),
        default=DEFAULT_CONFIG_DIR,
        show_default=True,
        help="ha.cf, haresources and authkeys.",
    )(command)
    return command


@click.command("start")
@path_options
@plugin_selection_options
@click.option("--node-name", default=None, help="This node's name (default: uname -n).")
@click.option("--foreground", is_flag=True, help="Stay attached; also log to standard error.")
@click.option(
    "--log-json",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write every log event as a JSON line to this file.",
)
def start(
    config_dir: Path,
    state_dir: Path,
    run_dir: Path,
    plugins: str | None,
    disables: tuple[str, ...],
    node_name: str | None,
    foreground: bool,
    log_json: Path | None,
) -> None:
    """Start a node (heartbeat's `heartbeat` daemon)."""
    from hbcore.node.signals import hold_signals

    # A HUP or USR1 sent while plugins load and the files are checked must not kill the
    # process (heartbeat's own start is as deaf to them); the files are read fresh anyway.
    hold_signals()
    from hbcore.node import runner
    from hbcore.state.files import StateFileError
    from hbcore.state.pid_file import PidFile

    # Absolute, because the daemon works from "/"; a restart re-executes from here.
    started_in = os.getcwd()
    paths = NodePaths(config_dir.absolute(), state_dir.absolute(), run_dir.absolute())
    log_json = log_json.absolute() if log_json is not None else None
    try:
        pid_file = PidFile.take(paths.pid_file)
    except StateFileError as error:
        _refuse([str(error)], "its pid file is in use or unusable")
    notices: list[str] = []
    if pid_file.replaced is not None:
        notices.append(f"{pid_file.replaced.describe(paths.pid_file)} replaced")
        click.echo(f"hb: {notices[-1]}", err=True)
    try:
        try:
            prepared = runner.prepare(paths, load_selected(plugins, disables), node_name)
            targets = runner.log_targets(prepared.configuration, foreground, log_json)
            _check_log_json(log_json)
        except runner.StartRefused as refused:
            problems = [problem.render(strict=True) for problem in refused.problems]
            _refuse(problems, "configuration error")
        if not foreground:
            runner.daemonize()
            pid_file.record(os.getpid())
        status = _run(prepared, targets, notices)
    finally:
        pid_file.release()
    if status == runner.RESTART:
        # The same command again, in this process: a new generation, a fresh negotiation.
        with contextlib.suppress(OSError):  # gone: only relative arguments suffer
            os.chdir(started_in)
        os.execv(sys.argv[0], [sys.argv[0], *sys.argv[1:]])
    sys.exit(status)


def _refuse(lines: list[str], why: str) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    click.echo(f"Heartbeat not started: {why}.", err=True)
    sys.exit(1)


def _check_log_json(path: Path | None) -> None:
    """Refuse a ``--log-json`` file that cannot be written, as ha.cf's ``logfile``."""
    from hbcore.config.problems import Location, Problem
    from hbcore.log import unwritable_reason
    from hbcore.node.runner import StartRefused

    reason = None if path is None else unwritable_reason(path)
    if reason is not None:
        problem = Problem(
            Location("--log-json"), f"{path}: {reason}", "create the directory or fix the path"
        )
        raise StartRefused([problem])


def _run(prepared: Prepared, targets: LogTargets, notices: list[str]) -> int:
    """:func:`runner.run`; a state file that breaks once the node runs (a disk gone
    read-only under the generation file) ends it with the reason logged, not a traceback."""
    import structlog

    from hbcore.node import runner
    from hbcore.state.files import StateFileError

    try:
        return runner.run(prepared, targets, notices)
    except StateFileError as error:
        log = structlog.get_logger("hb.node")
        log.error(str(error))
        log.error("Heartbeat not started: a state file cannot be used.")
        return 1


@click.command("stop")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
def stop(run_dir: Path) -> None:
    """Stop the node cleanly: release resources, tell the peers (shutdone), exit; return once
    the process is gone, as ``heartbeat -k`` does.

    Signals only a PID proven to be the node (see :func:`hbcore.state.pid_file.inspect`):
    a stale pid file is reported, nothing is signalled, and the exit status is 1 (3 when
    there is no pid file at all), as heartbeat's pid file statuses.
    """
    from hbcore.state.pid_file import Running, inspect, is_alive

    pid_file = NodePaths(run_dir=run_dir).pid_file
    holder = inspect(pid_file)
    if holder is None:
        click.echo("heartbeat is stopped. No process", err=True)
        sys.exit(3)
    if not isinstance(holder, Running):
        click.echo(f"{holder.describe(pid_file)}; nothing stopped", err=True)
        sys.exit(1)
    with contextlib.suppress(ProcessLookupError):  # gone meanwhile: stopped all the same
        os.kill(holder.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while is_alive(holder.pid):
        if time.monotonic() > deadline:
            click.echo(f"hb (pid {holder.pid}) did not stop within {STOP_TIMEOUT_S} s", err=True)
            sys.exit(1)
        time.sleep(0.05)


@click.command("status")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the full status as JSON.")
@click.option("--watch", is_flag=True, help="Refresh the view until interrupted (Ctrl-C).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds between two refreshes of --watch.",
)
@click.option(
    "--count", type=click.IntRange(min=1), default=None, help="With --watch: stop after N views."
)
@click.argument("query", nargs=-1)
def status(
    run_dir: Path,
    as_json: bool,
    watch: bool,
    interval: float,
    count: int | None,
    query: tuple[str, ...],
) -> None:
    """Show the node table with each link's figures, the resource groups and the latest
    events, or answer a cl_status QUERY.

    Queries are heartbeat's cl_status sub-commands, with its output and exit codes (hbstatus,
    listnodes, nodestatus NODE, nodetype NODE, listhblinks NODE, hblinkstatus NODE LINK,
    clientstatus, rscstatus, hbparameter -p NAME ...); the cl_status command answers the same.

    --watch refreshes the view in place on a terminal, or appends it (one JSON object per
    line with --json) anywhere else; --count N stops after N views.
    """
    from hbcore.cli.cl_status import answer

    socket = NodePaths(run_dir=run_dir).control_socket
    if watch:
        if query:
            raise click.UsageError("--watch shows the status, not a query")
        _watch(socket, as_json, interval, count)
        return
    report, reason = _ask_status(socket)
    if query:
        reply = answer(report, list(query))
        for line in reply.out:
            click.echo(line)
        for line in reply.err:
            click.echo(line, err=True)
        sys.exit(reply.code)
    if report is None:
        click.echo(f"Heartbeat is stopped on this machine. ({reason})", err=True)
        sys.exit(1)
    if report.get("ok") is False:
        click.echo(f"hb status: the node refused: {report.get('error')}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    from hbcore.cli.status_view import status_table

    click.echo(status_table(report))


def _ask_status(socket: Path) -> tuple[dict[str, Any] | None, str]:
    """The node's status answer, or None and why there is none."""
    from hbcore.control.client import NodeNotRunning, ask

    try:
        return ask(socket, "status"), ""
    except NodeNotRunning as error:
        return None, str(error)


def _watch(socket: Path, as_json: bool, interval: float, count: int | None) -> None:
    """The status every ``interval`` seconds; a node that stops meanwhile is said, and
    watched for until it is back."""
    from hbcore.cli.status_view import status_table
    from hbcore.cli.status_watch import watch as refresh

    def render() -> str:
        report, reason = _ask_status(socket)
        if as_json:
            return json.dumps(report if report is not None else {"ok": False, "error": reason})
        if report is None:
            return f"Heartbeat is stopped on this machine. ({reason})"
        if report.get("ok") is False:
            return f"hb status: the node refused: {report.get('error')}"
        return status_table(report)

    with contextlib.suppress(KeyboardInterrupt):
        refresh(render, sys.stdout, interval, count, stamped=not as_json)

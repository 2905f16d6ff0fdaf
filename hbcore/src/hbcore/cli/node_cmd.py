"""``hb start``, ``hb stop`` and ``hb status``: run a node and talk to it."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.state.paths import DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, NodePaths

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
    from hbcore.node import runner

    paths = NodePaths(config_dir, state_dir, run_dir)
    try:
        prepared = runner.prepare(paths, load_selected(plugins, disables), node_name)
        targets = runner.log_targets(prepared.configuration, foreground, log_json)
        if not foreground:
            runner.daemonize()
        runner.write_pid_file(paths.pid_file)
    except runner.StartRefused as refused:
        for problem in refused.problems:
            click.echo(problem.render(strict=True), err=True)
        click.echo("Heartbeat not started: configuration error.", err=True)
        sys.exit(1)
    try:
        status = runner.run(prepared, targets)
    finally:
        runner.remove_pid_file(paths.pid_file)
    if status == runner.RESTART:
        # The same command again, in this process: a new generation, a fresh negotiation.
        os.execv(sys.argv[0], [sys.argv[0], *sys.argv[1:]])
    sys.exit(status)


@click.command("stop")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
def stop(run_dir: Path) -> None:
    """Stop the node cleanly: release resources, tell the peers (shutdone), exit; return once
    the process is gone, as ``heartbeat -k`` does."""
    from hbcore.node.runner import is_alive, read_pid_file

    pid_file = NodePaths(run_dir=run_dir).pid_file
    pid = read_pid_file(pid_file)
    if pid is None:
        click.echo("heartbeat is stopped. No process", err=True)
        sys.exit(3)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while is_alive(pid):
        if time.monotonic() > deadline:
            click.echo(f"hb (pid {pid}) did not stop within {STOP_TIMEOUT_S} s", err=True)
            sys.exit(1)
        time.sleep(0.05)


@click.command("status")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the full status as JSON.")
@click.argument("query", nargs=-1)
def status(run_dir: Path, as_json: bool, query: tuple[str, ...]) -> None:
    """Show the node table, or answer a cl_status QUERY.

    Queries (as heartbeat's cl_status, same output and exit codes): hbstatus, listnodes,
    nodestatus NODE, listhblinks NODE, hblinkstatus NODE LINK, rscstatus.
    """
    from hbcore.cli.cl_status import answer
    from hbcore.control.client import NodeNotRunning, ask

    try:
        report = ask(NodePaths(run_dir=run_dir).control_socket, "status")
    except NodeNotRunning as error:
        report = None
        reason = str(error)
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
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(_table(report))


def _table(report: dict[str, Any]) -> str:
    lines = [
        f"node {report['node']}: {report['status']}  generation {report['generation']}",
        f"plugins: {', '.join(report['plugins']) or 'none'}",
        f"resources: {report['resources']}",
        "",
        f"{'NODE':<20} {'TYPE':<7} {'STATUS':<8} LINKS",
    ]
    for node in report["nodes"]:
        links = ", ".join(f"{name} {state}" for name, state in node["links"].items()) or "-"
        lines.append(f"{node['name']:<20} {node['type']:<7} {node['status']:<8} {links}")
    return "\n".join(lines)

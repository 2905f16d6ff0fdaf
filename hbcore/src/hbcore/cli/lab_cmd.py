"""``hb lab up|status|down``: named network-namespace clusters that outlive the command;
``hb lab test-plan``: the seed's test plan on a lab of its own."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from hbcore.lab.haconf import Medium

_MEDIA = ("bcast", "mcast", "ucast", "serial")


class _LabGroup(click.Group):
    """Turns the lab's own errors into one-line command errors instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        from hbcore.lab import LabCommandError, LabError

        try:
            return super().invoke(ctx)
        except (LabError, LabCommandError) as error:
            raise click.ClickException(str(error)) from error


@click.group("lab", cls=_LabGroup)
def lab_group() -> None:
    """Run cluster nodes in network namespaces (root only)."""


@lab_group.command("up")
@click.option("--name", default="lab", show_default=True, help="Name for status and down.")
@click.option("--nodes", default=2, show_default=True, help="Number of nodes (linuxha1..N).")
@click.option("--nets", default=1, show_default=True, help="Heartbeat networks eth1..ethK.")
@click.option(
    "--media",
    default="bcast",
    show_default=True,
    metavar="M[,M]",
    help=f"Heartbeat media, any of {', '.join(_MEDIA)}; serial lays one cable per node pair.",
)
@click.option("--keepalive", default=1.0, show_default=True, help="Seconds (0.1 for 100ms).")
@click.option("--deadtime", default=5.0, show_default=True, help="Seconds.")
@click.option("--warntime", type=float, default=None, help="Seconds (default: heartbeat's).")
@click.option("--initdead", type=float, default=None, help="Seconds (default: heartbeat's).")
@click.option("--auth", "auth_method", default="sha1", show_default=True, help="crc|md5|sha1.")
@click.option(
    "--resource",
    "resources",
    multiple=True,
    metavar="LINE",
    help="A haresources line, e.g. 'linuxha1 IPaddr2::10.77.1.100/24/eth0'; repeatable.",
)
@click.option("--heartbeat", is_flag=True, help="Start the real heartbeat 3.0.6 on every node.")
@click.option(
    "--command",
    "command_template",
    default=None,
    metavar="TEMPLATE",
    help="Start this command on every node; {node} becomes the node's name.",
)
@click.option("--client/--no-client", default=True, show_default=True, help="A client netns.")
def up(
    name: str,
    nodes: int,
    nets: int,
    media: str,
    keepalive: float,
    deadtime: float,
    warntime: float | None,
    initdead: float | None,
    auth_method: str,
    resources: tuple[str, ...],
    heartbeat: bool,
    command_template: str | None,
    client: bool,
) -> None:
    """Create a lab, write every node's /etc/ha.d, and start the nodes if asked."""
    from hbcore.lab import (
        Auth,
        ClusterConfig,
        HeartbeatCommand,
        Lab,
        LabSpec,
        NodeCommand,
        TemplateCommand,
        Timers,
    )

    if heartbeat and command_template:
        raise click.UsageError("--heartbeat and --command exclude each other")
    chosen = [medium.strip() for medium in media.split(",") if medium.strip()]
    unknown = sorted(set(chosen) - set(_MEDIA))
    if unknown:
        raise click.BadParameter(f"unknown {', '.join(unknown)}; use {', '.join(_MEDIA)}")
    try:
        spec = LabSpec(
            nodes=nodes, heartbeat_nets=nets, serial_cables=int("serial" in chosen), client=client
        )
        config = ClusterConfig(
            media=_media(chosen, nets),
            timers=Timers(keepalive, deadtime, warntime, initdead),
            auth=Auth(method=auth_method),
            resources=resources,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    command: NodeCommand | None = HeartbeatCommand() if heartbeat else None
    if command_template:
        command = TemplateCommand(command_template)
    lab = Lab.create(spec, name=name, detached=True)
    try:
        lab.write_config(config)
        if command is not None:
            lab.start(command)
    except BaseException:
        lab.teardown()
        raise
    click.echo(_describe(lab.status()))


@lab_group.command("status")
@click.option("--name", default=None, help="Only this lab (default: every lab).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of labs.")
def status(name: str | None, as_json: bool) -> None:
    """Show labs: namespaces, nodes, addresses, PIDs, logs."""
    from hbcore.lab import Lab
    from hbcore.lab.lifecycle.state import all_states

    names = [name] if name else [state.name for state in all_states()]
    reports = [Lab.attach(each).status() for each in names]
    if as_json:
        click.echo(json.dumps(reports, indent=2))
    elif not reports:
        click.echo("no labs")
    else:
        click.echo("\n\n".join(_describe(report) for report in reports))


@lab_group.command("down")
@click.option("--name", default="lab", show_default=True, help="The lab to tear down.")
@click.option("--all", "everything", is_flag=True, help="Tear down every lab.")
def down(name: str, everything: bool) -> None:
    """Kill every process of a lab and delete its namespaces and files."""
    from hbcore.lab import Lab
    from hbcore.lab.lifecycle.state import all_states

    names = [state.name for state in all_states()] if everything else [name]
    for each in names:
        Lab.attach(each).teardown()
        click.echo(f"lab {each} down")


@lab_group.command("test-plan")
@click.option(
    "--peer",
    type=click.Choice(["hb", "heartbeat"]),
    default="hb",
    show_default=True,
    help="What linuxha2 runs: hb, or the real heartbeat 3.0.6.",
)
@click.option("--keepalive", default=0.2, show_default=True, help="Seconds.")
@click.option("--deadtime", default=2.0, show_default=True, help="Seconds.")
@click.option("--baud", default=19200, show_default=True, help="The null-modem cable's baud.")
@click.pass_context
def test_plan(ctx: click.Context, peer: str, keepalive: float, deadtime: float, baud: int) -> None:
    """Run the seed's test plan and print its timeline; exit 1 if a step misbehaved.

    Two nodes (linuxha1 runs hb) joined by a crossover cable (bcast eth1) and a null-modem
    cable (serial), a cluster address with a web service on linuxha1, a client. Pull the
    crossover cable: its links die, no node does. The same with the null-modem cable. Kill the
    owner: linuxha2 takes the address over.
    """
    from hbcore.lab import Timers
    from hbcore.lab.scenarios.seed_test_plan import SeedPlan, run_seed_test_plan

    try:
        plan = SeedPlan(peer=peer, timers=Timers(keepalive, deadtime), baud=baud)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    outcomes = run_seed_test_plan(plan, click.echo)
    ctx.exit(0 if all(outcome.passed for outcome in outcomes) else 1)


def _media(chosen: list[str], nets: int) -> tuple[Medium, ...]:
    from hbcore.lab import Bcast, Mcast, Serial, Ucast

    interfaces = tuple(f"eth{index}" for index in range(1, nets + 1))
    media: list[Medium] = []
    for medium in chosen:
        if medium == "bcast" and interfaces:
            media.append(Bcast(interfaces))
        elif medium == "mcast":
            media += [Mcast(interface) for interface in interfaces]
        elif medium == "ucast":
            media += [Ucast(interface) for interface in interfaces]
        elif medium == "serial":
            media.append(Serial())
    return tuple(media)


def _describe(report: dict[str, Any]) -> str:
    owner = "detached" if report["owner"] is None else f"owned by pid {report['owner']}"
    lines = [f"lab {report['name']} ({report['prefix']}, {owner}) in {report['directory']}"]
    for node in report["nodes"]:
        addresses = " ".join(f"{k}={v}" for k, v in node["addresses"].items())
        state = f"{len(node['pids'])} processes" if node["up"] else "DOWN"
        lines.append(f"  {node['name']:<10} netns {node['netns']}  {addresses}  {state}")
        lines.append(f"  {'':<10} log {node['log']}")
    if report["client"]:
        client = report["client"]
        lines.append(f"  {'client':<10} netns {client['netns']}  eth0={client['address']}")
    for cable in report["cables"]:
        lines.append("  serial     " + "  <->  ".join(f"{k}:{v}" for k, v in cable.items()))
    return "\n".join(lines)

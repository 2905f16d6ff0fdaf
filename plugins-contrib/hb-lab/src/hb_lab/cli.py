"""The commands hb-lab adds to ``hb``: ``hb lab up|status|down``, named network-namespace
clusters that outlive the command; ``hb lab test-plan``, the seed's test plan on a lab of its
own; ``hb demo``, the failover demo.

``hb`` imports this module only to run one of these commands; the lab itself is imported by the
command that needs it.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from hb_lab.haconf import Medium

_MEDIA = ("bcast", "mcast", "ucast", "serial")


class _LabGroup(click.Group):
    """Turns the lab's own errors into one-line command errors instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        from hb_lab.lab import LabCommandError, LabError

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
@click.option(
    "--heartbeat", is_flag=True, help="Start the real heartbeat 3.0.6 on every node, not hb."
)
@click.option(
    "--command",
    "command_template",
    default=None,
    metavar="TEMPLATE",
    help="Start this command on every node, not hb; {node} becomes the node's name.",
)
@click.option("--no-start", is_flag=True, help="Write every node's /etc/ha.d, start nothing.")
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
    no_start: bool,
    client: bool,
) -> None:
    """Create a lab, write every node's /etc/ha.d and start an hb node on each.

    hb is this hb (`hb start --foreground`, with the plugins hb was given); --heartbeat starts
    the real heartbeat 3.0.6 instead, --command anything else. Returns once the nodes are
    started: their output goes to /var/log/hb-lab-console.log on each node, never to this
    command's, so `hb lab up | tail` returns too. `hb lab down` stops them.
    """
    from hb_lab.lab import (
        Auth,
        ClusterConfig,
        HbCommand,
        HeartbeatCommand,
        Lab,
        LabSpec,
        NodeCommand,
        TemplateCommand,
        Timers,
    )

    if sum((heartbeat, command_template is not None, no_start)) > 1:
        raise click.UsageError("--heartbeat, --command and --no-start exclude each other")
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
    command: NodeCommand | None = None if no_start else HbCommand()
    if heartbeat:
        command = HeartbeatCommand()
    elif command_template is not None:
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
    from hb_lab.lab import Lab
    from hb_lab.lifecycle import all_states

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
    from hb_lab.lab import Lab
    from hb_lab.lifecycle import all_states

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
    from hb_lab.lab import Timers
    from hb_lab.seed_test_plan import SeedPlan, run_seed_test_plan

    try:
        plan = SeedPlan(peer=peer, timers=Timers(keepalive, deadtime), baud=baud)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    outcomes = run_seed_test_plan(plan, click.echo)
    ctx.exit(0 if all(outcome.passed for outcome in outcomes) else 1)


@click.command("demo")
def demo() -> None:
    """Fail a two-node cluster over and back; print the timeline.

    As root: in network namespaces, with a cluster address, a web service and a client.
    Otherwise: on loopback, with a stand-in resource.
    """
    if os.geteuid() != 0:
        from hb_lab.loopback import run_loopback_demo

        run_loopback_demo(click.echo)
        return
    from hb_lab.demo import run_demo

    run_demo(click.echo)


def _media(chosen: list[str], nets: int) -> tuple[Medium, ...]:
    from hb_lab.lab import Bcast, Mcast, Serial, Ucast

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

"""Entry point of the ``hb`` command."""

from __future__ import annotations

import click

from hbcore import __version__
from hbcore.cli.check_cmd import check
from hbcore.cli.demo_cmd import demo
from hbcore.cli.handover_cmd import standby, takeover
from hbcore.cli.lab_cmd import lab_group
from hbcore.cli.node_cmd import start, status, stop
from hbcore.cli.plugins_cmd import plugins_group
from hbcore.cli.wire_cmd import wire_group


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from hbcore.plugins import Selection, load_plugins

    plugin_set = load_plugins(Selection.from_options(None, ()))
    names = ", ".join(f"{r.name} {r.version}" for r in plugin_set.active()) or "none"
    click.echo(f"hb {__version__} (plugins: {names})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of hb and of every active plugin.",
)
def cli() -> None:
    """hb: Linux-HA heartbeat, rebuilt in Python, wire-compatible with heartbeat 3.0.6."""


cli.add_command(plugins_group)
cli.add_command(check)
cli.add_command(wire_group)
cli.add_command(lab_group)
cli.add_command(start)
cli.add_command(stop)
cli.add_command(status)
cli.add_command(standby)
cli.add_command(takeover)
cli.add_command(demo)


def main() -> None:
    cli()

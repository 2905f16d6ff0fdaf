"""Entry point of the ``hb`` command.

Subcommands are imported only when they run, so that ``hb standby`` or ``hb status`` in a
failover script pays for its own module and not for the daemon's.
"""

from __future__ import annotations

import importlib

import click

from hbcore import __version__

COMMANDS = {
    "check": "hbcore.cli.check_cmd:check",
    "demo": "hbcore.cli.demo_cmd:demo",
    "lab": "hbcore.cli.lab_cmd:lab_group",
    "plugins": "hbcore.cli.plugins_cmd:plugins_group",
    "standby": "hbcore.cli.handover_cmd:standby",
    "start": "hbcore.cli.node_cmd:start",
    "status": "hbcore.cli.node_cmd:status",
    "stop": "hbcore.cli.node_cmd:stop",
    "takeover": "hbcore.cli.handover_cmd:takeover",
    "wire": "hbcore.cli.wire_cmd:wire_group",
}
"""Every subcommand, as ``module:attribute``."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from hbcore.plugins import Selection, load_plugins

    plugin_set = load_plugins(Selection.from_options(None, ()))
    names = ", ".join(f"{r.name} {r.version}" for r in plugin_set.active()) or "none"
    click.echo(f"hb {__version__} (plugins: {names})")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    cli()

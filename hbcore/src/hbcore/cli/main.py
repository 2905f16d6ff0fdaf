"""Entry point of the ``hb`` command.

Subcommands are imported only when they run, so that ``hb standby`` or ``hb status`` in a
failover script pays for its own module and not for the daemon's.
"""

from __future__ import annotations

import importlib

import click

from hbcore import __version__
from hbcore.cli.options import load_selected, plugin_selection_options, select_for_group

COMMANDS = {
    "check": "hbcore.cli.check_cmd:check",
    "demo": "hbcore.cli.demo_cmd:demo",
    "lab": "hbcore.cli.lab_cmd:lab_group",
    "plugins": "hbcore.cli.plugins_cmd:plugins_group",
    "reload": "hbcore.cli.reload_cmd:reload",
    "service": "hbcore.cli.service_cmd:service_group",
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


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,  # so that `hb --version` runs after --plugins and -p
    no_args_is_help=True,
    subcommand_metavar="COMMAND [ARGS]...",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@plugin_selection_options
@click.option("--version", is_flag=True, help="Show the version of hb and of every active plugin.")
@click.pass_context
def cli(ctx: click.Context, plugins: str | None, disables: tuple[str, ...], version: bool) -> None:
    """hb: Linux-HA heartbeat, rebuilt in Python, wire-compatible with heartbeat 3.0.6.

    --plugins and -p here apply to the command and to every hb process it starts; given again
    after the command, its --plugins wins and every -p no:NAME counts.
    """
    select_for_group(plugins, disables)
    if version:
        _print_version()
        ctx.exit()
    if ctx.invoked_subcommand is None:
        ctx.fail("Missing command.")


def _print_version() -> None:
    active = load_selected(None, ()).active()
    names = ", ".join(f"{r.name} {r.version}" for r in active) or "none"
    click.echo(f"hb {__version__} (plugins: {names})")


def main() -> None:
    cli()

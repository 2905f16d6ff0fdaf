"""Entry point of the ``hb`` command.

Subcommands are imported only when they run, so that ``hb standby`` or ``hb status`` in a
failover script pays for its own module and not for the daemon's. Plugins add commands through
``hb_register_commands`` (hb-lab's ``hb lab`` and ``hb demo``); they are looked up only for a
name that is not one of hb's own, so hb's own commands load no plugin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import click

from hbcore import __version__
from hbcore.cli.options import load_selected, plugin_selection_options, select_for_group

if TYPE_CHECKING:
    from hb_hookspecs import CliCommand

    from hbcore.registry import Owned

COMMANDS = {
    "check": "hbcore.cli.check_cmd:check",
    "events": "hbcore.cli.events_cmd:events",
    "new-plugin": "hbcore.cli.new_plugin_cmd:new_plugin",
    "plugins": "hbcore.cli.plugins_cmd:plugins_group",
    "ra": "hbcore.cli.ra_cmd:ra_group",
    "reload": "hbcore.cli.reload_cmd:reload",
    "service": "hbcore.cli.service_cmd:service_group",
    "standby": "hbcore.cli.handover_cmd:standby",
    "start": "hbcore.cli.node_cmd:start",
    "status": "hbcore.cli.node_cmd:status",
    "stop": "hbcore.cli.node_cmd:stop",
    "takeover": "hbcore.cli.handover_cmd:takeover",
    "wire": "hbcore.cli.wire_cmd:wire_group",
}
"""hb's own subcommands, as ``module:attribute``."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use: hb's own (:data:`COMMANDS`), then
    those of the selected plugins, asked for only when a name is not one of hb's own.

    The plugins are those ``--plugins`` and ``-p`` given to this group select (with the
    environment), so ``hb -p no:lab lab`` is an unknown command. Its ``--help`` is processed
    after them, in command-line order, so that ``hb -p no:lab --help`` does not list ``lab``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *_plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is not None:
            return _import(target)
        registered = _plugin_commands(ctx).get(cmd_name)
        if registered is None:
            return None
        from hbcore.cli.plugin_commands import load_command

        return load_command(registered)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, but a plugin's command shows the summary it registered: listing
        the commands imports none of the plugins' modules."""
        registered = _plugin_commands(ctx)
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (
                name,
                (
                    _import(COMMANDS[name])
                    if name in COMMANDS
                    else click.Command(name, short_help=registered[name].item.summary)
                ).get_short_help_str(limit),
            )
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.is_eager = False  # after --plugins and -p, which choose the commands shown
        return option


def _import(target: str) -> click.Command:
    module, _, attribute = target.partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command


def _plugin_commands(ctx: click.Context) -> dict[str, Owned[CliCommand]]:
    """The plugins' commands for the selection given to ``hb`` (cached on its context)."""
    root = ctx.find_root()
    selection = (root.params.get("plugins"), tuple(root.params.get("disables") or ()))
    cached = root.meta.get(_CACHE)
    if cached is None or cached[0] != selection:
        from hbcore.cli.plugin_commands import plugin_commands

        cached = (selection, plugin_commands(*selection, reserved=COMMANDS))
        root.meta[_CACHE] = cached
    commands: dict[str, Owned[CliCommand]] = cached[1]
    return commands


_CACHE = "hbcore.cli.main.plugin_commands"


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

"""The commands plugins add to ``hb`` through ``hb_register_commands``.

``hb`` asks for them only when it is given a command that is not its own, or lists its
commands: ``hb status`` loads no plugin. Each plugin is asked alone, as the registration hooks
are, so a plugin that raises loses its own commands only. A name that is taken, by one of hb's
own commands or by a plugin asked before (plugins are asked in name order), is ignored. Both
are warned about on standard error, naming the plugins: the command line goes on without them.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection

import click
from hb_hookspecs import CliCommand

from hbcore.cli.options import load_selected
from hbcore.registry import CORE_OWNER, Owned


def plugin_commands(
    plugins: str | None, disables: tuple[str, ...], reserved: Collection[str]
) -> dict[str, Owned[CliCommand]]:
    """The commands of the plugins selected by ``--plugins``, ``-p`` and the environment, by
    name, each with the plugin that registered it; none named in ``reserved`` (hb's own).

    Raises :class:`click.UsageError` when the selection names a plugin that is not installed.
    """
    plugin_set = load_selected(plugins, disables)
    found: dict[str, Owned[CliCommand]] = {}
    for owner, plugin in plugin_set.manager.list_name_plugin():
        if owner is None:
            continue
        registered: list[CliCommand] = []
        try:
            plugin_set.hooks.register_commands(registered.append, plugin)
        except Exception as error:  # a broken plugin loses its commands; hb goes on
            _warn(f"plugin {owner} adds no command: {type(error).__name__}: {error}")
            continue
        for command in registered:
            holder = CORE_OWNER if command.name in reserved else None
            if command.name in found:
                holder = f"plugin {found[command.name].owner}"
            if holder is not None:
                _warn(f"plugin {owner}: command '{command.name}' ignored, {holder} has it")
                continue
            found[command.name] = Owned(command, owner)
    return found


def load_command(registered: Owned[CliCommand]) -> click.Command:
    """Import the click command a plugin registered.

    Raises :class:`click.ClickException` naming the plugin when its target cannot be imported
    or is not a click command.
    """
    command = registered.item
    module, _, attribute = command.target.partition(":")
    try:
        loaded = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as error:
        raise click.ClickException(
            f"plugin {registered.owner}: command '{command.name}' cannot be loaded from "
            f"{command.target}: {type(error).__name__}: {error}"
        ) from error
    if not isinstance(loaded, click.Command):
        raise click.ClickException(
            f"plugin {registered.owner}: {command.target} is not a click command"
        )
    return loaded


def _warn(message: str) -> None:
    click.echo(f"hb: {message}", err=True)

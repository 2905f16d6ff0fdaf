"""Options shared by every command that loads plugins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from hbcore.plugins import PluginSet, Selection, load_plugins

F = TypeVar("F", bound=Callable[..., Any])


def plugin_selection_options(command: F) -> F:
    """Add ``--plugins a,b`` and ``-p no:x`` to a command."""
    command = click.option(
        "-p",
        "disables",
        multiple=True,
        metavar="no:NAME",
        help="Disable a plugin (no:NAME); repeatable. Also HB_DISABLE_PLUGINS.",
    )(command)
    command = click.option(
        "--plugins",
        "plugins",
        default=None,
        metavar="A,B",
        help="Load only these plugins (empty: none). Also HB_PLUGINS.",
    )(command)
    return command


def load_selected(plugins: str | None, disables: tuple[str, ...]) -> PluginSet:
    """Load the plugins chosen by the options and the environment, with hbcore's directives."""
    from hbcore.config.core_directives import CORE_DIRECTIVES

    return load_plugins(Selection.from_options(plugins, disables), CORE_DIRECTIVES)

"""Plugin selection on the command line: ``--plugins a,b`` and ``-p no:x``.

Both are accepted by ``hb`` itself (``hb --plugins a,b plugins list``) and by every command that
loads plugins (``hb plugins list --plugins a,b``), with one meaning:

- ``--plugins`` replaces ``HB_PLUGINS``; given before and after the subcommand, the one after
  wins, as a repeated click option does;
- ``-p no:x`` adds to ``HB_DISABLE_PLUGINS``; every one counts, wherever it is given;
- a name that is not installed is a usage error (exit 2) listing the installed names.

hb's own options act as the variables would: :func:`select_for_group` checks them and exports
them as ``HB_PLUGINS`` and ``HB_DISABLE_PLUGINS``, so the subcommand and every hb process it
starts (lab and demo nodes, a node restarting itself) load the same set. This module imports
nothing heavy at import time: ``hb`` imports it for every command, ``hb status`` included.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from hbcore.plugins import PluginSet

F = TypeVar("F", bound=Callable[..., Any])


def plugin_selection_options(command: F) -> F:
    """Add ``--plugins a,b`` and ``-p no:x`` to a command (or to the ``hb`` group).

    Both are eager: click processes them before the other options wherever they are written,
    so ``hb --help -p no:lab`` lists the commands of the selection given after ``--help``.
    """
    command = click.option(
        "-p",
        "disables",
        multiple=True,
        is_eager=True,
        metavar="no:NAME",
        help="Disable a plugin (no:NAME); repeatable. Also HB_DISABLE_PLUGINS.",
    )(command)
    command = click.option(
        "--plugins",
        "plugins",
        default=None,
        is_eager=True,
        metavar="A,B",
        help="Load only these plugins (empty: none). Also HB_PLUGINS.",
    )(command)
    return command


def select_for_group(plugins: str | None, disables: tuple[str, ...]) -> None:
    """Check ``hb``'s own ``--plugins`` and ``-p`` and export them to the environment.

    Does nothing (and imports nothing) when neither is given. Raises :class:`click.UsageError`
    when a name given here, or in ``HB_PLUGINS``/``HB_DISABLE_PLUGINS``, is not installed.
    """
    if plugins is None and not disables:
        return
    from hbcore.plugins import Selection, UnknownPluginError

    selection = Selection.from_options(plugins, disables)
    try:
        selection.check()
    except UnknownPluginError as error:
        raise click.UsageError(str(error), click.get_current_context(silent=True)) from None
    os.environ.update(selection.as_environment())


def load_selected(plugins: str | None, disables: tuple[str, ...]) -> PluginSet:
    """Load the plugins chosen by a command's options and the environment, with hbcore's
    directives.

    Raises :class:`click.UsageError` (exit 2) when the selection names a plugin that is not
    installed.
    """
    from hbcore.config.core_directives import CORE_DIRECTIVES
    from hbcore.plugins import Selection, UnknownPluginError, load_plugins

    try:
        return load_plugins(Selection.from_options(plugins, disables), CORE_DIRECTIVES)
    except UnknownPluginError as error:
        raise click.UsageError(str(error), click.get_current_context(silent=True)) from None

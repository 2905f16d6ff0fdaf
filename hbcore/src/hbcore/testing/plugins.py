"""A plugin set of the plugins under test only, loaded as ``hb`` loads installed plugins.

Each plugin goes through the real loading: its contract version is checked, its hooks are
validated against the hookspecs (``check_pending``) and its registrations fill a registry with
hbcore's own directives. Nothing installed is looked at, so a test sees its plugins alone.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from importlib.metadata import EntryPoint

from hb_hookspecs import ENTRY_POINT_GROUP

from hbcore.plugins import PluginSet, Selection, load_plugins

Plugin = types.ModuleType | str
"""A plugin module, or the name of one (``"hb_ra_touchfile"``)."""


class PluginLoadError(Exception):
    """A plugin under test did not load: the message has each failed plugin and its error."""


def entry_point_name(module: str) -> str:
    """The entry-point name of a plugin package by the workspace's convention:
    ``hb_ra_touchfile`` is ``ra-touchfile``."""
    return module.rpartition(".")[2].removeprefix("hb_").replace("_", "-")


def load_for_test(plugins: Iterable[Plugin], core_directives: bool = True) -> PluginSet:
    """Load ``plugins`` (modules or module names) and only them, with hbcore's directives
    unless ``core_directives`` is false.

    :raises PluginLoadError: when one of them is ``failed`` (it fails to import, declares
        another contract, implements an unknown hook, or its registration raises or clashes).
    """
    from hbcore.config.core_directives import CORE_DIRECTIVES

    names = [plugin if isinstance(plugin, str) else plugin.__name__ for plugin in plugins]
    available = [
        EntryPoint(name=entry_point_name(name), value=name, group=ENTRY_POINT_GROUP)
        for name in names
    ]
    loaded = load_plugins(Selection(), CORE_DIRECTIVES if core_directives else (), available)
    failed = [f"{r.name}: {r.error}" for r in loaded.records if r.status == "failed"]
    if failed:
        raise PluginLoadError("\n".join(failed))
    return loaded

"""hb's pytest plugin (entry point ``pytest11``: installed with hbcore, active in every pytest
run): fixtures for testing hb plugins.

- ``hb_plugins``: loads the plugins under test, and only them, as hb loads installed ones
  (``hb_plugins(hb_ra_touchfile)`` returns a :class:`hbcore.plugins.PluginSet`);
- ``hb_plugin_set`` / ``hb_plugin_manager``: the set, or its pluggy manager, of the plugins
  named by the test's ``@pytest.mark.hb_plugins(module, ...)`` marker;
- ``hb_hook_recorder``: every hook call of ``hb_plugin_manager`` during the test;
- ``hb_cluster``: a factory of in-memory two-node clusters running real membership and
  resource negotiation over the plugins' own agents.

The contract test classes are in :mod:`hbcore.testing.contracts`. This module imports nothing
of hb at import time: pytest imports it for every test run of every project where hbcore is
installed, and each fixture pays for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pluggy

    from hbcore.plugins import PluginSet
    from hbcore.testing.pair import TwoNodeCluster
    from hbcore.testing.plugins import Plugin
    from hbcore.testing.recorder import HookRecorder

MARKER = "hb_plugins"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*plugins): the plugin modules (or module names) the hb_plugin_set, "
        "hb_plugin_manager, hb_hook_recorder and hb_cluster fixtures load",
    )


@pytest.fixture
def hb_plugins() -> Callable[..., PluginSet]:
    """Load plugin modules (or module names) and only them, with hbcore's directives:
    ``hb_plugins(hb_ra_touchfile)``. Raises ``PluginLoadError`` naming each plugin that
    failed (an import error, another contract version, a misspelt hook, a clash)."""
    from hbcore.testing.plugins import load_for_test

    def load(*plugins: Plugin) -> PluginSet:
        return load_for_test(plugins)

    return load


@pytest.fixture
def hb_plugin_set(
    request: pytest.FixtureRequest, hb_plugins: Callable[..., PluginSet]
) -> PluginSet:
    """The plugin set of the plugins named by the test's ``hb_plugins`` marker (the closest
    one: a test's own marker wins over its class's or module's)."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        raise pytest.UsageError(
            f"{request.node.nodeid}: mark the test with @pytest.mark.{MARKER}(plugin_module, ...) "
            "to say which plugins to load"
        )
    return hb_plugins(*marker.args)


@pytest.fixture
def hb_plugin_manager(hb_plugin_set: PluginSet) -> pluggy.PluginManager:
    """The pluggy manager of ``hb_plugin_set``: hb's hookspecs, the marked plugins only."""
    return hb_plugin_set.manager


@pytest.fixture
def hb_hook_recorder(hb_plugin_manager: pluggy.PluginManager) -> Iterator[HookRecorder]:
    """A :class:`~hbcore.testing.recorder.HookRecorder` of every hook call of
    ``hb_plugin_manager`` during the test (registrations at load time are over)."""
    from hbcore.testing.recorder import HookRecorder

    recorder = HookRecorder(hb_plugin_manager)
    yield recorder
    recorder.close()


@pytest.fixture
def hb_cluster(
    request: pytest.FixtureRequest, tmp_path: Path, hb_plugins: Callable[..., PluginSet]
) -> Callable[..., TwoNodeCluster]:
    """A factory of :class:`~hbcore.testing.pair.TwoNodeCluster`: ``hb_cluster(haresources,
    plugins=None, auto_failback=True)``, to use as ``async with`` in the test's own loop.

    ``plugins`` is a plugin set, or a sequence of plugin modules; by default the plugins of
    the test's ``hb_plugins`` marker (the ``hb_plugin_set`` fixture, so that a
    ``hb_hook_recorder`` of the same test sees the cluster's events).
    """
    from hbcore.plugins import PluginSet
    from hbcore.testing.pair import TwoNodeCluster

    def make(
        haresources: Sequence[str],
        plugins: PluginSet | Sequence[Plugin] | None = None,
        auto_failback: bool = True,
    ) -> TwoNodeCluster:
        if plugins is None:
            plugins = request.getfixturevalue("hb_plugin_set")
        if not isinstance(plugins, PluginSet):
            plugins = hb_plugins(*plugins)
        return TwoNodeCluster(tmp_path / "cluster", haresources, plugins, auto_failback)

    return make

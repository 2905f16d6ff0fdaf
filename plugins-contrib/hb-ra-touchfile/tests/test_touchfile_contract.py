"""The touchfile agent keeps the resource agent contract hb relies on
(hbcore.testing.contracts), built by the plugin from its haresources token as a node builds it."""

from pathlib import Path

import hb_ra_touchfile
import pytest
from hb_hookspecs import ResourceAgent, ResourceContext, Settings
from hbcore.plugins import PluginSet
from hbcore.testing.contracts import ResourceAgentContract


def resolve(plugins: PluginSet, token: str, config_dir: Path) -> ResourceAgent:
    agent = plugins.resolve_resource(
        token, ResourceContext(Settings("linuxha1", config_dir, {}), {})
    )
    assert agent is not None
    return agent


@pytest.mark.hb_plugins(hb_ra_touchfile)
class TestTouchFileAgent(ResourceAgentContract):
    @pytest.fixture
    def agent(self, hb_plugin_set: PluginSet, tmp_path: Path) -> ResourceAgent:
        return resolve(hb_plugin_set, f"touchfile::{tmp_path}/held", tmp_path)

    @pytest.fixture
    def failing_agent(self, hb_plugin_set: PluginSet, tmp_path: Path) -> ResourceAgent:
        return resolve(hb_plugin_set, f"touchfile::{tmp_path}/no/such/dir/held", tmp_path)

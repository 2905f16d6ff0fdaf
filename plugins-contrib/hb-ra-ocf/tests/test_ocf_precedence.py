"""Who runs ``OCF::TYPE::INSTANCE``: with hb-ra-ocf loaded it runs the agent itself, before
hb-ra-script's generic lookup (``trylast``); without it, hb-ra-script runs heartbeat's
``resource.d/OCF`` wrapper as heartbeat does. The other plugins' tokens stay theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hb_hookspecs import ResourceContext, Settings
from hb_ra_ocf.agent import OcfAgent
from hb_ra_script.agent import ScriptAgent
from hbcore.plugins import PluginSet, Selection, load_plugins
from ocf_helpers import REAL_ROOT

pytestmark = pytest.mark.skipif(
    not (REAL_ROOT / "resource.d/heartbeat/Dummy").exists(),
    reason="needs Debian's resource-agents (/usr/lib/ocf)",
)


@pytest.fixture
def context(tmp_path: Path) -> ResourceContext:
    """A configuration directory with heartbeat's OCF wrapper script and an instance file."""
    (tmp_path / "resource.d").mkdir()
    wrapper = tmp_path / "resource.d" / "OCF"
    wrapper.write_text("#!/bin/sh\nexit 0\n")
    wrapper.chmod(0o755)
    instance = tmp_path / "conf" / "OCF" / "Dummy" / "db"
    instance.parent.mkdir(parents=True)
    instance.write_text(f"OCF_RESKEY_state={tmp_path}/db.state\n")
    return ResourceContext(Settings("linuxha1", tmp_path, {}), {})


def _plugins(deny: frozenset[str] = frozenset()) -> PluginSet:
    return load_plugins(Selection(deny=deny))


def test_with_hb_ra_ocf_the_ocf_wrapper_token_runs_the_agent_directly(
    context: ResourceContext,
) -> None:
    agent = _plugins().resolve_resource("OCF::Dummy::db", context)
    assert isinstance(agent, OcfAgent)
    assert agent.resource.path == REAL_ROOT / "resource.d" / "heartbeat" / "Dummy"


def test_without_it_heartbeats_wrapper_script_runs_as_in_heartbeat(
    context: ResourceContext,
) -> None:
    agent = _plugins(frozenset({"ra-ocf"})).resolve_resource("OCF::Dummy::db", context)
    assert isinstance(agent, ScriptAgent)
    assert (agent.path, agent.args) == (context.config_dir / "resource.d" / "OCF", ("Dummy", "db"))


@pytest.mark.parametrize(
    ("token", "plugin"),
    [("IPaddr2::10.0.0.1/24", "hb_ra_ipaddr"), ("10.0.0.1", "hb_ra_ipaddr")],
)
def test_the_address_tokens_stay_hb_ra_ipaddrs(
    context: ResourceContext, token: str, plugin: str
) -> None:
    agent = _plugins().resolve_resource(token, context)
    assert type(agent).__module__.startswith(plugin)

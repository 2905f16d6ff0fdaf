"""``script_dirs`` (hb-ra-script's directive) changes where script resources are searched, for
``hb check`` and for the agents alike; without it the order is heartbeat's, resource.d then
/etc/init.d. A cross-package test: hbcore's ``hb check`` and node runner with hb-ra-script
loaded."""

from __future__ import annotations

from pathlib import Path

import hb_ra_script
import pytest
from click.testing import CliRunner, Result
from hb_hookspecs import ResourceContext
from hb_ra_script.lookup import INIT_DIR, Style, search_path
from hbcore.cli.main import cli
from hbcore.config.configuration import load_configuration
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.node.plugin_settings import PluginSettings
from hbcore.plugins import Selection, load_plugins


def _config_dir(tmp_path: Path, extra: str = "") -> Path:
    """A cluster whose only group runs ``smb``, which lives in ``ha.d/rc.d/init.d`` alone."""
    config_dir = tmp_path / "ha.d"
    (config_dir / "resource.d").mkdir(parents=True)
    init_dir = config_dir / "rc.d" / "init.d"
    init_dir.mkdir(parents=True)
    for directory in (init_dir, config_dir / "resource.d"):
        (directory / "smb").write_text("#!/bin/sh\nexit 0\n")
    (config_dir / "resource.d" / "smb").chmod(0o644)  # not executable: does not count
    (init_dir / "smb").chmod(0o755)
    (config_dir / "ha.cf").write_text(
        f"bcast lo\nauto_failback on\nnode linuxha1 linuxha2\n{extra}"
    )
    (config_dir / "haresources").write_text("linuxha1 smb\n")
    (config_dir / "authkeys").write_text("auth 1\n1 sha1 secret\n")
    (config_dir / "authkeys").chmod(0o600)
    return config_dir


def _check(config_dir: Path) -> Result:
    return CliRunner().invoke(
        cli, ["check", "--strict", "-c", str(config_dir), "--node-name", "linuxha1"]
    )


def test_without_script_dirs_the_script_is_searched_where_heartbeat_searches(
    tmp_path: Path,
) -> None:
    config_dir = _config_dir(tmp_path)
    result = _check(config_dir)
    assert result.exit_code == 1
    assert "haresources:1: Cannot locate resource script smb; install it as an executable " in (
        result.output
    )
    assert f"in {config_dir / 'resource.d'} or {INIT_DIR}" in result.output


def test_script_dirs_names_the_directories_in_order_relative_ones_in_the_config_dir(
    tmp_path: Path,
) -> None:
    config_dir = _config_dir(tmp_path, "script_dirs resource.d rc.d/init.d\n")
    result = _check(config_dir)
    assert result.exit_code == 0, result.output
    configuration = load_configuration(
        config_dir, load_plugins(Selection(), CORE_DIRECTIVES), "linuxha1"
    )
    context = ResourceContext(PluginSettings(configuration.hacf, "linuxha1", config_dir), {})
    assert search_path(context.settings) == (config_dir / "resource.d", config_dir / "rc.d/init.d")
    agent = hb_ra_script.hb_resolve_resource("smb", context)
    assert agent is not None
    assert (agent.path, agent.style) == (config_dir / "rc.d/init.d/smb", Style.LSB)


@pytest.mark.parametrize(
    ("lines", "found", "style"),
    [
        ("script_dirs resource.d rc.d/init.d\n", "resource.d/smb", Style.HEARTBEAT),
        (
            "script_dirs {config_dir}/rc.d/init.d\nscript_dirs resource.d\n",
            "rc.d/init.d/smb",
            Style.LSB,
        ),
    ],
    ids=["resource.d-first", "init.d-first-absolute-then-another-line"],
)
def test_the_first_listed_directory_wins_and_only_resource_d_is_heartbeat_style(
    tmp_path: Path, lines: str, found: str, style: Style
) -> None:
    config_dir = _config_dir(tmp_path, lines.format(config_dir=tmp_path / "ha.d"))
    (config_dir / "resource.d" / "smb").chmod(0o755)
    configuration = load_configuration(
        config_dir, load_plugins(Selection(), CORE_DIRECTIVES), "linuxha1"
    )
    context = ResourceContext(PluginSettings(configuration.hacf, "linuxha1", config_dir), {})
    agent = hb_ra_script.hb_resolve_resource("smb", context)
    assert agent is not None
    assert (agent.path, agent.style) == (config_dir / found, style)


@pytest.mark.parametrize("directory", ["~/scripts", "$HA_DIR/resource.d"])
def test_a_directory_the_shell_would_have_expanded_is_an_error(
    tmp_path: Path, directory: str
) -> None:
    result = _check(_config_dir(tmp_path, f"script_dirs {directory}\n"))
    assert result.exit_code == 1
    assert f"ha.cf:4: script_dirs: '{directory}' would not be expanded" in result.output


def test_without_hb_ra_script_the_directive_names_the_plugin_to_install(tmp_path: Path) -> None:
    config_dir = _config_dir(tmp_path, "script_dirs resource.d\n")
    result = CliRunner().invoke(
        cli,
        ["check", "-c", str(config_dir), "--node-name", "linuxha1", "-p", "no:ra-script"],
    )
    assert result.exit_code == 1
    assert "ha.cf:4:" in result.output and "script_dirs" in result.output
    assert (
        "plugin ra-script (hb-ra-script), which is disabled; enable it: drop -p no:ra-script"
        in (result.output)
    )


def test_the_node_runs_the_script_found_through_script_dirs(tmp_path: Path) -> None:
    from hbcore.node.runner import resource_groups

    config_dir = _config_dir(tmp_path, "script_dirs resource.d rc.d/init.d\n")
    plugins = load_plugins(Selection(), CORE_DIRECTIVES)
    configuration = load_configuration(config_dir, plugins, "linuxha1")
    assert configuration.errors(strict=True) == []
    [group] = resource_groups(configuration, plugins, "linuxha1").groups
    [agent] = group.agents
    assert getattr(agent, "path", None) == config_dir / "rc.d/init.d/smb"

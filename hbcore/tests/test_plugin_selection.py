"""Choosing plugins: --plugins, -p no:x, HB_PLUGINS and HB_DISABLE_PLUGINS, before or after the
subcommand, and an unknown name refused (exit 2) with the installed names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hbcore.cli import main
from hbcore.plugins import Selection, UnknownPluginError

SEED = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "seed" / "ha.d"
HB = str(Path(sys.executable).with_name("hb"))
UNSET = {"HB_PLUGINS": None, "HB_DISABLE_PLUGINS": None}


def hb(*args: str, **environ: str) -> Result:
    """``hb ARGS`` in this process, with only the given selection variables set.

    CliRunner restores every variable named in ``env`` afterwards, including those hb exports.
    """
    return CliRunner().invoke(main.cli, list(args), env={**UNSET, **environ})


def active(*args: str, **environ: str) -> list[str]:
    """The plugin distributions ``hb ARGS plugins list ... --requirements`` prints as active
    (after hbcore, which it always prints first)."""
    result = hb(*args, **environ)
    assert result.exit_code == 0, result.output
    core, *plugins = result.stdout.splitlines()
    assert core.startswith("hbcore==")
    return [line.partition("==")[0] for line in plugins]


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    config_dir = tmp_path / "ha.d"
    shutil.copytree(SEED, config_dir)
    (config_dir / "authkeys").chmod(0o600)
    return config_dir


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An ``hb probe`` command printing the selection variables, as an hb child would see them."""
    monkeypatch.setitem(main.COMMANDS, "probe", f"{__name__}:_probe")
    yield "probe"


@click.command("probe")
def _probe() -> None:
    for name in ("HB_PLUGINS", "HB_DISABLE_PLUGINS"):
        click.echo(f"{name}={os.environ.get(name, '<unset>')}")


# -- the selection itself ---------------------------------------------------------------------


def test_no_options_selects_every_plugin() -> None:
    selection = Selection.from_options(None, (), environ={})
    assert selection.admits("auth-sha1", "hb-auth-sha1")


def test_plugins_option_is_an_allow_list_by_name_or_distribution() -> None:
    selection = Selection.from_options("auth-sha1,hb-auth-md5", (), environ={})
    assert selection.admits("auth-sha1", "hb-auth-sha1")
    assert selection.admits("auth-md5", "hb-auth-md5")
    assert not selection.admits("auth-crc", "hb-auth-crc")


def test_empty_allow_list_selects_nothing() -> None:
    selection = Selection.from_options(None, (), environ={"HB_PLUGINS": ""})
    assert not selection.admits("auth-sha1", "hb-auth-sha1")


def test_option_replaces_environment_allow_list() -> None:
    selection = Selection.from_options("auth-crc", (), environ={"HB_PLUGINS": "auth-sha1"})
    assert selection.admits("auth-crc", "hb-auth-crc")
    assert not selection.admits("auth-sha1", "hb-auth-sha1")


def test_disable_option_and_environment_add_up() -> None:
    selection = Selection.from_options(
        None, ("no:auth-crc",), environ={"HB_DISABLE_PLUGINS": "auth-md5"}
    )
    assert not selection.admits("auth-crc", "hb-auth-crc")
    assert not selection.admits("auth-md5", "hb-auth-md5")
    assert selection.admits("auth-sha1", "hb-auth-sha1")


def test_disable_wins_over_allow() -> None:
    selection = Selection.from_options("auth-crc", ("no:hb-auth-crc",), environ={})
    assert not selection.admits("auth-crc", "hb-auth-crc")


def test_plain_p_option_extends_an_allow_list() -> None:
    selection = Selection.from_options("auth-crc", ("auth-md5",), environ={})
    assert selection.admits("auth-md5", "hb-auth-md5")


def test_every_name_is_remembered_with_where_it_was_given() -> None:
    selection = Selection.from_options(
        "auth-crc", ("no:x",), environ={"HB_PLUGINS": "ignored", "HB_DISABLE_PLUGINS": "y z"}
    )
    assert selection.origins == (
        ("auth-crc", "--plugins"),
        ("y", "HB_DISABLE_PLUGINS"),
        ("z", "HB_DISABLE_PLUGINS"),
        ("x", "-p no:x"),
    )


def test_installed_names_pass_the_check() -> None:
    Selection.from_options("auth-sha1,hb-media-bcast", ("no:ra-script",), environ={}).check()


def test_an_unknown_name_fails_the_check_with_its_origin_and_the_installed_names() -> None:
    selection = Selection.from_options(None, ("no:media-bcst",), environ={"HB_PLUGINS": "nosuch"})
    with pytest.raises(UnknownPluginError) as caught:
        selection.check()
    assert caught.value.unknown == (("nosuch", "HB_PLUGINS"), ("media-bcst", "-p no:media-bcst"))
    assert {"auth-sha1", "media-bcast", "ra-script"} <= set(caught.value.installed)
    lines = str(caught.value).splitlines()
    assert lines[0] == "HB_PLUGINS: no installed plugin is named 'nosuch'"
    assert lines[1] == (
        "-p no:media-bcst: no installed plugin is named 'media-bcst'; did you mean 'media-bcast'?"
    )
    assert lines[2].startswith("installed plugins: auth-crc, auth-md5, auth-sha1, ")


def test_the_selection_travels_as_environment_variables() -> None:
    selection = Selection.from_options("auth-sha1", ("no:auth-md5", "auth-crc"), environ={})
    assert selection.as_environment() == {
        "HB_PLUGINS": "auth-crc,auth-sha1",
        "HB_DISABLE_PLUGINS": "auth-md5",
    }
    assert Selection.from_options(None, (), environ={}).as_environment() == {
        "HB_DISABLE_PLUGINS": ""
    }


# -- on the command line: before the subcommand, after it, or both -------------------------------


def test_plugins_before_the_subcommand_select_as_after_it() -> None:
    before = active("--plugins", "auth-sha1,media-bcast", "plugins", "list", "--requirements")
    after = active("plugins", "list", "--requirements", "--plugins", "auth-sha1,media-bcast")
    assert before == after == ["hb-auth-sha1", "hb-media-bcast"]


def test_disable_before_the_subcommand_disables_as_after_it() -> None:
    before = active("-p", "no:ra-script", "plugins", "list", "--requirements")
    after = active("plugins", "list", "--requirements", "-p", "no:ra-script")
    assert before == after
    assert "hb-ra-script" not in before
    assert "hb-ra-ipaddr" in before


def test_plugins_after_the_subcommand_win_over_plugins_before_it() -> None:
    chosen = active(
        "--plugins", "auth-sha1", "plugins", "list", "--plugins", "auth-md5", "--requirements"
    )
    assert chosen == ["hb-auth-md5"]


def test_disables_before_and_after_the_subcommand_and_in_the_environment_add_up() -> None:
    chosen = active(
        "--plugins", "auth-crc,auth-md5,auth-sha1,media-bcast",
        "-p", "no:auth-crc",
        "plugins", "list", "--requirements", "-p", "no:auth-sha1",
        HB_DISABLE_PLUGINS="auth-md5",
    )  # fmt: skip
    assert chosen == ["hb-media-bcast"]


def test_a_disable_before_the_subcommand_wins_over_plugins_after_it() -> None:
    assert (
        active("-p", "no:auth-sha1", "plugins", "list", "--plugins", "auth-sha1", "--requirements")
        == []
    )


def test_the_command_line_wins_over_the_environment() -> None:
    chosen = active(
        "--plugins", "auth-sha1", "plugins", "list", "--requirements", HB_PLUGINS="auth-crc"
    )
    assert chosen == ["hb-auth-sha1"]


def test_the_environment_selects_when_no_option_does() -> None:
    chosen = active("plugins", "list", "--requirements", HB_PLUGINS="auth-crc hb-auth-md5")
    assert chosen == ["hb-auth-crc", "hb-auth-md5"]


def test_version_shows_the_plugins_selected_before_or_after_it() -> None:
    sha1 = f"(plugins: auth-sha1 {version('hb-auth-sha1')})\n"
    assert hb("--plugins", "auth-sha1", "--version").stdout.endswith(sha1)
    assert hb("--version", "--plugins", "").stdout.endswith("(plugins: none)\n")


def test_check_honours_a_selection_before_the_subcommand(seed: Path) -> None:
    wanted = "ha.cf:10: directive 'serial' is provided by the plugin"
    result = hb("-p", "no:media-serial", "check", "-c", str(seed), "--node-name", "linuxha1")
    assert result.exit_code == 1
    assert wanted in result.stderr
    assert wanted not in hb("check", "-c", str(seed), "--node-name", "linuxha1").output


def test_start_honours_a_selection_before_the_subcommand(seed: Path, tmp_path: Path) -> None:
    result = hb(
        "-p", "no:media-bcast", "start", "--foreground", "-c", str(seed), "--node-name", "linuxha1",
        "--state-dir", str(tmp_path / "state"), "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "ha.cf:11: directive 'bcast' is provided by the plugin" in result.stderr
    assert "Heartbeat not started: configuration error." in result.stderr


def test_wire_decode_honours_a_selection_before_the_subcommand(seed: Path, tmp_path: Path) -> None:
    packet = tmp_path / "packet"
    packet.write_bytes(b"not a heartbeat packet")
    args = ("wire", "decode", "--authkeys", str(seed / "authkeys"), str(packet))
    assert "Invalid authtype [sha1]" in hb("-p", "no:auth-sha1", *args).stderr
    assert "Invalid authtype" not in hb(*args).stderr


def test_the_group_selection_reaches_the_hb_processes_a_command_starts(probe: str) -> None:
    result = hb(
        "--plugins", "auth-sha1", "-p", "no:ra-script", probe, HB_DISABLE_PLUGINS="auth-md5"
    )
    assert result.stdout.splitlines() == [
        "HB_PLUGINS=auth-sha1",
        "HB_DISABLE_PLUGINS=auth-md5,ra-script",
    ]


def test_without_group_options_the_environment_is_left_alone(probe: str) -> None:
    assert hb(probe).stdout.splitlines() == ["HB_PLUGINS=<unset>", "HB_DISABLE_PLUGINS=<unset>"]


# -- unknown names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "environ", "origin"),
    [
        (("--plugins", "nosuch", "plugins", "list"), {}, "--plugins"),
        (("-p", "no:nosuch", "plugins", "list"), {}, "-p no:nosuch"),
        (("plugins", "list", "--plugins", "auth-sha1,nosuch"), {}, "--plugins"),
        (("plugins", "list", "-p", "no:nosuch"), {}, "-p no:nosuch"),
        (("plugins", "list"), {"HB_PLUGINS": "nosuch"}, "HB_PLUGINS"),
        (("--version",), {"HB_DISABLE_PLUGINS": "nosuch"}, "HB_DISABLE_PLUGINS"),
        (("-p", "no:auth-crc", "plugins", "list"), {"HB_DISABLE_PLUGINS": "nosuch"},
         "HB_DISABLE_PLUGINS"),
    ],
)  # fmt: skip
def test_an_unknown_name_is_a_usage_error_listing_the_installed_plugins(
    args: tuple[str, ...], environ: dict[str, str], origin: str
) -> None:
    result = hb(*args, **environ)
    assert result.exit_code == 2
    assert f"Error: {origin}: no installed plugin is named 'nosuch'\n" in result.stderr
    assert "installed plugins: auth-crc, auth-md5, auth-sha1, " in result.stderr
    assert result.stdout == ""


def test_an_unknown_name_in_an_overridden_variable_is_not_used_and_not_an_error() -> None:
    assert active(
        "--plugins", "auth-sha1", "plugins", "list", "--requirements", HB_PLUGINS="nosuch"
    ) == ["hb-auth-sha1"]


def test_a_misspelt_name_gets_a_suggestion() -> None:
    result = hb("--plugins", "auth-sha1,hb-media-bcst", "plugins", "list")
    assert result.exit_code == 2
    assert (
        "no installed plugin is named 'hb-media-bcst'; did you mean 'media-bcast'?" in result.stderr
    )


def test_no_command_after_the_options_is_a_usage_error() -> None:
    result = hb("--plugins", "auth-sha1")
    assert result.exit_code == 2
    assert "Error: Missing command." in result.stderr


# -- the installed entry point --------------------------------------------------------------------


def run_hb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [HB, *args], capture_output=True, text=True, env=environ, cwd=cwd, check=False, timeout=60
    )


def test_the_hb_command_takes_the_selection_before_the_subcommand() -> None:
    result = run_hb("--plugins", "auth-sha1,media-bcast", "plugins", "list", "--requirements")
    assert result.returncode == 0, result.stderr
    assert [line.partition("==")[0] for line in result.stdout.splitlines()] == [
        "hbcore",
        "hb-auth-sha1",
        "hb-media-bcast",
    ]


def test_the_hb_command_checks_without_a_disabled_plugin(seed: Path) -> None:
    result = run_hb("-p", "no:ra-script", "check", "-c", str(seed), "--node-name", "linuxha1")
    assert "haresources:1:" in result.stdout + result.stderr
    assert "hb-ra-script" in result.stdout + result.stderr


def test_the_hb_command_refuses_an_unknown_plugin_with_exit_2() -> None:
    result = run_hb("--plugins", "nosuch", "plugins", "list")
    assert result.returncode == 2
    assert "--plugins: no installed plugin is named 'nosuch'" in result.stderr
    assert "installed plugins: " in result.stderr

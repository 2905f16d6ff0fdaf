"""``hb check`` on the seed's own /etc/ha.d and its variants: all clean, and a missing plugin is
named with the distribution to install."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hbcore.cli.main import cli

SEED = Path(__file__).resolve().parent / "fixtures" / "seed"
VARIANTS = sorted(path.name for path in (SEED / "variants").iterdir())


def _seed_copy(tmp_path: Path, variant: str | None = None) -> Path:
    """The seed's ha.d in ``tmp_path``, with one variant file swapped in; authkeys mode 600."""
    config_dir = tmp_path / "ha.d"
    shutil.copytree(SEED / "ha.d", config_dir)
    if variant is not None:
        target = variant.split(".")[0]
        shutil.copyfile(SEED / "variants" / variant, config_dir / target)
    (config_dir / "authkeys").chmod(0o600)
    return config_dir


def _check(config_dir: Path, *options: str) -> Result:
    return CliRunner().invoke(
        cli, ["check", "-c", str(config_dir), "--node-name", "linuxha1", *options]
    )


def test_the_seed_checks_clean_and_describes_the_cluster(tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path))
    assert result.exit_code == 0, result.output
    assert "nodes:    linuxha1 (this node), linuxha2" in result.output
    assert "media:    serial /dev/ttyS0, bcast eth1 (udpport 694)" in result.output
    assert "deadtime 30 s, initdead 120 s" in result.output
    assert "group:    192.168.85.3 on linuxha1: 192.168.85.3 httpd smb" in result.output
    assert "authkeys: auth 1 (sha1)" in result.output


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_seed_variant_checks_clean(variant: str, tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path, variant))
    assert result.exit_code == 0, result.output


def test_serial_without_its_plugin_names_the_distribution(tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path), "-p", "no:media-serial")
    assert result.exit_code == 1
    assert (
        "ha.cf:10: directive 'serial' is provided by the plugin hb-media-serial, which is not "
        "installed or is disabled; pip install hb-media-serial" in result.output
    )


def test_an_error_is_printed_with_file_line_and_fix(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    with (config_dir / "ha.cf").open("a") as hacf:
        hacf.write("deadtime 3\n")
    result = _check(config_dir)
    assert result.exit_code == 1
    assert (
        "ha.cf:20: Dead time [3000 ms] is too small compared to keepalive [2000 ms]; "
        "make deadtime more than twice keepalive (over 4000 ms)" in result.output
    )


def test_host_problems_fail_only_under_strict(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    assert _check(config_dir).exit_code == 0
    strict = _check(config_dir, "--strict")
    assert strict.exit_code == 1
    assert "haresources:1: Cannot locate resource script httpd" in strict.output

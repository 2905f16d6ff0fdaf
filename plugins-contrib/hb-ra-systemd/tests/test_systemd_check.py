"""``hb check`` knows whether a unit exists here from the unit directories systemd loads from: a
unit that is missing or masked is a fact of this host (a warning, refused by --strict and hb
start), with the unit it may be a typo of."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hbcore.cli.main import cli


@pytest.fixture
def units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A unit directory holding nginx.service, getty@.service and a masked cups.service."""
    directory = tmp_path / "units"
    directory.mkdir()
    for unit in ("nginx.service", "getty@.service"):
        (directory / unit).write_text("[Service]\nExecStart=/bin/true\n")
    (directory / "cups.service").symlink_to(os.devnull)
    monkeypatch.setenv("SYSTEMD_UNIT_PATH", str(directory))
    return directory


def _check(tmp_path: Path, haresources: str, *options: str) -> Result:
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "ha.cf").write_text("bcast lo\nauto_failback on\nnode linuxha1 linuxha2\n")
    (config_dir / "haresources").write_text(haresources)
    (config_dir / "authkeys").write_text("auth 1\n1 sha1 secret\n")
    (config_dir / "authkeys").chmod(0o600)
    return CliRunner().invoke(
        cli, ["check", *options, "-c", str(config_dir), "--node-name", "linuxha1"]
    )


def _lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("haresources:")]


def test_installed_units_and_instances_of_installed_templates_pass(
    tmp_path: Path, units: Path
) -> None:
    result = _check(tmp_path, "linuxha1 systemd:nginx systemd:getty@tty1.service\n", "--strict")
    assert (result.exit_code, _lines(result)) == (0, [])


def test_a_missing_unit_is_a_warning_with_the_unit_it_may_be_a_typo_of(
    tmp_path: Path, units: Path
) -> None:
    result = _check(tmp_path, "linuxha1 systemd:ngnix\n")
    assert result.exit_code == 0
    assert _lines(result) == [
        f"haresources:1: warning: systemd unit ngnix.service not found (looked in {units}); "
        "did you mean nginx.service? otherwise install it, or correct the name "
        "(systemctl list-unit-files lists the units)"
    ]
    assert _check(tmp_path, "linuxha1 systemd:ngnix\n", "--strict").exit_code == 1


def test_a_masked_unit_is_a_warning_saying_how_to_unmask_it(tmp_path: Path, units: Path) -> None:
    assert _lines(_check(tmp_path, "linuxha1 10.0.0.1 systemd:cups\n")) == [
        f"haresources:1: warning: systemd unit cups.service is masked ({units}/cups.service "
        "links to /dev/null); unmask it: systemctl unmask cups.service"
    ]


def test_a_malformed_unit_is_an_error_of_the_file(tmp_path: Path, units: Path) -> None:
    result = _check(tmp_path, "linuxha1 systemd:nginx::reload\n")
    assert result.exit_code == 1
    assert _lines(result) == [
        "haresources:1: systemd:nginx::reload: a systemd unit takes no arguments; write "
        "systemd:UNIT, e.g. systemd:nginx or systemd:nginx.service"
    ]

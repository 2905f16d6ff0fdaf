"""The core's own host checks asked about values the host cannot even look up (a user name with
a NUL byte) report them like any missing fact; log files are facts. The plugins' checks of
their directives (interfaces, peers, devices, ping hosts) are tested with each plugin."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from config_helpers import MINIMAL, parse, plugin_set, write_config
from hb_hookspecs import Settings
from hbcore.config.configuration import load_configuration
from hbcore.config.core_arguments import ClientChild
from hbcore.config.core_host_checks import check_respawn
from hbcore.config.host_checks import check_directives
from hbcore.config.problems import Problem, Severity
from hbcore.config.safety_net import SafetyNet

SETTINGS = Settings("alpha", Path("/etc/ha.d"), {})


def _host(problems: Iterable[Problem]) -> list[str]:
    return [f"{p.location}: {p.problem}" for p in problems if p.severity is Severity.HOST]


def test_a_user_name_with_a_nul_is_an_unknown_user() -> None:
    [problem] = check_respawn(ClientChild("hac\0luster", "/usr/lib/heartbeat/ipfail"), SETTINGS)[:1]
    assert (problem.problem, problem.warning) == (
        "Invalid uid [hac\0luster] specified for client child",
        False,
    )


# --- logfile and debugfile -------------------------------------------------------------------


def check_log_files(text: str) -> list[Problem]:
    """The host problems of the ha.cf ``text``, as loading it finds them."""
    hacf, _ = parse(text)
    return check_directives(hacf, SETTINGS, [], SafetyNet(catch=False))


def _log_problems(line: str) -> list[str]:
    return [problem.render(strict=True) for problem in check_log_files(MINIMAL + line + "\n")]


def test_a_log_file_in_a_missing_directory_is_a_host_fact(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"

    [problem] = check_log_files(MINIMAL + f"logfile {missing}/ha-log\n")

    assert problem.severity is Severity.HOST
    assert problem.render(strict=True) == (
        f"ha.cf:5: logfile {missing}/ha-log: the directory {missing} does not exist; "
        f"create it (mkdir -p {missing}), or log elsewhere (e.g. logfile /var/log/ha-log), "
        "or to syslog alone"
    )


def test_log_files_that_can_be_written_or_are_disabled_are_fine(tmp_path: Path) -> None:
    (tmp_path / "existing").write_text("")
    assert _log_problems(f"logfile {tmp_path}/new-log") == []
    assert _log_problems(f"logfile {tmp_path}/existing") == []
    assert _log_problems("debugfile /dev/null") == []


def test_a_directory_is_no_log_file(tmp_path: Path) -> None:
    assert _log_problems(f"debugfile {tmp_path}") == [
        f"ha.cf:5: debugfile {tmp_path}: is a directory; name a file in it, e.g. {tmp_path}/ha-log"
    ]


def test_a_log_file_under_a_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    [problem] = _log_problems(f"logfile {tmp_path}/plain/ha-log")
    assert f"the directory {tmp_path}/plain does not exist" in problem


def test_a_log_file_or_directory_that_cannot_be_written_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "existing").write_text("")
    # As a read-only file system answers (root may write anywhere else).
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.W_OK)
    [problem] = _log_problems(f"logfile {tmp_path}/ha-log")
    assert f"the directory {tmp_path} is not writable; fix its mode" in problem
    [problem] = _log_problems(f"logfile {tmp_path}/existing")
    assert f"{tmp_path}/existing: is not writable; make it writable by root" in problem


def test_a_relative_log_file_is_a_warning() -> None:
    [problem] = check_log_files(MINIMAL + "logfile ha-log\n")
    assert problem.severity is Severity.WARNING
    assert problem.problem.startswith("logfile ha-log is not an absolute path")


def test_the_last_logfile_line_is_the_one_checked(tmp_path: Path) -> None:
    assert check_log_files(MINIMAL + f"logfile /no/such/dir/log\nlogfile {tmp_path}/log\n") == []


def test_a_missing_log_directory_fails_only_a_strict_check(tmp_path: Path) -> None:
    hacf = MINIMAL + "debugfile /no/such/hb-dir/ha-debug\n"
    config = load_configuration(write_config(tmp_path, hacf=hacf), plugin_set(), "alpha")
    assert config.errors(strict=False) == []
    assert [str(p.location) for p in config.errors(strict=True)] == ["ha.cf:5"]

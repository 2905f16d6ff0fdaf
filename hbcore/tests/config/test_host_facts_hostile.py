"""Host checks asked about values the host cannot even look up (a DNS label of 64 characters, a
NUL byte, a name too long for a path) report them like any missing fact; log files are facts."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from config_helpers import MINIMAL, FakeBcast, FakeUcast, parse, plugin_set, write_config
from hbcore.config.configuration import load_configuration
from hbcore.config.core_arguments import ClientChild
from hbcore.config.hacf import Medium
from hbcore.config.host_checks import (
    check_client_children,
    check_interfaces,
    check_log_files,
    check_ucast_peers,
)
from hbcore.config.problems import Located, Location, Problem, Severity


def _host(problems: Iterable[Problem]) -> list[str]:
    return [f"{p.location}: {p.problem}" for p in problems if p.severity is Severity.HOST]


@pytest.mark.parametrize(
    "peer", ["a" * 64 + ".example.com", "a" * 300, "x\udce9y", "a..b", "p\0q", ""]
)
def test_a_ucast_peer_no_resolver_can_take_is_unresolvable(peer: str) -> None:
    hacf, _ = parse(MINIMAL)
    entry: Located[object] = Located(FakeUcast("lo", peer), Location("ha.cf", 5))
    hacf = dataclasses.replace(hacf, entries={**hacf.entries, "ucast": (entry,)})

    assert _host(check_ucast_peers(hacf)) == [f"ha.cf:5: ucast: cannot resolve hostname {peer}"]


@pytest.mark.parametrize("interface", ["l\0o", "x" * 300, "eth\udce9"])
def test_an_interface_no_kernel_can_have_does_not_exist(interface: str) -> None:
    hacf, _ = parse(MINIMAL)
    medium = Medium("bcast", FakeBcast(interface), Location("ha.cf", 3))
    hacf = dataclasses.replace(hacf, media=(medium,))

    assert _host(check_interfaces(hacf)) == [
        f"ha.cf:3: bcast: interface [{interface}] does not exist"
    ]


def test_a_user_name_with_a_nul_is_an_unknown_user() -> None:
    hacf, _ = parse(MINIMAL)
    entry: Located[object] = Located(ClientChild("hac\0luster", "/bin/true"), Location("ha.cf", 5))
    hacf = dataclasses.replace(hacf, entries={**hacf.entries, "respawn": (entry,)})

    assert _host(check_client_children(hacf)) == [
        "ha.cf:5: Invalid uid [hac\0luster] specified for client child"
    ]


# --- logfile and debugfile -------------------------------------------------------------------


def _log_problems(line: str) -> list[str]:
    hacf, _ = parse(MINIMAL + line + "\n")
    return [problem.render(strict=True) for problem in check_log_files(hacf)]


def test_a_log_file_in_a_missing_directory_is_a_host_fact(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    hacf, _ = parse(MINIMAL + f"logfile {missing}/ha-log\n")

    [problem] = check_log_files(hacf)

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
    hacf, _ = parse(MINIMAL + "logfile ha-log\n")
    [problem] = check_log_files(hacf)
    assert problem.severity is Severity.WARNING
    assert problem.problem.startswith("logfile ha-log is not an absolute path")


def test_the_last_logfile_line_is_the_one_checked(tmp_path: Path) -> None:
    hacf, _ = parse(MINIMAL + f"logfile /no/such/dir/log\nlogfile {tmp_path}/log\n")
    assert check_log_files(hacf) == []


def test_a_missing_log_directory_fails_only_a_strict_check(tmp_path: Path) -> None:
    hacf = MINIMAL + "debugfile /no/such/hb-dir/ha-debug\n"
    config = load_configuration(write_config(tmp_path, hacf=hacf), plugin_set(), "alpha")
    assert config.errors(strict=False) == []
    assert [str(p.location) for p in config.errors(strict=True)] == ["ha.cf:5"]

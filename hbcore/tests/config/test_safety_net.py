"""The safety net of ``hb check`` and ``hb start``: an exception nobody expected becomes an error
naming the file and asking for a bug report, and the other checks still run. The fuzz tests
(tests/test_check_fuzz.py) run with the net off, so the net hides no known cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_helpers import plugin_set, write_config
from hb_hookspecs import ResourceAgent, ResourceContext, hookimpl
from hbcore.cli.check_cmd import run_check
from hbcore.config.configuration import load_configuration
from hbcore.config.problems import BUG_FIX, Location, Severity
from hbcore.config.safety_net import SafetyNet


class _Broken:
    """A resource plugin with a bug: it raises on the token ``boom``."""

    @hookimpl(tryfirst=True)
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        if token == "boom":
            raise KeyError("a bug of the plugin")
        return None


def test_a_check_that_raises_becomes_an_error_naming_its_line(tmp_path: Path) -> None:
    write_config(tmp_path, haresources="alpha boom\nalpha ok\n")

    config = load_configuration(tmp_path, plugin_set(_Broken()), "alpha")

    bugs = [p for p in config.problems if p.fix == BUG_FIX]
    assert [(str(p.location), p.severity) for p in bugs] == [("haresources:1", Severity.ERROR)]
    assert bugs[0].problem.startswith("checking this failed with KeyError at ")
    assert bugs[0].problem.endswith(": 'a bug of the plugin'")
    # The next token was still checked (no plugin handles it).
    assert (
        "haresources:2: no installed plugin handles resource ok: it needs the plugin "
        "hb-ra-script, which is not installed"
    ) in [f"{p.location}: {p.problem}" for p in config.problems]


def test_hb_check_fails_with_one_printable_line_and_no_traceback(tmp_path: Path) -> None:
    write_config(tmp_path, haresources="alpha boom\n")

    report = run_check(tmp_path, plugin_set(_Broken()), "alpha", strict=False)

    assert not report.passed
    [line] = [line for line in report.stderr if BUG_FIX in line]
    assert line.startswith("haresources:1: checking this failed with KeyError at ")
    assert report.stderr[-1] == f"hb check: {tmp_path}: 1 error(s)"


def test_without_the_net_the_exception_passes_through(tmp_path: Path) -> None:
    write_config(tmp_path, haresources="alpha boom\n")

    with pytest.raises(KeyError):
        load_configuration(tmp_path, plugin_set(_Broken()), "alpha", catch_bugs=False)


def test_the_net_records_one_problem_per_failed_check_and_carries_on() -> None:
    net = SafetyNet()
    done = []
    for number in (1, 2, 3):
        with net.guard(Location("ha.cf", number)):
            if number == 2:
                raise ValueError("embedded null byte")
            done.append(number)

    assert done == [1, 3]
    [problem] = net.problems
    assert str(problem.location) == "ha.cf:2"
    assert "ValueError at config/test_safety_net.py:" in problem.problem
    assert problem.problem.endswith(": embedded null byte")


def test_a_working_configuration_never_meets_the_net(tmp_path: Path) -> None:
    config = load_configuration(write_config(tmp_path), plugin_set(), "alpha")
    assert not [p for p in config.problems if p.fix == BUG_FIX]

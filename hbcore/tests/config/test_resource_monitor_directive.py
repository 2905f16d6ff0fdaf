"""``resource_monitor``, hb's extension directive: its syntax, which line applies to which
group, the ``file:line`` problems ``hb check`` reports, and a reload that changes it live."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_helpers import MINIMAL, errors, parse, plugin_set, write_config
from hb_hookspecs.arguments import ArgumentError
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.haresources import parse_haresources
from hbcore.config.resource_monitor import (
    MonitorLine,
    check_monitored_groups,
    monitor_settings,
    parse_monitor_line,
)
from hbcore.node.reload import RunningConfig, plan_reload
from hbcore.resources.holdings import Hold
from hypothesis import given
from hypothesis import strategies as st

HARESOURCES = "alpha 10.0.0.1 httpd\nbeta IPaddr::10.0.0.2/24 smb\n"


def test_a_line_for_all_groups_and_one_for_a_group() -> None:
    hacf, problems = parse(
        MINIMAL
        + "resource_monitor 10\n"
        + "resource_monitor 500ms failures 2 window 60 timeout 5 group 10.0.0.1\n"
    )
    assert problems == []
    settings = monitor_settings(hacf)
    assert settings.for_group("10.0.0.1") == MonitorLine(500, 2, 60_000, 5_000, "10.0.0.1")
    assert settings.for_group("IPaddr::10.0.0.2/24") == MonitorLine(10_000)


def test_defaults_the_last_line_wins_and_zero_turns_monitoring_off() -> None:
    hacf, _ = parse(
        MINIMAL
        + "resource_monitor 10\nresource_monitor 20\n"
        + "resource_monitor 0 group 10.0.0.1\n"
    )
    settings = monitor_settings(hacf)
    assert settings.for_group("10.0.0.1") is None
    line = settings.for_group("other")
    assert line is not None
    assert (line.interval_ms, line.failures, line.window_ms, line.timeout_ms) == (
        20_000,
        3,
        3_600_000,
        60_000,
    )
    assert monitor_settings(parse(MINIMAL)[0]).for_group("10.0.0.1") is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("resource_monitor", "resource_monitor needs arguments"),
        ("resource_monitor 10s", "resource_monitor: interval: '10s' has the unit 's'"),
        ("resource_monitor 10 failure 2", "resource_monitor: unknown option 'failure'"),
        ("resource_monitor 10 failures", "resource_monitor: 'failures' needs a value"),
        ("resource_monitor 10 failures 0", "resource_monitor: failures '0' is not a count"),
        ("resource_monitor 10 group a group b", "resource_monitor: 'group' is given twice"),
        ("resource_monitor 10 timeout 0", "resource_monitor: timeout '0' is too small"),
        (
            "resource_monitor 30 failures 3 window 60",
            "resource_monitor: a window of 60 s can never hold 3 failures checked 30 s apart",
        ),
    ],
)
def test_a_wrong_line_is_an_error_at_its_line(line: str, problem: str) -> None:
    _, problems = parse(MINIMAL + line + "\n")
    [error] = errors(problems)
    assert error.startswith(f"5: {problem}")


def test_the_fix_suggests_the_option_meant() -> None:
    _, [problem] = parse(MINIMAL + "resource_monitor 10 failurs 2\n")
    assert str(problem) == (
        "ha.cf:5: resource_monitor: unknown option 'failurs'; did you mean 'failures'?"
    )


def _checked(hacf_text: str, haresources: str = HARESOURCES) -> list[str]:
    hacf, _ = parse(hacf_text)
    resources, _ = parse_haresources(haresources, hacf.nodes)
    return [str(problem) for problem in check_monitored_groups(hacf, resources)]


def test_a_group_is_named_by_its_first_resource() -> None:
    assert _checked(MINIMAL + "resource_monitor 10 group 10.0.0.1\n") == []
    assert _checked(MINIMAL + "resource_monitor 10 group 10.0.0.3\n") == [
        "ha.cf:5: resource_monitor: no haresources group 10.0.0.3; did you mean '10.0.0.1'? "
        "(a group is named by its first resource)"
    ]
    [problem] = _checked(MINIMAL + "resource_monitor 10 group httpd\n")
    assert "name one of the groups (10.0.0.1, IPaddr::10.0.0.2/24)" in problem


def test_a_second_line_for_the_same_groups_and_legacy_mode_are_warnings() -> None:
    assert _checked(MINIMAL + "resource_monitor 10\nresource_monitor 20\n") == [
        "ha.cf:6: warning: resource_monitor for every group is also given at line 5; "
        "only the last line counts: delete the others"
    ]
    legacy_mode = MINIMAL.replace("auto_failback on", "auto_failback legacy")
    [legacy] = _checked(legacy_mode + "resource_monitor 10\n")
    assert legacy.startswith("ha.cf:5: warning: resource_monitor with auto_failback legacy")
    assert _checked(legacy_mode + "resource_monitor 0\n") == []  # nothing monitored


def test_hb_check_accepts_it_as_a_core_directive(tmp_path: Path) -> None:
    write_config(tmp_path, MINIMAL + "resource_monitor 10 failures 2\n")
    loaded = load_configuration(tmp_path, plugin_set(), "alpha")
    assert [str(p) for p in loaded.errors(strict=False)] == []


@given(st.text(alphabet=st.sampled_from("0123456789.ms fauiltreswndomgp\t-x"), max_size=40))
def test_any_text_is_a_line_or_an_argument_error(text: str) -> None:
    try:
        line = parse_monitor_line(text)
    except ArgumentError:
        return
    assert parse_monitor_line(str(line)) == line  # what a reload message shows reads back


@given(
    interval=st.integers(min_value=0, max_value=10**6),
    failures=st.integers(min_value=1, max_value=5),
    timeout=st.integers(min_value=1, max_value=10**6),
    group=st.none() | st.sampled_from(["10.0.0.1", "IPaddr::10.0.0.2/24/eth0", "httpd"]),
)
def test_every_valid_line_reads_back_from_its_text(
    interval: int, failures: int, timeout: int, group: str | None
) -> None:
    line = MonitorLine(interval, failures, 10 * (interval + 1) * failures, timeout, group)
    assert parse_monitor_line(str(line)) == line


def test_a_reload_changes_it_live(tmp_path: Path) -> None:
    def loaded(directory: Path, extra: str) -> Configuration:
        directory.mkdir()
        write_config(directory, MINIMAL + extra, "alpha 10.0.0.1\n")
        return load_configuration(directory, plugin_set(), "alpha")

    start = loaded(tmp_path / "start", "resource_monitor 10\n")
    now = loaded(tmp_path / "now", "resource_monitor 5 failures 2\n")
    plan = plan_reload(RunningConfig.at_start(start), now, Hold.LOCAL, False)
    assert [change.message() for change in plan.changes] == [
        "ha.cf:5: resource_monitor 10 -> 5 failures 2: applied"
    ]
    assert plan.resource_monitor
    assert plan.running.directives["resource_monitor"] == (MonitorLine(5000, failures=2),)

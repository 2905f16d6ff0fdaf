"""Derived defaults and the rules that tie ha.cf directives together."""

from __future__ import annotations

import pytest
from config_helpers import MINIMAL, errors, parse, warnings
from hbcore.config.timers import default_initdead


def test_timer_defaults() -> None:
    hacf, _ = parse(MINIMAL)
    timers = hacf.timers
    assert (timers.keepalive, timers.deadtime) == (1000, 30_000)
    assert timers.warntime == 15_000
    assert timers.initdead == 30_000
    assert timers.deadping == 30_000


def test_warntime_and_deadping_follow_deadtime() -> None:
    hacf, _ = parse(MINIMAL + "deadtime 20\n")
    assert hacf.timers.warntime == 10_000
    assert hacf.timers.deadping == 20_000


@pytest.mark.parametrize(
    ("deadtime", "initdead"),
    [(30_000, 30_000), (10_001, 10_001), (10_000, 20_000), (6_000, 12_000), (5_999, 12_000)],
)
def test_initdead_default(deadtime: int, initdead: int) -> None:
    assert default_initdead(deadtime) == initdead


def test_deadtime_must_exceed_twice_keepalive() -> None:
    _, problems = parse(MINIMAL + "keepalive 2\ndeadtime 4\n")
    assert errors(problems) == [
        "6: Dead time [4000 ms] is too small compared to keepalive [2000 ms]"
    ]


def test_a_default_deadtime_too_small_points_at_keepalive() -> None:
    _, problems = parse(MINIMAL + "keepalive 15\n")
    assert errors(problems) == [
        "5: Dead time [30000 ms] is too small compared to keepalive [15000 ms]"
    ]


def test_initdead_smaller_than_deadtime_is_an_error() -> None:
    _, problems = parse(MINIMAL + "deadtime 30\ninitdead 20\n")
    assert errors(problems) == [
        "6: Initial dead time [20000 ms] is smaller than deadtime [30000 ms]"
    ]


def test_initdead_under_ten_seconds_is_a_warning() -> None:
    _, problems = parse(MINIMAL + "keepalive 1\ndeadtime 3\ninitdead 4\n")
    assert errors(problems) == []
    assert warnings(problems) == ["7: Initial dead time [4000 ms] may be too small!"]


def test_deadping_must_exceed_twice_keepalive() -> None:
    _, problems = parse(MINIMAL + "keepalive 2\ndeadping 4\n")
    assert errors(problems) == [
        "6: Dead ping time [4000 ms] is too small compared to keepalive [2000 ms]"
    ]


def test_millisecond_timers_are_fine() -> None:
    hacf, problems = parse(
        MINIMAL + "keepalive 10ms\nwarntime 100ms\ndeadtime 200ms\ninitdead 10\n"
    )
    assert errors(problems) == [] and warnings(problems) == []
    assert hacf.timers.warntime == 100


def test_no_nodes_is_an_error() -> None:
    _, problems = parse("bcast eth0\nauto_failback on\nlogfile /x\n")
    assert errors(problems) == ["0: no nodes defined"]


def test_no_media_is_an_error() -> None:
    _, problems = parse("node a\nauto_failback on\nlogfile /x\n")
    assert errors(problems) == ["0: No heartbeat media defined"]


def test_autojoin_any_allows_no_nodes_but_not_haresources() -> None:
    _, problems = parse("bcast eth0\nauto_failback on\nlogfile /x\nautojoin any\n")
    assert errors(problems) == ["4: R1 style resource management conflicts with autojoin set"]


def test_autojoin_is_case_insensitive_and_none_is_fine() -> None:
    hacf, problems = parse(MINIMAL + "autojoin NONE\n")
    assert errors(problems) == []
    assert hacf.value("autojoin") == "none"


def test_auto_failback_defaults_to_legacy_with_a_warning() -> None:
    hacf, problems = parse("node a\nbcast eth0\nlogfile /x\n")
    assert hacf.auto_failback == "legacy"
    assert warnings(problems) == ["0: Deprecated 'legacy' auto_failback option selected"]


@pytest.mark.parametrize(
    ("written", "mode"), [("on", "on"), ("yes", "on"), ("OFF", "off"), ("no", "off")]
)
def test_auto_failback_takes_booleans(written: str, mode: str) -> None:
    hacf, problems = parse(f"node a\nbcast eth0\nlogfile /x\nauto_failback {written}\n")
    assert hacf.auto_failback == mode
    assert problems == []


def test_explicit_legacy_warns_at_its_line() -> None:
    _, problems = parse("node a\nbcast eth0\nlogfile /x\nauto_failback legacy\n")
    assert warnings(problems) == ["4: Deprecated 'legacy' auto_failback option selected"]


def test_auto_failback_rejects_other_words() -> None:
    _, problems = parse(MINIMAL + "auto_failback maybe\n")
    assert errors(problems) == ["5: auto_failback: 'maybe' is not a valid auto_failback value"]


def test_nice_failback_alone_means_legacy() -> None:
    hacf, problems = parse("node a\nbcast eth0\nlogfile /x\nnice_failback on\n")
    assert hacf.auto_failback == "legacy"
    assert "4: nice_failback is obsolete" in warnings(problems)


def test_nice_failback_after_auto_failback_means_off() -> None:
    hacf, _ = parse("node a\nbcast eth0\nlogfile /x\nauto_failback on\nnice_failback on\n")
    assert hacf.auto_failback == "off"


def test_auto_failback_after_nice_failback_wins() -> None:
    hacf, _ = parse("node a\nbcast eth0\nlogfile /x\nnice_failback on\nauto_failback on\n")
    assert hacf.auto_failback == "on"


def test_nice_failback_needs_a_boolean() -> None:
    _, problems = parse(MINIMAL + "nice_failback sometimes\n")
    assert errors(problems) == ["5: nice_failback: 'sometimes' is not a boolean"]


def test_no_logging_forces_logd_on() -> None:
    hacf, problems = parse("node a\nbcast eth0\nauto_failback on\n")
    assert hacf.use_logd is True
    assert problems == []


def test_use_logd_off_with_no_logging_is_an_error() -> None:
    _, problems = parse("node a\nbcast eth0\nauto_failback on\nuse_logd off\n")
    assert errors(problems)[0].startswith("4: use_logd is off but no logfile")


def test_use_logd_off_with_a_facility_is_fine() -> None:
    hacf, problems = parse(MINIMAL + "use_logd false\n")
    assert problems == [] and hacf.use_logd is False


def test_an_invalid_log_facility_is_an_error() -> None:
    _, problems = parse(MINIMAL + "logfacility local10\n")
    assert errors(problems) == ["5: logfacility: Log facility(local10) not valid"]


@pytest.mark.parametrize("facility", ["daemon", "local0", "local7", "authpriv", "none"])
def test_valid_log_facilities(facility: str) -> None:
    _, problems = parse(MINIMAL + f"logfacility {facility}\n")
    assert problems == []


@pytest.mark.parametrize(
    "line", ["crm on", "crm yes", "crm respawn", "crm manual", "pacemaker on", "crm true"]
)
def test_enabling_pacemaker_is_refused(line: str) -> None:
    hacf, problems = parse(MINIMAL + line + "\n")
    assert hacf.crm_enabled
    [problem] = problems
    assert problem.location.line == 5
    assert "hb manages haresources itself" in problem.problem
    assert "no' (or delete the line)" in problem.fix


@pytest.mark.parametrize("line", ["crm off", "crm no", "pacemaker false"])
def test_crm_off_is_accepted(line: str) -> None:
    hacf, problems = parse(MINIMAL + line + "\n")
    assert problems == [] and not hacf.crm_enabled


def test_crm_with_another_word_is_an_error() -> None:
    _, problems = parse(MINIMAL + "crm sometimes\n")
    assert errors(problems) == ["5: crm: 'sometimes' is not a valid crm value"]


def test_crm_enabled_skips_the_autojoin_rule() -> None:
    _, problems = parse("crm respawn\nautojoin any\nbcast eth0\nauto_failback on\nlogfile /x\n")
    assert len(errors(problems)) == 1


def test_duplicate_apiauth_client_is_an_error() -> None:
    _, problems = parse(MINIMAL + "apiauth ipfail uid=hacluster\napiauth ipfail gid=haclient\n")
    assert errors(problems) == ["6: Duplicate apiauth directive for API client ipfail"]


def test_too_many_nodes() -> None:
    names = " ".join(f"n{i}" for i in range(101))
    _, problems = parse(f"node {names}\nbcast eth0\nauto_failback on\nlogfile /x\n")
    assert errors(problems) == ["1: 101 nodes defined; heartbeat allows at most 100"]

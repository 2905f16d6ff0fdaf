"""The generic ha.cf parser: repeats, forms, argument errors, unknown and plugin directives."""

from __future__ import annotations

from pathlib import Path

from config_helpers import MINIMAL, errors, parse, registry, warnings
from hbcore.config.hacf import read_hacf
from hbcore.config.problems import Location


def test_values_remember_file_and_line() -> None:
    hacf, _ = parse(MINIMAL + "udpport 700\n")
    assert hacf.last("udpport") is not None
    assert hacf.location("udpport") == Location("ha.cf", 5)
    assert hacf.value("udpport") == 700


def test_absent_directives_give_their_default() -> None:
    hacf, _ = parse(MINIMAL)
    assert hacf.value("udpport") == 694
    assert hacf.value("hopfudge") == 1
    assert hacf.value("realtime") is True
    assert hacf.value("logfile") is None
    assert not hacf.is_set("udpport")


def test_last_value_wins_across_lines_and_tokens() -> None:
    hacf, problems = parse(MINIMAL + "udpport 700\nudpport 701 702\n")
    assert errors(problems) == []
    assert hacf.value("udpport") == 702
    assert hacf.values("udpport") == (700, 701, 702)


def test_node_and_media_accumulate_in_file_order() -> None:
    hacf, _ = parse("node Alpha, beta\nnode gamma\nbcast eth0 eth1\nucast eth2 10.0.0.2 x\n")
    assert hacf.nodes == ("alpha", "beta", "gamma")
    assert [str(medium) for medium in hacf.media] == [
        "bcast eth0",
        "bcast eth1",
        "ucast eth2 10.0.0.2",
    ]


def test_a_once_directive_refuses_a_second_value() -> None:
    _, problems = parse(MINIMAL + "watchdog /dev/watchdog\nwatchdog /dev/watchdog1\n")
    assert errors(problems) == ["6: watchdog may be given only once (already at line 5)"]


def test_whole_line_directives_get_the_rest_of_the_line() -> None:
    hacf, problems = parse(MINIMAL + "respawn hacluster /usr/lib/heartbeat/ipfail -v, -x\n")
    assert errors(problems) == []
    assert str(hacf.values("respawn")[0]) == "hacluster /usr/lib/heartbeat/ipfail -v, -x"


def test_a_whole_line_directive_without_arguments_is_an_error() -> None:
    _, problems = parse(MINIMAL + "respawn\n")
    assert errors(problems) == ["5: respawn needs arguments"]


def test_a_per_token_directive_without_a_value_is_a_warning() -> None:
    _, problems = parse(MINIMAL + "keepalive\n")
    assert errors(problems) == []
    assert warnings(problems) == ["5: keepalive has no value, so the line does nothing"]


def test_argument_errors_name_the_directive_and_the_fix() -> None:
    _, problems = parse(MINIMAL + "udpport 70000\n")
    [problem] = problems
    assert str(problem) == "ha.cf:5: udpport: 70000 is out of range; use a value in 1..65535"


def test_unknown_directive_suggests_the_closest_name() -> None:
    _, problems = parse(MINIMAL + "undport 694\n")
    [problem] = problems
    assert problem.problem == "unknown directive 'undport'"
    assert problem.fix == "did you mean 'udpport'?"


def test_directive_names_are_case_sensitive() -> None:
    _, problems = parse(MINIMAL + "Keepalive 2\n")
    [problem] = problems
    assert problem.problem == "unknown directive 'Keepalive'"
    assert problem.fix == "did you mean 'keepalive'?"


def test_unknown_directive_far_from_any_name() -> None:
    _, problems = parse(MINIMAL + "frobnicate 1\n")
    [problem] = problems
    assert "case-sensitive" in problem.fix


def test_a_directive_of_a_missing_builtin_plugin_names_its_distribution() -> None:
    _, problems = parse(MINIMAL + "baud 19200\nserial /dev/ttyS0\n", "serial")
    assert errors(problems) == [
        "5: directive 'baud' is provided by the plugin hb-media-serial, which is not installed",
        "6: directive 'serial' is provided by the plugin hb-media-serial, which is not installed",
    ]
    assert problems[0].fix == "pip install hb-media-serial"


def test_a_missing_media_plugin_is_not_also_reported_as_no_media() -> None:
    _, problems = parse("node a\nauto_failback on\nlogfile /tmp/x\nserial /dev/ttyS0\n", "serial")
    assert errors(problems) == [
        "4: directive 'serial' is provided by the plugin hb-media-serial, which is not installed"
    ]


def test_udp_is_read_as_bcast_with_a_warning() -> None:
    hacf, problems = parse("node a\nauto_failback on\nlogfile /x\nudp eth0\n")
    assert errors(problems) == []
    assert warnings(problems) == ["4: directive 'udp' replaced by 'bcast'"]
    assert [str(medium) for medium in hacf.media] == ["bcast eth0"]


def test_udp_without_the_bcast_plugin_names_hb_media_bcast() -> None:
    _, problems = parse("node a\nauto_failback on\nlogfile /x\nudp eth0\n", "bcast")
    assert "hb-media-bcast" in errors(problems)[0]


def test_bytes_that_are_not_utf8_in_comments_are_harmless(tmp_path: Path) -> None:
    (tmp_path / "ha.cf").write_bytes(MINIMAL.encode() + b"udpport 694 # \xe3\x81 \xff\n")
    hacf, problems = read_hacf(tmp_path / "ha.cf", registry().directives)
    assert errors(problems) == []
    assert hacf.value("udpport") == 694


def test_a_missing_ha_cf_is_one_error(tmp_path: Path) -> None:
    _, problems = read_hacf(tmp_path / "ha.cf", registry().directives)
    assert [p.problem for p in problems] == [
        f"cannot read {tmp_path / 'ha.cf'}: No such file or directory"
    ]


def test_a_nul_byte_makes_the_line_an_error_and_it_is_not_parsed() -> None:
    hacf, problems = parse(MINIMAL + "bcast l\0o\nrespawn hac\0luster /bin/true\n# a \0 comment\n")
    assert errors(problems) == ["5: NUL byte in the line", "6: NUL byte in the line"]
    assert [str(medium) for medium in hacf.media] == ["bcast lo"]
    assert not hacf.is_set("respawn")


def test_absurd_numbers_are_out_of_range_not_a_crash() -> None:
    _, problems = parse(MINIMAL + f"keepalive {'1' * 5000}\nudpport {'9' * 5000}\ndebug 1e999\n")
    assert errors(problems) == [
        f"5: keepalive: time '{'1' * 5000}' is too large",
        f"6: udpport: '{'9' * 5000}' is out of range",
        "7: debug: '1e999' is not a whole number",
    ]


def test_a_node_name_that_is_not_utf8_is_an_error() -> None:
    text = (MINIMAL.encode() + b"node gamm\xe9\n").decode("utf-8", "surrogateescape")
    hacf, problems = parse(text)
    assert errors(problems) == [
        "5: node: node name 'gamm\udce9' holds bytes that are not UTF-8 text, or control characters"
    ]
    assert hacf.nodes == ("alpha", "beta")

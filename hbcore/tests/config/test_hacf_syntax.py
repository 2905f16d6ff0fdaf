"""ha.cf's lexical rules: comments anywhere, blanks, case, per-token splitting."""

from __future__ import annotations

from hbcore.config.hacf_syntax import DirectiveLine, directive_lines, split_tokens


def test_a_hash_anywhere_starts_a_comment() -> None:
    lines = list(directive_lines("keepalive 2 # every 2 s\n# whole line\nnode a#b\n"))
    assert lines == [DirectiveLine(1, "keepalive", "2"), DirectiveLine(3, "node", "a")]


def test_leading_blanks_tabs_crlf_and_blank_lines_are_ignored() -> None:
    text = "  keepalive\t2\r\n\r\n \t \ndeadtime\t\t30"
    assert list(directive_lines(text)) == [
        DirectiveLine(1, "keepalive", "2"),
        DirectiveLine(4, "deadtime", "30"),
    ]


def test_the_name_runs_to_the_first_blank_and_keeps_its_case() -> None:
    assert list(directive_lines("Node,a b\n")) == [DirectiveLine(1, "Node,a", "b")]


def test_a_directive_alone_has_an_empty_rest() -> None:
    assert list(directive_lines("keepalive")) == [DirectiveLine(1, "keepalive", "")]


def test_tokens_split_on_commas_and_blanks() -> None:
    assert split_tokens("eth0, eth1\teth2,,eth3") == ["eth0", "eth1", "eth2", "eth3"]
    assert split_tokens("") == []

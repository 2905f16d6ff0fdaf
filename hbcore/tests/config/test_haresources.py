"""haresources as ResourceManager reads it: comments, continuations, tokens, node names."""

from __future__ import annotations

from pathlib import Path

from hbcore.config.haresources import parse_haresources, read_haresources
from hbcore.config.problems import Location, Severity

NODES = ("linuxha1", "linuxha2")


def test_the_seed_line() -> None:
    resources, problems = parse_haresources("linuxha1 192.168.85.3 httpd smb\n", NODES)
    assert problems == []
    [group] = resources.groups
    assert group.node == "linuxha1"
    assert group.key == "192.168.85.3"
    assert [r.token for r in group.resources] == ["192.168.85.3", "httpd", "smb"]
    assert group.location == Location("haresources", 1)


def test_the_address_shorthand_is_ipaddr() -> None:
    resources, _ = parse_haresources("linuxha1 192.168.85.3/27/192.168.85.16\n", NODES)
    resource = resources.groups[0].resources[0]
    assert (resource.script, resource.arguments) == ("IPaddr", ("192.168.85.3/27/192.168.85.16",))


def test_script_arguments_split_on_double_colons() -> None:
    resources, _ = parse_haresources(
        "linuxha1 maid::vacuum Filesystem::/dev/drbd0::/srv::ext4 IPaddr::10.0.0.1/24\n", NODES
    )
    maid, filesystem, ipaddr = resources.groups[0].resources
    assert (maid.script, maid.arguments) == ("maid", ("vacuum",))
    assert filesystem.arguments == ("/dev/drbd0", "/srv", "ext4")
    assert (ipaddr.script, ipaddr.arguments) == ("IPaddr", ("10.0.0.1/24",))


def test_comments_blanks_and_continuations() -> None:
    text = (
        "# the web group\n"
        "\n"
        "  LinuxHA1\t192.168.85.3   httpd \\\n"
        "      smb   # samba too\n"
        "linuxha2 10.0.0.9\n"
    )
    resources, problems = parse_haresources(text, NODES)
    assert problems == []
    first, second = resources.groups
    assert first.node == "linuxha1"
    assert [r.token for r in first.resources] == ["192.168.85.3", "httpd", "smb"]
    assert first.location.line == 3
    assert second.location.line == 5


def test_a_continuation_joins_without_a_blank() -> None:
    resources, _ = parse_haresources("linuxha1 http\\\nd\n", NODES)
    assert [r.token for r in resources.groups[0].resources] == ["httpd"]


def test_a_backslash_on_the_last_line() -> None:
    resources, _ = parse_haresources("linuxha1 httpd \\", NODES)
    assert [r.token for r in resources.groups[0].resources] == ["httpd"]


def test_an_unknown_node_is_a_bad_nodename() -> None:
    _, problems = parse_haresources("lisa IPaddr::192.168.100.71/24/eth1 apache\n", NODES)
    [problem] = problems
    assert problem.severity is Severity.ERROR
    assert str(problem).startswith("haresources:1: Bad nodename in haresources [lisa]; ")
    assert "linuxha1, linuxha2" in problem.fix


def test_node_names_match_case_insensitively() -> None:
    resources, problems = parse_haresources("Web_MySQL_M1 drbd\n", ("web_mysql_m1",))
    assert problems == [] and resources.groups[0].node == "web_mysql_m1"


def test_a_node_alone_is_accepted_with_a_warning() -> None:
    resources, problems = parse_haresources("linuxha1\n", NODES)
    assert resources.groups == ()
    assert [p.severity for p in problems] == [Severity.WARNING]


def test_a_repeated_group_key_warns() -> None:
    resources, problems = parse_haresources("linuxha1 10.0.0.1 a\nlinuxha2 10.0.0.1 b\n", NODES)
    assert [p.severity for p in problems] == [Severity.WARNING]
    group = resources.group("10.0.0.1")
    assert group is not None and group.node == "linuxha1"
    assert resources.group("a") is None


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    resources, problems = read_haresources(tmp_path / "haresources", NODES)
    assert resources.groups == ()
    assert problems[0].problem.startswith("Cannot open resources file")


def test_a_nul_byte_makes_the_line_an_error_and_it_is_not_a_group() -> None:
    resources, problems = parse_haresources("linuxha1 ht\0tpd\nlinuxha2 smb # \0\n", NODES)
    assert [(p.location.line, p.problem, p.severity) for p in problems] == [
        (1, "NUL byte in the line", Severity.ERROR)
    ]
    assert [group.key for group in resources.groups] == ["smb"]

"""Node names: lowercased everywhere; the local name from nodeinfo or uname -n."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hb_hookspecs.arguments import ArgumentError
from hbcore.config.node_names import local_node_name, node_name, normalize


def test_names_are_lowercased() -> None:
    assert normalize("Web_MySQL_M1") == "web_mysql_m1"
    assert node_name("LinuxHA1") == "linuxha1"


def test_names_of_100_bytes_are_too_long() -> None:
    assert node_name("a" * 99) == "a" * 99
    with pytest.raises(ArgumentError):
        node_name("a" * 100)


def test_local_name_is_uname_without_nodeinfo(tmp_path: Path) -> None:
    assert local_node_name(tmp_path) == os.uname().nodename.lower()


def test_nodeinfo_overrides_uname(tmp_path: Path) -> None:
    (tmp_path / "nodeinfo").write_text("LinuxHA1\nignored\n")
    assert local_node_name(tmp_path) == "linuxha1"


@pytest.mark.parametrize("content", ["linuxha1", "\n", ""])
def test_nodeinfo_without_a_complete_first_line_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / "nodeinfo").write_text(content)
    assert local_node_name(tmp_path) == os.uname().nodename.lower()


def test_length_is_counted_in_the_files_bytes() -> None:
    with pytest.raises(ArgumentError, match="longer than 99 bytes"):
        node_name("é" * 50)
    with pytest.raises(ArgumentError, match="longer than 99 bytes"):
        node_name("\udce9" * 100)


@pytest.mark.parametrize("name", ["gamm\udce9", "a\x1bb", "a\x00b", "a\x7fb"])
def test_names_no_host_can_have_are_refused(name: str) -> None:
    with pytest.raises(ArgumentError, match="write the name as `uname -n` prints it"):
        node_name(name)


def test_a_utf8_name_is_kept() -> None:
    assert node_name("Nœud1") == "nœud1"

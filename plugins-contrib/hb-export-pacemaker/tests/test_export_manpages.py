"""The man pages of hb export ship with hb-export-pacemaker, not hbcore: written from the
commands the plugin registers, committed in step with them."""

from __future__ import annotations

from pathlib import Path

from hbcore.cli.manpages import manpages
from hbcore.testing.manpages import check_pages_current, check_pages_render

PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"


def test_the_committed_pages_are_what_the_export_commands_say_now() -> None:
    check_pages_current(PAGES, plugin="export-pacemaker")


def test_every_export_command_has_a_page_and_hbcore_has_none_of_them() -> None:
    assert sorted(manpages(plugin="export-pacemaker")) == [
        "hb-export-corosync.1",
        "hb-export-pacemaker.1",
        "hb-export.1",
    ]
    assert not [name for name in manpages() if name.startswith("hb-export")]


def test_every_export_page_renders_without_a_groff_warning() -> None:
    check_pages_render(PAGES)

"""The man pages of hb lab and hb demo ship with hb-lab, not hbcore: written from the commands
the plugin registers, committed in step with them."""

from __future__ import annotations

from pathlib import Path

from hbcore.cli.manpages import manpages
from hbcore.testing.manpages import check_pages_current, check_pages_render

PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"


def test_the_committed_pages_are_what_the_lab_commands_say_now() -> None:
    check_pages_current(PAGES, plugin="lab")


def test_every_lab_command_has_a_page_and_hbcore_has_none_of_them() -> None:
    assert sorted(manpages(plugin="lab")) == [
        "hb-demo.1",
        "hb-lab-down.1",
        "hb-lab-status.1",
        "hb-lab-test-plan.1",
        "hb-lab-up.1",
        "hb-lab.1",
    ]
    core = manpages()
    assert not [name for name in core if name.startswith(("hb-lab", "hb-demo"))]
    assert "hb\\-lab" not in core["hb.1"]


def test_every_lab_page_renders_without_a_groff_warning() -> None:
    check_pages_render(PAGES)

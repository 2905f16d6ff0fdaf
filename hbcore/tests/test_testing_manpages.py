"""hbcore.testing.manpages, the checks a distribution runs on the man pages it ships: each fails
on the fault it is for, naming the page (and, for a stale page, the command that fixes it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hbcore.testing.manpages import check_pages_current, check_pages_render, regenerate_command

HB_PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A copy of hb's own committed pages."""
    return Path(shutil.copytree(HB_PAGES, tmp_path / "man1"))


def test_current_pages_pass_and_a_changed_missing_or_extra_page_fails(pages: Path) -> None:
    check_pages_current(pages)
    fix = regenerate_command(pages)
    (pages / "hb-check.1").write_text((pages / "hb-check.1").read_text() + ".PP\nmore\n")
    with pytest.raises(AssertionError, match=re.escape(f"hb-check.1 out of date: {fix}")):
        check_pages_current(pages)
    (pages / "hb-check.1").unlink()
    with pytest.raises(AssertionError, match=r"pages not written: \['hb-check.1'\]"):
        check_pages_current(pages)
    shutil.copy(HB_PAGES / "hb-check.1", pages)
    (pages / "hb-gone.1").write_text(".TH HB-GONE 1\n")
    with pytest.raises(AssertionError, match=r"pages of no command: \['hb-gone.1'\]"):
        check_pages_current(pages)


def test_a_page_groff_warns_about_fails_by_name(tmp_path: Path) -> None:
    (tmp_path / "good.1").write_text(".TH GOOD 1\n.SH NAME\ngood\n")
    check_pages_render(tmp_path)
    (tmp_path / "bad.1").write_text(".TH BAD 1\n.XX undefined\n")
    with pytest.raises(AssertionError, match=r"bad\.1: groff says: .*macro 'XX' not defined"):
        check_pages_render(tmp_path)


def test_the_regenerate_command_names_the_plugin_and_the_directory() -> None:
    assert regenerate_command(Path("/x/man1"), "lab").endswith(
        " -m hbcore.cli.manpages --plugin lab /x/man1"
    )

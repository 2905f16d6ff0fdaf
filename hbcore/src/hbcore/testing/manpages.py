"""Checks for a distribution that ships man pages of its ``hb`` commands: the pages are
generated from the click commands (:mod:`hbcore.cli.manpages`) and committed, so a test must
fail when a command's help changed and its page was not written again, and when a page makes
groff warn.

::

    from hbcore.testing.manpages import check_pages_current, check_pages_render

    PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"

    def test_the_committed_pages_are_current() -> None:
        check_pages_current(PAGES, plugin="lab")

    def test_every_page_renders_without_a_groff_warning() -> None:
        check_pages_render(PAGES)

Both raise :class:`AssertionError` saying what is wrong (and, for stale pages, the command that
writes them again), so they read as ordinary assertions in a pytest report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hbcore.cli.manpages import manpages

GROFF_TIMEOUT_S = 60.0
"""How long groff may take over one page (it takes milliseconds)."""


def regenerate_command(pages: Path, plugin: str | None = None) -> str:
    """The command that writes the pages of ``plugin`` (hb's own without one) into ``pages``."""
    option = f" --plugin {plugin}" if plugin is not None else ""
    return f"{sys.executable} -m hbcore.cli.manpages{option} {pages}"


def check_pages_current(pages: Path, plugin: str | None = None) -> None:
    """Assert that ``pages`` holds exactly the pages :func:`hbcore.cli.manpages.manpages`
    writes for ``plugin`` (hb's own without one), each with the same text."""
    expected = manpages(plugin=plugin)
    committed = {page.name: page.read_text() for page in pages.iterdir()}
    fix = regenerate_command(pages, plugin)
    unwritten = sorted(set(expected) - set(committed))
    orphans = sorted(set(committed) - set(expected))
    if unwritten or orphans:
        raise AssertionError(
            f"pages not written: {unwritten}, pages of no command: {orphans}: {fix}"
        )
    stale = [name for name, text in expected.items() if committed[name] != text]
    if stale:
        raise AssertionError(f"{', '.join(stale)} out of date: {fix}")


def check_pages_render(pages: Path) -> None:
    """Assert that groff renders every page in ``pages`` without an error or a warning (``-ww``:
    all of them). Fails too when groff is not installed."""
    groff = shutil.which("groff")
    if groff is None:
        raise AssertionError("groff not found: apt-get install groff-base")
    for page in sorted(pages.iterdir()):
        rendered = subprocess.run(
            [groff, "-man", "-Tutf8", "-ww", "-z", str(page)],
            capture_output=True,
            text=True,
            timeout=GROFF_TIMEOUT_S,
            check=False,
        )
        if (rendered.returncode, rendered.stderr) != (0, ""):
            raise AssertionError(f"{page.name}: groff says: {rendered.stderr.strip()}")

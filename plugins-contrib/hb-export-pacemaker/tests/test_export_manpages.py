"""The man pages of hb export ship with hb-export-pacemaker, not hbcore: written from the
commands the plugin registers, committed in step with them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hbcore.cli.manpages import manpages

PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"
REGENERATE = (
    ".venv/bin/python -m hbcore.cli.manpages --plugin export-pacemaker "
    "plugins-contrib/hb-export-pacemaker/share/man/man1"
)


def test_the_committed_pages_are_what_the_export_commands_say_now() -> None:
    expected = manpages(plugin="export-pacemaker")
    committed = {page.name: page.read_text() for page in PAGES.iterdir()}
    assert sorted(committed) == sorted(expected), f"pages added or gone: {REGENERATE}"
    stale = [name for name, text in expected.items() if committed[name] != text]
    assert not stale, f"{', '.join(stale)} out of date: {REGENERATE}"


def test_every_export_command_has_a_page_and_hbcore_has_none_of_them() -> None:
    assert sorted(manpages(plugin="export-pacemaker")) == [
        "hb-export-corosync.1",
        "hb-export-pacemaker.1",
        "hb-export.1",
    ]
    assert not [name for name in manpages() if name.startswith("hb-export")]


def test_every_export_page_renders_without_a_groff_warning() -> None:
    groff = shutil.which("groff")
    assert groff is not None, "groff not found: apt-get install groff-base"
    for page in sorted(PAGES.iterdir()):
        rendered = subprocess.run(
            [groff, "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True
        )
        assert (rendered.returncode, rendered.stderr) == (0, ""), page.name

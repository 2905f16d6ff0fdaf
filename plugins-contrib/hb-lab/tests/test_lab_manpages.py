"""The man pages of hb lab and hb demo ship with hb-lab, not hbcore: written from the commands
the plugin registers, committed in step with them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hbcore.cli.manpages import manpages

PAGES = Path(__file__).parents[1] / "share" / "man" / "man1"
REGENERATE = (
    ".venv/bin/python -m hbcore.cli.manpages --plugin lab plugins-contrib/hb-lab/share/man/man1"
)


def test_the_committed_pages_are_what_the_lab_commands_say_now() -> None:
    expected = manpages(plugin="lab")
    committed = {page.name: page.read_text() for page in PAGES.iterdir()}
    assert sorted(committed) == sorted(expected), f"pages added or gone: {REGENERATE}"
    stale = [name for name, text in expected.items() if committed[name] != text]
    assert not stale, f"{', '.join(stale)} out of date: {REGENERATE}"


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
    groff = shutil.which("groff")
    assert groff is not None, "groff not found: apt-get install groff-base"
    for page in sorted(PAGES.iterdir()):
        rendered = subprocess.run(
            [groff, "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True
        )
        assert (rendered.returncode, rendered.stderr) == (0, ""), page.name

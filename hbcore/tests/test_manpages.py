"""Man pages for hb and every subcommand: written from the click commands, committed in step
with them, shipped in the hbcore wheel as data files, and found by man beside a virtualenv's hb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hbcore.cli.main import COMMANDS
from hbcore.cli.manpages import ALIASES, commands, escape, manpages
from hbcore.cli.manpages import main as manpages_main
from hypothesis import given
from hypothesis import strategies as st

import hbcore

HBCORE = Path(__file__).parents[1]
PAGES = HBCORE / "share" / "man" / "man1"
REGENERATE = ".venv/bin/python -m hbcore.cli.manpages hbcore/share/man/man1"


def test_the_committed_pages_are_what_the_command_line_says_now() -> None:
    expected = manpages()
    committed = {page.name: page.read_text() for page in PAGES.iterdir()}
    assert sorted(committed) == sorted(expected), f"pages added or gone: {REGENERATE}"
    stale = [name for name, text in expected.items() if committed[name] != text]
    assert not stale, f"{', '.join(stale)} out of date: {REGENERATE}"


def test_hb_and_every_subcommand_has_a_page_and_heartbeats_names_point_to_theirs() -> None:
    pages = manpages()
    assert {"hb.1", *(f"hb-{name}.1" for name in COMMANDS)} <= set(pages)
    for page in commands():
        assert f"{page.name}.1" in pages
    assert "hb-service-unit.1" in pages  # the subcommands of a group too
    for alias, target in ALIASES.items():
        assert pages[f"{alias}.1"] == f".so man1/{target}.1\n"


def test_every_page_renders_without_a_groff_warning() -> None:
    groff = shutil.which("groff")
    assert groff is not None, "groff not found: apt-get install groff-base"
    for page in [*sorted(PAGES.glob("hb-*.1")), PAGES / "hb.1"]:
        rendered = subprocess.run(
            [groff, "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True
        )
        assert (rendered.returncode, rendered.stderr) == (0, ""), page.name


def test_the_page_of_hb_tells_shell_completion_and_the_environment() -> None:
    text = (PAGES / "hb.1").read_text()
    assert 'eval "$(_HB_COMPLETE=bash_source hb)"' in text
    assert ".B HB_PLUGINS" in text and ".B HB_DISABLE_PLUGINS" in text


@given(st.text())
def test_no_text_can_become_a_roff_request(text: str) -> None:
    for line in escape(text).splitlines():
        assert not line.startswith((".", "'"))
    assert "-" not in escape(text).replace("\\-", "")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hbcore wheel, built as pip builds it (hatchling, from the work tree)."""
    directory = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         str(HBCORE), "-w", str(directory)],
        check=True, timeout=300,
    )  # fmt: skip
    (built,) = directory.glob("hbcore-*.whl")
    return built


def test_the_wheel_installs_the_pages_into_share_man_man1(wheel: Path) -> None:
    data = f"hbcore-{hbcore.__version__}.data/data/share/man/man1/"
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.removeprefix(data): archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith(data)
        }
    assert shipped == {page.name: page.read_text() for page in PAGES.iterdir()}


def test_man_finds_the_pages_beside_the_hb_on_path(wheel: Path, tmp_path: Path) -> None:
    """What pip does with the wheel's data in a virtualenv, and how man-db finds pages there:
    ``PREFIX/bin`` on PATH makes it look in ``PREFIX/share/man``, with no MANPATH."""
    man = shutil.which("man")
    assert man is not None, "man not found: apt-get install man-db"
    prefix = tmp_path / "venv"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "hb").write_text("#!/bin/sh\n")
    (prefix / "bin" / "hb").chmod(0o755)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            _, _, installed = name.partition(".data/data/")
            if installed:
                (prefix / installed).parent.mkdir(parents=True, exist_ok=True)
                (prefix / installed).write_bytes(archive.read(name))
    environment = {"PATH": f"{prefix / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    environment |= {"LANG": "C.UTF-8", "MANPAGER": "cat", "MANWIDTH": "100"}

    def man_w(page: str) -> str:
        found = subprocess.run([man, "-w", page], capture_output=True, text=True, env=environment)
        assert found.returncode == 0, found.stderr
        return found.stdout.strip()

    pages = prefix / "share" / "man" / "man1"
    assert man_w("hb") == str(pages / "hb.1")
    assert man_w("hb-service-unit") == str(pages / "hb-service-unit.1")
    assert man_w("hb_standby") == str(pages / "hb-standby.1")  # the .so followed
    shown = subprocess.run([man, "hb"], capture_output=True, text=True, env=environment)
    assert shown.returncode == 0 and "_HB_COMPLETE=bash_source hb" in shown.stdout


def test_shell_completion_as_the_docs_show_it_completes_commands() -> None:
    environment = {**os.environ, "_HB_COMPLETE": "bash_complete"}
    environment |= {"COMP_WORDS": "hb service ", "COMP_CWORD": "2"}
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("hb"))], capture_output=True, text=True, env=environment
    )
    assert completed.stdout.split() == ["plain,init-script", "plain,status", "plain,unit"]
    source = subprocess.run(
        [str(Path(sys.executable).with_name("hb"))],
        capture_output=True,
        text=True,
        env={**os.environ, "_HB_COMPLETE": "bash_source"},
    )
    assert "complete -o nosort -F _hb_completion hb" in source.stdout


def test_the_generator_answers_help_without_writing_a_directory_named_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        manpages_main(["--help"])
    assert exit_info.value.code == 0
    assert "DIRECTORY" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []

"""The workspace's distributions: build them, bump their one version, list what they need.

    python .ci/dist.py build [--wheels-only] OUTDIR  # every sdist and wheel: `make dist`
    python .ci/dist.py version X.Y.Z                 # one version everywhere: `make version`
    python .ci/dist.py requirements                  # third-party requirements: the wheelhouse

The members are `make dev`'s: hookspecs, hbcore, plugins-builtin/hb-*, plugins-contrib/hb-*.

One version for the whole workspace: every member's ``[project] version``, every requirement of
one member on another (``hbcore==X.Y.Z``, ``hb-hookspecs>=X.Y.Z``) and ``hbcore.__version__``
carry the same string, and ``version`` rewrites them all; tests/test_distributions.py fails when
they drift apart.

Builds call hatchling's PEP 517 hooks in this process rather than through ``python -m build``:
no build isolation (which would fetch hatchling from an index) and no interpreter per
distribution, so the seventeen build in seconds offline. Each wheel is built from its unpacked
sdist, as ``python -m build`` does, so a file missing from an sdist fails the build. Builds are
reproducible: SOURCE_DATE_EPOCH, when unset, is the time of the last commit, and hatchling
stamps every archive member with it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CORE_VERSION_FILE = ROOT / "hbcore" / "src" / "hbcore" / "__init__.py"
# The oldest time a zip archive can record; used when there is no git history to date a build.
ZIP_EPOCH = 315532800

_VERSION = re.compile(r'^(version = ")([^"]*)(")', re.MULTILINE)
_CORE_VERSION = re.compile(r'^(__version__ = ")([^"]*)(")', re.MULTILINE)


def members(root: Path = ROOT) -> list[Path]:
    """Every distribution's directory, in `make dev`'s order."""
    found = [root / "hookspecs", root / "hbcore"]
    for group in ("plugins-builtin", "plugins-contrib"):
        found += sorted(path.parent for path in (root / group).glob("hb-*/pyproject.toml"))
    return found


def project(member: Path) -> dict[str, object]:
    """The ``[project]`` table of a member's pyproject.toml."""
    with (member / "pyproject.toml").open("rb") as file:
        table: dict[str, object] = tomllib.load(file)["project"]
    return table


def names(root: Path = ROOT) -> set[str]:
    """The distribution names of the workspace."""
    return {str(project(member)["name"]) for member in members(root)}


def requirements(member: Path) -> list[Requirement]:
    """A member's requirements, its extras' included."""
    from packaging.requirements import Requirement  # not needed to set the version

    table = project(member)
    listed = list(table.get("dependencies", []))  # type: ignore[call-overload]
    for extra in dict(table.get("optional-dependencies", {})).values():  # type: ignore[call-overload]
        listed += extra
    return [Requirement(text) for text in listed]


def third_party(root: Path = ROOT) -> list[str]:
    """What the workspace needs from outside it: every requirement not on a member, sorted."""
    ours = names(root)
    found = {
        str(requirement)
        for member in members(root)
        for requirement in requirements(member)
        if requirement.name not in ours
    }
    return sorted(found)


def set_version(new: str, root: Path = ROOT) -> list[Path]:
    """Write ``new`` as every member's version, every pin between members and
    ``hbcore.__version__``; return the files changed."""
    if not re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?", new):
        raise SystemExit(f"dist.py: '{new}' is not a release version such as 0.2.0 or 1.0.0rc1")
    ours = "|".join(re.escape(name) for name in sorted(names(root), key=len, reverse=True))
    pin = re.compile(rf'(?P<head>"(?:{ours})(?:\[[^\]]*\])?\s*(?:==|>=))[^",;\s]+')
    changed = []
    for path in [member / "pyproject.toml" for member in members(root)]:
        text = path.read_text(encoding="utf-8")
        rewritten = pin.sub(lambda match: match["head"] + new, _VERSION.sub(rf"\g<1>{new}\3", text))
        if rewritten != text:
            path.write_text(rewritten, encoding="utf-8")
            changed.append(path)
    core = root / CORE_VERSION_FILE.relative_to(ROOT)
    text = core.read_text(encoding="utf-8")
    rewritten = _CORE_VERSION.sub(rf"\g<1>{new}\3", text)
    if rewritten != text:
        core.write_text(rewritten, encoding="utf-8")
        changed.append(core)
    return changed


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def source_date_epoch(root: Path = ROOT) -> str:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else the zip epoch."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return os.environ["SOURCE_DATE_EPOCH"]
    done = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%ct"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else str(ZIP_EPOCH)


def build(member: Path, outdir: Path, *, wheels_only: bool = False) -> list[Path]:
    """Build a member's sdist, then its wheel from that sdist, into ``outdir``.

    With ``wheels_only`` the wheel is built from the source tree and no sdist is kept.
    SOURCE_DATE_EPOCH must already be in the environment for the build to be reproducible.
    """
    from hatchling.build import build_sdist, build_wheel

    outdir.mkdir(parents=True, exist_ok=True)
    if wheels_only:
        with _working_directory(member):
            return [outdir / build_wheel(str(outdir))]
    with _working_directory(member):
        sdist = outdir / build_sdist(str(outdir))
    with tempfile.TemporaryDirectory() as unpacked, tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
        (top,) = Path(unpacked).iterdir()
        with _working_directory(top):
            wheel = outdir / build_wheel(str(outdir))
    return [sdist, wheel]


def build_all(outdir: Path, *, wheels_only: bool = False, root: Path = ROOT) -> list[Path]:
    """Build every member into ``outdir``; the archives written, in members' order."""
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    built: list[Path] = []
    for member in members(root):
        built += build(member, outdir.resolve(), wheels_only=wheels_only)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dist.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="build every sdist and wheel into OUTDIR")
    building.add_argument("outdir", type=Path)
    building.add_argument("--wheels-only", action="store_true", help="no sdists")
    versioning = commands.add_parser("version", help="set the workspace's one version")
    versioning.add_argument("new")
    commands.add_parser("requirements", help="print the third-party requirements, one a line")
    arguments = parser.parse_args(argv)

    if arguments.command == "build":
        for path in build_all(arguments.outdir, wheels_only=arguments.wheels_only):
            print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    elif arguments.command == "version":
        for path in set_version(arguments.new):
            print(f"{path.relative_to(ROOT)}: {arguments.new}")
    else:
        print("\n".join(third_party()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

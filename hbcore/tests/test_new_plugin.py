"""``hb new-plugin``: every kind writes a distribution of the standard shape whose code is
lint-clean and whose own tests (hb's contract tests) pass as written; installed, hb loads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hb_hookspecs import CONTRACT_VERSION
from hbcore.cli.new_plugin_cmd import KINDS, new_plugin

BIN = Path(sys.executable).parent
WORKSPACE = Path(__file__).resolve().parents[2]


def generate(directory: Path, name: str, kind: str) -> Path:
    result = CliRunner().invoke(new_plugin, [name, "--kind", kind, "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    return directory / f"hb-{kind}-{name}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One distribution of every kind, named ``web-cache``."""
    directory = tmp_path_factory.mktemp("new-plugins")
    return {kind: generate(directory, "web-cache", kind) for kind in KINDS}


def test_every_kind_has_the_standard_shape(generated: dict[str, Path]) -> None:
    for kind, root in generated.items():
        package = f"hb_{kind}_web_cache"
        files = {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
        assert {
            "pyproject.toml",
            "README.md",
            f"src/{package}/__init__.py",
            f"tests/test_{package}.py",
        } <= files, kind
        assert len([f for f in files if f.startswith("src/")]) >= 2, f"{kind}: no implementation"
        pyproject = (root / "pyproject.toml").read_text()
        assert f'[project.entry-points."hb.plugins"]\n{kind}-web-cache = "{package}"' in pyproject
        assert 'dependencies = ["hb-hookspecs>=' in pyproject
        init = (root / "src" / package / "__init__.py").read_text()
        assert f"HB_CONTRACT = {CONTRACT_VERSION!r}\n" in init


def test_the_generated_code_is_lint_clean(generated: dict[str, Path]) -> None:
    roots = [str(root) for root in generated.values()]
    config = ["--config", str(WORKSPACE / "pyproject.toml")]
    for command in (["check", *config], ["format", "--check", *config]):
        ran = subprocess.run(
            [BIN / "ruff", *command, *roots], capture_output=True, text=True, timeout=60
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_generated_tests_pass_as_written(generated: dict[str, Path]) -> None:
    """Run as an author would, from outside this workspace, the plugins found on PYTHONPATH
    (installing them into this shared venv is not an option) and hb's pytest plugin
    providing the fixtures."""
    sources = os.pathsep.join(str(root / "src") for root in generated.values())
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *(str(root / "tests") for root in generated.values())],
        cwd=next(iter(generated.values())).parent,
        env={**os.environ, "PYTHONPATH": sources},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout and "failed" not in ran.stdout


def test_installed_hb_loads_the_generated_plugin(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(generated["ra"])],
        check=True, timeout=120,
    )  # fmt: skip
    listed = subprocess.run(
        [BIN / "hb", "plugins", "list", "--json"],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    record = next(p for p in json.loads(listed.stdout) if p["name"] == "ra-web-cache")
    assert (record["distribution"], record["status"]) == ("hb-ra-web-cache", "active")
    assert record["provides"] == ["agent:web-cache"]


@pytest.mark.parametrize("name", ["Web", "web_cache", "-web", "web-", "9lives", ""])
def test_a_name_that_configuration_cannot_spell_is_refused(name: str, tmp_path: Path) -> None:
    arguments = ["--kind", "ra", "--dir", str(tmp_path), "--", name]
    result = CliRunner().invoke(new_plugin, arguments)
    assert result.exit_code == 2
    assert "lowercase letters, digits and hyphens" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "hb-auth-mine").mkdir()
    result = CliRunner().invoke(new_plugin, ["mine", "--kind", "auth", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "hb-auth-mine exists" in result.output
    assert list((tmp_path / "hb-auth-mine").iterdir()) == []

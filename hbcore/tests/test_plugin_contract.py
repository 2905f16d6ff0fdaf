"""The plugin contract version: a plugin built for another major version of hb-hookspecs is
``failed`` with the reason before any of its hooks runs, and ``hb check`` names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from hb_hookspecs import CONTRACT_VERSION, AuthMethod, KeyRule, hookimpl
from hb_hookspecs.contract import contract_refusal, declared_contract
from hbcore.config.plugin_checks import failed_plugins
from hbcore.plugins import Selection, load_plugins

MAJOR, MINOR = CONTRACT_VERSION
SEED = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "seed" / "ha.d"


class _Plain:
    def sign(self, data: bytes) -> str:
        return "0"

    def verify(self, data: bytes, token: str) -> bool:
        return token == "0"


@pytest.fixture
def plugin_built_for() -> Iterator[Callable[..., EntryPoint]]:
    """A factory of plugins registering the authkeys method ``plain``, built for a contract
    (``HB_CONTRACT``; left out when not given), whose registration hook counts its calls."""
    created: list[str] = []

    def make(name: str, *declared: object) -> EntryPoint:
        module = types.ModuleType(f"hb_test_contract_{name}")
        module.calls = []  # type: ignore[attr-defined]

        @hookimpl
        def hb_register_authenticators(register: Callable[[AuthMethod], None]) -> None:
            module.calls.append("registered")  # type: ignore[attr-defined]
            register(AuthMethod(name, KeyRule.FORBIDDEN, lambda key: _Plain(), "test"))

        module.hb_register_authenticators = hb_register_authenticators  # type: ignore[attr-defined]
        if declared:
            module.HB_CONTRACT = declared[0]  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        created.append(module.__name__)
        return EntryPoint(name=name, value=module.__name__, group="hb.plugins")

    yield make
    for module_name in created:
        sys.modules.pop(module_name, None)


def test_a_plugin_built_for_another_major_is_failed_with_the_reason(plugin_built_for) -> None:
    future = plugin_built_for("future", (MAJOR + 1, 0))
    current = plugin_built_for("current", (MAJOR, MINOR))
    plugins = load_plugins(Selection(), available=[future, current])

    record = {r.name: r for r in plugins.records}
    assert record["current"].status == "active"
    assert record["future"].status == "failed"
    assert record["future"].error == (
        f"ContractError: built for hb plugin contract {MAJOR + 1}.0, this hb speaks contract "
        f"{MAJOR}.{MINOR} (a different major version): install a release of the plugin built "
        f"for contract {MAJOR}.x, or an hb that speaks {MAJOR + 1}.x"
    )
    assert sys.modules[future.value].calls == []  # refused before any hook ran
    assert "future" not in plugins.registry.auth_methods
    assert plugins.manager.get_plugin("future") is None


def test_hb_check_names_the_refused_plugin(plugin_built_for) -> None:
    old = plugin_built_for("old", MAJOR - 1)
    [problem] = failed_plugins(load_plugins(Selection(), available=[old]).records)
    assert problem.location.file == "plugins"
    assert problem.problem.startswith(
        f"old (? ?) failed to load: ContractError: built for hb plugin contract {MAJOR - 1}.0"
    )
    assert problem.fix.startswith("install a release of ? built for this hb's plugin contract")


def test_a_plugin_that_declares_nothing_is_taken_as_contract_1(plugin_built_for) -> None:
    plugins = load_plugins(Selection(), available=[plugin_built_for("silent")])
    assert [r.status for r in plugins.records] == ["active" if MAJOR == 1 else "failed"]


def test_a_newer_minor_is_refused_an_older_one_loads(plugin_built_for) -> None:
    newer = plugin_built_for("newer", (MAJOR, MINOR + 1))
    older = plugin_built_for("older", (MAJOR, 0))
    record = {r.name: r for r in load_plugins(Selection(), available=[newer, older]).records}
    assert record["older"].status == "active"
    assert record["newer"].status == "failed"
    assert "upgrade hb-hookspecs and hbcore" in record["newer"].error


@pytest.mark.parametrize("declared", ["1", (1,), (1, "0"), True, 1.0])
def test_a_declaration_that_is_not_a_version_fails_naming_the_attribute(
    plugin_built_for, declared: object
) -> None:
    [record] = load_plugins(Selection(), available=[plugin_built_for("odd", declared)]).records
    assert record.status == "failed"
    assert record.error.startswith(f"ContractError: HB_CONTRACT = {declared!r} is not a contract")


def test_every_installed_plugin_declares_the_contract_it_is_built_for() -> None:
    from hbcore.plugins import installed_entry_points

    for ep in installed_entry_points():
        module = ep.load()
        assert hasattr(module, "HB_CONTRACT"), f"{ep.name} declares no HB_CONTRACT"
        assert contract_refusal(declared_contract(module)) is None, ep.name


def test_hb_start_and_hb_check_refuse_an_installed_plugin_of_another_major(
    tmp_path: Path,
) -> None:
    """The whole path: a distribution built for the next major, installed by pip; neither
    ``hb check`` nor ``hb start`` goes on, and both name the plugin and the reason."""
    source = tmp_path / "hb-ra-future"
    package = source / "src" / "hb_ra_future"
    package.mkdir(parents=True)
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "hb-ra-future"\nversion = "9.0.0"\n'
        '[project.entry-points."hb.plugins"]\nra-future = "hb_ra_future"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/hb_ra_future"]\n'
    )
    (package / "__init__.py").write_text(f"HB_CONTRACT = ({MAJOR + 1}, 0)\n")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(site), str(source)],
        check=True, timeout=120,
    )  # fmt: skip
    config = tmp_path / "ha.d"
    shutil.copytree(SEED, config)
    (config / "authkeys").chmod(0o600)
    environment = {**os.environ, "PYTHONPATH": str(site)}
    reason = "ra-future (hb-ra-future 9.0.0) failed to load: ContractError: built for hb plugin "
    reason += f"contract {MAJOR + 1}.0"
    hb = Path(sys.executable).parent / "hb"
    for command in (["check"], ["start", "--foreground"]):
        ran = subprocess.run(
            [hb, *command, "-c", str(config), "--node-name", "linuxha1"],
            env=environment, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert ran.returncode == 1, (command, ran.stdout, ran.stderr)
        assert reason in ran.stdout + ran.stderr, (command, ran.stdout, ran.stderr)

"""Commands from plugins (``hb_register_commands``): each has its owner, a taken name and a
broken plugin are warned about and skipped, and the rest of hb goes on."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint

import click
import pytest
from hb_hookspecs import CliCommand, hookimpl
from hbcore.cli import plugin_commands as module
from hbcore.cli.plugin_commands import load_command, plugin_commands
from hbcore.plugins import PluginSet, Selection, load_plugins
from hbcore.registry import Owned

Register = Callable[[CliCommand], None]


@click.command("hello")
def hello() -> None:
    """Greet."""


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Install fake plugins (name -> their ``hb_register_commands``) as the selected set."""
    created: list[str] = []

    def install(**registrations: Callable[[Register], None]) -> None:
        available = []
        for name, function in registrations.items():
            module_name = f"hb_test_commands_{name}"
            plugin = types.ModuleType(module_name)
            plugin.hb_register_commands = hookimpl(function)  # type: ignore[attr-defined]
            sys.modules[module_name] = plugin
            created.append(module_name)
            available.append(EntryPoint(name=name, value=module_name, group="hb.plugins"))
        plugin_set = load_plugins(Selection(), available=available)

        def selected(_plugins: str | None, _disables: tuple[str, ...]) -> PluginSet:
            return plugin_set

        monkeypatch.setattr(module, "load_selected", selected)

    yield install
    for module_name in created:
        sys.modules.pop(module_name, None)


def test_each_command_is_kept_with_the_plugin_that_registered_it(installed) -> None:
    installed(
        alpha=lambda register: register(CliCommand("hello", f"{__name__}:hello", "Greet.")),
        beta=lambda register: register(CliCommand("bye", "elsewhere:bye", "Leave.")),
    )
    found = plugin_commands(None, (), reserved={"status"})
    assert {name: owned.owner for name, owned in found.items()} == {"hello": "alpha", "bye": "beta"}
    assert load_command(found["hello"]) is hello


def test_a_taken_name_is_ignored_with_a_warning_naming_both(installed, capsys) -> None:
    def alpha(register: Register) -> None:
        register(CliCommand("status", "alpha_cli:status", "Not hb's."))
        register(CliCommand("hello", "alpha_cli:hello", "Greet."))

    installed(
        alpha=alpha,
        beta=lambda register: register(CliCommand("hello", "beta_cli:hello", "Greet too.")),
    )
    found = plugin_commands(None, (), reserved={"status"})
    assert {name: owned.item.target for name, owned in found.items()} == {
        "hello": "alpha_cli:hello"
    }
    assert capsys.readouterr().err.splitlines() == [
        "hb: plugin alpha: command 'status' ignored, hbcore has it",
        "hb: plugin beta: command 'hello' ignored, plugin alpha has it",
    ]


@pytest.mark.parametrize(
    ("registration", "error"),
    [
        (lambda register: 1 / 0, "ZeroDivisionError: division by zero"),
        (
            lambda register: register("hello"),
            "TypeError: hb_register_commands registered 'hello', not a CliCommand",
        ),
    ],
)
def test_a_plugin_whose_registration_fails_loses_its_own_commands_only(
    installed, capsys, registration: Callable[[Register], None], error: str
) -> None:
    installed(
        alpha=lambda register: register(CliCommand("hello", "alpha_cli:hello", "Greet.")),
        broken=registration,
    )
    assert list(plugin_commands(None, (), reserved=())) == ["hello"]
    assert capsys.readouterr().err == f"hb: plugin broken adds no command: {error}\n"


def test_a_target_that_is_not_a_click_command_names_its_plugin() -> None:
    registered = Owned(CliCommand("x", f"{__name__}:Register", "X."), "alpha")
    with pytest.raises(click.ClickException, match=r"plugin alpha: .*:Register is not a click"):
        load_command(registered)
    missing = Owned(CliCommand("x", "hb_no_such_module:x", "X."), "alpha")
    with pytest.raises(click.ClickException, match="plugin alpha: command 'x' cannot be loaded"):
        load_command(missing)


def test_a_target_must_name_a_module_and_an_attribute() -> None:
    with pytest.raises(ValueError, match="'hb_lab' is not 'module:attribute'"):
        CliCommand("lab", "hb_lab", "Run the lab.")

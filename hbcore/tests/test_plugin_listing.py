"""``hb plugins list`` shows what each plugin provides, the commands it adds included, and
``hb --help`` lists the commands of the selection wherever ``-p`` is written."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint

import pytest
from click.testing import CliRunner
from hb_hookspecs import CliCommand, Directive, hookimpl
from hb_hookspecs.arguments import boolean
from hbcore.cli.main import cli
from hbcore.plugins import Selection, load_plugins

# select_for_group exports the selection: restore the variables after each invocation
_CLEAN = {"HB_PLUGINS": None, "HB_DISABLE_PLUGINS": None}


@pytest.fixture
def commanding_plugin() -> Iterator[Callable[[Callable[..., None]], EntryPoint]]:
    """A plugin registering a directive and, through ``commands``, its hb commands."""
    module = types.ModuleType("hb_test_listing_plugin")

    def make(commands: Callable[..., None]) -> EntryPoint:
        @hookimpl
        def hb_register_directives(register: Callable[[Directive], None]) -> None:
            register(Directive("frobnicate", boolean, "test directive"))

        module.hb_register_directives = hb_register_directives  # type: ignore[attr-defined]
        module.hb_register_commands = hookimpl(commands)  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        return EntryPoint(name="commanding", value=module.__name__, group="hb.plugins")

    yield make
    sys.modules.pop(module.__name__, None)


def test_provides_lists_the_commands_a_plugin_adds_after_its_registrations(
    commanding_plugin,
) -> None:
    def commands(register: Callable[[CliCommand], None]) -> None:
        register(CliCommand("hello", "somewhere:hello", "Greet."))
        register(CliCommand("bye", "somewhere:bye", "Leave."))

    [record] = load_plugins(Selection(), available=[commanding_plugin(commands)]).records
    assert record.provides == ("directive:frobnicate", "command:hello", "command:bye")
    assert "hb_register_commands" in record.hooks


def test_a_plugin_whose_commands_fail_still_lists_what_it_registered(commanding_plugin) -> None:
    def commands(register: Callable[[CliCommand], None]) -> None:
        raise RuntimeError("no commands today")

    [record] = load_plugins(Selection(), available=[commanding_plugin(commands)]).records
    assert (record.status, record.provides) == ("active", ("directive:frobnicate",))


def test_hb_plugins_list_shows_the_lab_commands() -> None:
    result = CliRunner().invoke(cli, ["plugins", "list", "--json"], env=_CLEAN)
    lab = next(p for p in json.loads(result.stdout) if p["name"] == "lab")
    assert lab["provides"] == ["command:lab", "command:demo"]
    table = CliRunner().invoke(cli, ["plugins", "list"], env=_CLEAN).stdout
    [row] = [line for line in table.splitlines() if "hb-lab" in line]
    assert "command:lab, command:demo" in row


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help", "-p", "no:lab"],
        ["-p", "no:lab", "--help"],
        ["--help", "--plugins", "auth-sha1"],
    ],
)
def test_help_lists_no_command_of_a_plugin_left_out_wherever_the_option_is(
    arguments: list[str],
) -> None:
    result = CliRunner().invoke(cli, arguments, env=_CLEAN)
    assert result.exit_code == 0, result.output
    commands = result.stdout.split("Commands:")[1]
    assert "  status " in commands
    assert "  lab " not in commands and "  demo " not in commands


def test_help_lists_the_lab_commands_when_the_lab_is_selected() -> None:
    commands = CliRunner().invoke(cli, ["--help"], env=_CLEAN).stdout.split("Commands:")[1]
    assert "  lab " in commands and "  demo " in commands

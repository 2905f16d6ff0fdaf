"""Loading the three files together, with the cross-file and host checks."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

from config_helpers import MINIMAL, plugin_set, write_config
from hb_hookspecs import ResourceAgent, ResourceContext, hookimpl
from hbcore.config.configuration import load_configuration
from hbcore.config.problems import Problem, Severity


def _lines(problems: Iterable[Problem], severity: Severity) -> list[str]:
    return [f"{p.location}: {p.problem}" for p in problems if p.severity is severity]


class _Agent:
    name = "fake"

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def status(self) -> bool:
        return False

    def describe(self) -> str:
        return "fake"


class _HandlesEverything:
    seen: list[ResourceContext]

    def __init__(self) -> None:
        self.seen = []

    @hookimpl
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        self.seen.append(context)
        return _Agent()


def test_a_valid_directory(tmp_path: Path) -> None:
    config = load_configuration(write_config(tmp_path), plugin_set(), node_name="Alpha")
    assert config.node_name == "alpha"
    assert config.errors(strict=True) == []
    assert config.hacf.nodes == ("alpha", "beta")
    assert config.haresources is not None and config.haresources.groups == ()
    assert config.authkeys is not None and config.authkeys.outbound.value == 1


def test_problems_of_every_file_are_reported_in_file_order(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        hacf=MINIMAL + "undport 694\n",
        haresources="lisa httpd\n",
        authkeys="auth 2\n1 crc\n",
    )
    config = load_configuration(tmp_path, plugin_set(_HandlesEverything()), node_name="alpha")
    assert [str(p.location) for p in config.errors(strict=False)] == [
        "ha.cf:5",
        "haresources:1",
        "authkeys:1",
    ]


def test_haresources_is_not_read_when_crm_is_on(tmp_path: Path) -> None:
    write_config(tmp_path, hacf=MINIMAL + "crm respawn\n", haresources=None)
    config = load_configuration(tmp_path, plugin_set(), node_name="alpha")
    assert config.haresources is None
    [error] = config.errors(strict=False)
    assert "hb manages haresources itself" in error.problem


def test_a_missing_haresources_is_an_error(tmp_path: Path) -> None:
    write_config(tmp_path, haresources=None)
    config = load_configuration(tmp_path, plugin_set(), node_name="alpha")
    assert [p.problem.split(" ")[0] for p in config.errors(strict=False)] == ["Cannot"]


def test_a_world_readable_authkeys_is_an_error(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "authkeys").chmod(0o644)
    config = load_configuration(tmp_path, plugin_set(), node_name="alpha")
    assert config.authkeys is None
    assert "Bad permissions" in config.errors(strict=False)[0].problem


def test_the_local_node_must_be_listed(tmp_path: Path) -> None:
    config = load_configuration(write_config(tmp_path), plugin_set(), node_name="gamma")
    assert config.errors(strict=False) == []
    assert _lines(config.problems, Severity.HOST) == [
        "ha.cf: Current node [gamma] not in configuration!"
    ]
    assert len(config.errors(strict=True)) == 1


def test_the_local_node_comes_from_nodeinfo(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "nodeinfo").write_text("BETA\n")
    assert load_configuration(tmp_path, plugin_set()).node_name == "beta"


def test_respawn_user_and_program_are_host_facts(tmp_path: Path) -> None:
    program = tmp_path / "helper"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o644)
    hacf = (
        MINIMAL
        + f"respawn no-such-user-here {program}\n"
        + "failfast root /no/such/program\n"
        + f"respawn root {program}\n"
    )
    config = load_configuration(write_config(tmp_path, hacf=hacf), plugin_set(), "alpha")
    assert _lines(config.problems, Severity.HOST) == [
        "ha.cf:5: Invalid uid [no-such-user-here] specified for client child",
        f"ha.cf:5: Client child command [{program}] is not executable",
        "ha.cf:6: Client child command [/no/such/program] is not executable",
        f"ha.cf:7: Client child command [{program}] is not executable",
    ]
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    config = load_configuration(tmp_path, plugin_set(), "alpha")
    assert len(_lines(config.problems, Severity.HOST)) == 2


def test_a_respawned_ipfail_turns_on_the_built_in_one_wherever_its_path(tmp_path: Path) -> None:
    hacf = MINIMAL + "respawn root /usr/lib/heartbeat/ipfail\n"
    config = load_configuration(write_config(tmp_path, hacf=hacf), plugin_set(), "alpha")
    assert _lines(config.problems, Severity.HOST) == []
    assert "ha.cf:5: ipfail is built into hb: /usr/lib/heartbeat/ipfail is not run" in _lines(
        config.problems, Severity.WARNING
    )


def test_a_respawned_ipfail_still_needs_its_user(tmp_path: Path) -> None:
    hacf = MINIMAL + "respawn no-such-user-here /usr/lib/heartbeat/ipfail\n"
    config = load_configuration(write_config(tmp_path, hacf=hacf), plugin_set(), "alpha")
    assert _lines(config.problems, Severity.HOST) == [
        "ha.cf:5: Invalid uid [no-such-user-here] specified for client child"
    ]


def test_unhandled_resources_are_errors_naming_the_distribution(tmp_path: Path) -> None:
    """The files ask for something this node cannot do: an error, not a host fact."""
    write_config(tmp_path, haresources="alpha 192.168.85.3/27 IPaddr2::10.0.0.1 maid::vacuum\n")
    config = load_configuration(tmp_path, plugin_set(), "alpha")
    unhandled = [p for p in config.problems if "no installed plugin" in p.problem]
    assert [(p.severity, p.problem) for p in unhandled] == [
        (
            Severity.ERROR,
            f"no installed plugin handles resource {token}: it needs the plugin "
            f"{distribution}, which is not installed",
        )
        for token, distribution in [
            ("192.168.85.3/27", "hb-ra-ipaddr"),
            ("IPaddr2::10.0.0.1", "hb-ra-ipaddr"),
            ("maid::vacuum", "hb-ra-script"),
        ]
    ]
    assert "pip install hb-ra-ipaddr" in unhandled[0].fix
    assert "pip install hb-ra-ipaddr" in unhandled[1].fix
    assert "pip install hb-ra-script" in unhandled[2].fix
    assert f"{tmp_path / 'resource.d'} or /etc/init.d" in unhandled[2].fix
    assert config.errors(strict=False) == unhandled


def test_resources_are_resolved_by_the_plugins(tmp_path: Path) -> None:
    resolver = _HandlesEverything()
    write_config(tmp_path, haresources="alpha 10.0.0.1 httpd\n")
    config = load_configuration(tmp_path, plugin_set(resolver), "alpha")
    assert config.problems == ()
    assert [(c.settings.node_name, c.config_dir, c.environment) for c in resolver.seen] == [
        ("alpha", tmp_path, {})
    ] * 2
    assert resolver.seen[0].settings.given["node"] == ("alpha", "beta")

"""The host-check contract of a directive (``Directive.check_host``): the core calls a plugin's
check on every value in force, with the whole ha.cf as ``Settings``, and shows what it returns at
the value's line; a check that raises becomes an error naming its plugin, and the others still
run. The core knows nothing of what the check looks at."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_helpers import MINIMAL, plugin_set, write_config
from hb_hookspecs import Directive, Form, HostProblem, Repeat, Settings
from hb_hookspecs.arguments import integer
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.problems import PLUGIN_BUG_FIX, Severity
from hbcore.plugins import PluginRecord, PluginSet
from hbcore.registry import Owned

CARRIER = PluginRecord("media-pigeon", "hb-media-pigeon", "1.0", "active")


class _Loft:
    """A third-party check: a pigeon must be in the loft; one that is ill flies anyway."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Settings]] = []

    def __call__(self, pigeon: str, settings: Settings) -> list[HostProblem]:
        self.seen.append((pigeon, settings))
        if pigeon.startswith("lost"):
            return [HostProblem(f"pigeon {pigeon} is not in the loft", "bring it home")]
        if pigeon.startswith("ill"):
            return [HostProblem(f"pigeon {pigeon} is ill", "it flies anyway", warning=True)]
        return []


def _raises(value: int, settings: Settings) -> list[HostProblem]:
    raise RuntimeError(f"the loft of {value} burnt down")


def _plugins(*directives: Directive) -> PluginSet:
    plugins = plugin_set()
    plugins.records = [CARRIER]
    for directive in directives:
        plugins.registry.directives[directive.name] = Owned(directive, CARRIER.name)
    return plugins


def _load(tmp_path: Path, lines: str, plugins: PluginSet, catch: bool = True) -> Configuration:
    write_config(tmp_path, hacf=MINIMAL + lines)
    return load_configuration(tmp_path, plugins, "alpha", catch_bugs=catch)


def _shown(config: Configuration) -> list[tuple[str, Severity, str]]:
    """The problems of ha.cf (the minimal haresources has a warning of its own)."""
    return [
        (str(p.location), p.severity, f"{p.problem}; {p.fix}")
        for p in config.problems
        if p.location.file == "ha.cf"
    ]


def test_a_third_party_check_is_called_with_each_value_and_the_settings(tmp_path: Path) -> None:
    loft = _Loft()
    pigeon = Directive("pigeon", str, "pigeon NAME...", repeat=Repeat.ACCUMULATE, check_host=loft)

    config = _load(tmp_path, "pigeon homer lost1\npigeon ill2\n", _plugins(pigeon))

    assert [value for value, _ in loft.seen] == ["homer", "lost1", "ill2"]
    settings = loft.seen[0][1]
    assert (settings.node_name, settings.config_dir) == ("alpha", tmp_path)
    assert settings.values(pigeon) == ("homer", "lost1", "ill2")
    assert _shown(config) == [
        ("ha.cf:5", Severity.HOST, "pigeon lost1 is not in the loft; bring it home"),
        ("ha.cf:6", Severity.WARNING, "pigeon ill2 is ill; it flies anyway"),
    ]
    assert [str(p.location) for p in config.errors(strict=True)] == ["ha.cf:5"]
    assert config.errors(strict=False) == []


def test_a_single_valued_directive_is_checked_on_the_value_in_force_only(tmp_path: Path) -> None:
    loft = _Loft()
    home = Directive("home", str, "home NAME", Form.WHOLE_LINE, check_host=loft)

    config = _load(tmp_path, "home lost\nhome found\n", _plugins(home))

    assert [value for value, _ in loft.seen] == ["found"]
    assert _shown(config) == []


def test_a_check_that_raises_is_an_error_naming_the_plugin_and_the_others_still_run(
    tmp_path: Path,
) -> None:
    burning = Directive(
        "loft", integer(1), "loft NUMBER", repeat=Repeat.ACCUMULATE, check_host=_raises
    )
    loft = _Loft()
    pigeon = Directive("pigeon", str, "pigeon NAME...", repeat=Repeat.ACCUMULATE, check_host=loft)

    config = _load(tmp_path, "loft 1 2\npigeon lost3\n", _plugins(burning, pigeon))

    errors = config.errors(strict=False)
    assert [(str(p.location), p.fix) for p in errors] == [("ha.cf:5", PLUGIN_BUG_FIX)] * 2
    assert errors[0].problem.startswith(
        "checking this in plugin media-pigeon (hb-media-pigeon) failed with RuntimeError at "
        "config/test_directive_host_checks.py:"
    )
    assert errors[0].problem.endswith(": the loft of 1 burnt down")
    assert "that plugin" in errors[0].fix and "report it to its authors" in errors[0].fix
    assert [value for value, _ in loft.seen] == ["lost3"]
    assert ("ha.cf:6", Severity.HOST) in [(str(p.location), p.severity) for p in config.problems]


def test_a_check_that_returns_no_problems_list_is_its_plugins_bug(tmp_path: Path) -> None:
    sloppy = Directive("sloppy", str, "sloppy X", check_host=lambda value, settings: None)  # type: ignore[arg-type,return-value]

    [error] = _load(tmp_path, "sloppy x\n", _plugins(sloppy)).errors(strict=False)

    assert error.problem.startswith("checking this in plugin media-pigeon (hb-media-pigeon)")


def test_without_the_net_a_raising_check_passes_through(tmp_path: Path) -> None:
    burning = Directive("loft", integer(1), "loft NUMBER", check_host=_raises)
    with pytest.raises(RuntimeError, match="burnt down"):
        _load(tmp_path, "loft 1\n", _plugins(burning), catch=False)


def test_a_directive_without_a_check_is_not_looked_at(tmp_path: Path) -> None:
    quiet = Directive("quiet", str, "quiet X", repeat=Repeat.ACCUMULATE)
    assert _shown(_load(tmp_path, "quiet lost\n", _plugins(quiet))) == []

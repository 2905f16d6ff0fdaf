"""The plugins the files need: a plugin that failed to load is an error; a resource no loaded
plugin handles is an error saying why (failed, disabled, not installed); what a plugin finds
missing here is a host fact, unless the name is a near miss of an installed agent: a typo, with
"did you mean"."""

from __future__ import annotations

from pathlib import Path

from config_helpers import plugin_set, write_config
from hb_hookspecs import HostError, ResourceAgent, ResourceAgentType, ResourceContext, hookimpl
from hbcore.config.configuration import load_configuration
from hbcore.config.plugin_checks import absent_plugin, failed_plugins
from hbcore.config.problems import Severity
from hbcore.plugins import PluginRecord, PluginSet
from hbcore.registry import Owned

IPADDR = PluginRecord("ra-ipaddr", "hb-ra-ipaddr", "0.1.0", "active")
SCRIPT = PluginRecord("ra-script", "hb-ra-script", "0.1.0", "active")
BROKEN = PluginRecord(
    "ra-ipaddr", "hb-ra-ipaddr", "0.1.0", "failed", "ImportError: libnet.so.9: cannot open"
)


class _FindsNoScript:
    """Stands in for hb-ra-script on a machine without the script: it takes every token and
    finds its script missing."""

    @hookimpl
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        script = token.split("::")[0]
        raise HostError(f"Cannot locate resource script {script}", "install it here")


class _DeclinesAll:
    """Stands in for a script plugin that is not loaded: no token is taken."""

    @hookimpl
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        return None


def _plugins(*records: PluginRecord) -> PluginSet:
    """A plugin set whose records are ``records``, the active ones providing their agents."""
    plugins = plugin_set(_FindsNoScript() if SCRIPT in records else _DeclinesAll())
    plugins.records = list(records)
    active = {record.name for record in records if record.status == "active"}
    for name, owner in (("IPaddr", "ra-ipaddr"), ("IPaddr2", "ra-ipaddr"), ("script", "ra-script")):
        if owner in active:
            plugins.registry.resource_agents[name] = Owned(ResourceAgentType(name, name), owner)
    return plugins


def _problems(tmp_path: Path, haresources: str, plugins: PluginSet) -> list[tuple[Severity, str]]:
    write_config(tmp_path, haresources=haresources)
    config = load_configuration(tmp_path, plugins, "alpha")
    return [(problem.severity, f"{problem.location}: {problem.problem}; {problem.fix}")
            for problem in config.problems]  # fmt: skip


def test_a_plugin_that_failed_to_load_is_an_error_with_its_error(tmp_path: Path) -> None:
    [problem] = failed_plugins([BROKEN, SCRIPT])
    assert problem.severity is Severity.ERROR
    assert problem.render() == (
        "plugins: ra-ipaddr (hb-ra-ipaddr 0.1.0) failed to load: ImportError: libnet.so.9: "
        "cannot open; repair or reinstall it (pip install --force-reinstall hb-ra-ipaddr), or "
        "deselect it with -p no:ra-ipaddr (HB_DISABLE_PLUGINS=ra-ipaddr)"
    )
    found = _problems(tmp_path, "alpha 10.0.0.1\n", _plugins(BROKEN, SCRIPT))
    assert [severity for severity, _ in found] == [Severity.ERROR, Severity.ERROR]
    assert found[0][1].startswith("plugins: ra-ipaddr (hb-ra-ipaddr 0.1.0) failed to load")
    assert found[1][1].startswith(
        "haresources:1: no installed plugin handles resource 10.0.0.1: it needs the plugin "
        "ra-ipaddr (hb-ra-ipaddr), which failed to load: ImportError: libnet.so.9: cannot open; "
        "repair or reinstall it"
    )


def test_why_a_plugin_provides_nothing() -> None:
    disabled = PluginRecord("ra-script", "hb-ra-script", "0.1.0", "disabled")
    assert absent_plugin("hb-ra-script", [disabled]) == (
        "ra-script (hb-ra-script), which is disabled",
        "enable it: drop -p no:ra-script (and its HB_DISABLE_PLUGINS entry), or add it to "
        "--plugins (HB_PLUGINS)",
    )
    why, fix = absent_plugin("hb-ra-script", [IPADDR])
    assert why == "hb-ra-script, which is not installed"
    assert fix.startswith("pip install hb-ra-script")
    assert absent_plugin("hb-ra-ipaddr", [IPADDR])[0] == (
        "ra-ipaddr (hb-ra-ipaddr), which is loaded but declined it"
    )


def test_a_resource_of_a_disabled_plugin_is_an_error(tmp_path: Path) -> None:
    disabled = PluginRecord("ra-script", "hb-ra-script", "0.1.0", "disabled")
    [(severity, text)] = _problems(tmp_path, "alpha httpd\n", _plugins(IPADDR, disabled))
    assert severity is Severity.ERROR
    assert text.startswith(
        "haresources:1: no installed plugin handles resource httpd: it needs the plugin "
        "ra-script (hb-ra-script), which is disabled; enable it: drop -p no:ra-script"
    )
    where = f"{tmp_path / 'resource.d'} or /etc/init.d"
    assert text.endswith(f"; it runs the script httpd from {where}")


def test_a_typo_of_an_installed_agent_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    found = _problems(
        tmp_path, "alpha IPadr::10.0.0.1 ipaddr2::10.0.0.2\n", _plugins(IPADDR, SCRIPT)
    )
    assert found == [
        (
            Severity.ERROR,
            "haresources:1: Cannot locate resource script IPadr; did you mean IPaddr?",
        ),
        (
            Severity.ERROR,
            "haresources:1: Cannot locate resource script ipaddr2; did you mean IPaddr2?",
        ),
    ]


def test_what_the_plugin_finds_missing_far_from_any_name_stays_a_host_fact(
    tmp_path: Path,
) -> None:
    [(severity, text)] = _problems(tmp_path, "alpha maid::vacuum\n", _plugins(IPADDR, SCRIPT))
    assert severity is Severity.HOST
    assert text == "haresources:1: Cannot locate resource script maid; install it here"


def test_the_script_plugins_own_entry_is_no_suggestion(tmp_path: Path) -> None:
    [(severity, text)] = _problems(tmp_path, "alpha scripts\n", _plugins(IPADDR, SCRIPT))
    assert severity is Severity.HOST
    assert "did you mean" not in text


def test_an_address_agent_found_only_as_a_missing_script_needs_its_plugin(tmp_path: Path) -> None:
    """Without hb-ra-ipaddr only the script lookup takes ``IPaddr2::...``: the file needs the
    plugin, which is what hb says, not that no IPaddr2 script is installed."""
    [(severity, text)] = _problems(tmp_path, "alpha IPaddr2::10.0.0.1\n", _plugins(SCRIPT))
    assert severity is Severity.ERROR
    assert text.startswith(
        "haresources:1: no installed plugin handles resource IPaddr2::10.0.0.1: it needs the "
        "plugin hb-ra-ipaddr, which is not installed"
    )


def test_an_ocf_or_systemd_token_without_its_contrib_plugin_names_that_plugin(
    tmp_path: Path,
) -> None:
    """``ocf:...`` and ``systemd:...`` belong to hb-ra-ocf and hb-ra-systemd: without them the
    script lookup's "cannot locate" would send the operator looking for a script."""
    for token, distribution in (
        ("ocf:heartbeat:Dummy::state=/run/d", "hb-ra-ocf"),
        ("systemd:nginx", "hb-ra-systemd"),
    ):
        [(severity, text)] = _problems(tmp_path, f"alpha {token}\n", _plugins(IPADDR, SCRIPT))
        assert severity is Severity.ERROR
        assert f"it needs the plugin {distribution}, which is not installed; " in text
        assert f"pip install {distribution}" in text

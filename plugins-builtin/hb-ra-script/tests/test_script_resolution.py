"""Which script a haresources token runs: resource.d first, then init.d, never an address
shorthand, and nothing is run while looking; a script that is not here is a fact of the host,
with heartbeat's words and the script it may be a typo of."""

from __future__ import annotations

from pathlib import Path

import hb_ra_script
import pluggy
import pytest
from hb_hookspecs import (
    PROJECT_NAME,
    ArgumentError,
    HbHookSpecs,
    HostError,
    ResourceAgentType,
    ResourceContext,
    Settings,
    hookimpl,
)
from hb_ra_script import hb_register_resource_agents
from hb_ra_script.lookup import Style, locate
from ra_script_helpers import Host


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host.make(tmp_path)


def test_the_resource_d_script_wins_over_the_init_script_of_the_same_name(host: Host) -> None:
    host.script(host.resource_dir, "httpd", "echo heartbeat")
    host.script(host.init_dir, "httpd", "echo lsb")
    agent = host.agent("httpd")
    assert (agent.path, agent.style) == (host.resource_dir / "httpd", Style.HEARTBEAT)


def test_a_script_only_in_init_d_is_an_lsb_init_script(host: Host) -> None:
    host.script(host.init_dir, "smb", "exit 0")
    agent = host.agent("smb")
    assert (agent.path, agent.style) == (host.init_dir / "smb", Style.LSB)
    assert agent.describe() == f"{host.init_dir / 'smb'} (LSB init script)"


def test_a_missing_script_is_a_host_error_saying_where_it_was_looked_for(host: Host) -> None:
    where = f"{host.resource_dir} or {host.init_dir}"
    with pytest.raises(HostError) as raised:
        host.resolve("maid::vacuum")
    assert (raised.value.problem, raised.value.fix) == (
        "Cannot locate resource script maid",
        f"install it as an executable file in {where}",
    )


def test_a_near_miss_of_a_script_here_is_suggested(host: Host) -> None:
    host.script(host.resource_dir, "httpd", "exit 0")
    with pytest.raises(HostError) as raised:
        host.resolve("htpd")
    assert raised.value.fix == (
        f"did you mean httpd? otherwise install it as an executable file in {host.resource_dir} "
        f"or {host.init_dir}"
    )
    with pytest.raises(HostError, match="did you mean httpd"):
        host.resolve("HTTPD")


def test_without_script_dirs_the_search_is_heartbeats(tmp_path: Path) -> None:
    context = ResourceContext(Settings("linuxha1", tmp_path, {}), {})
    with pytest.raises(HostError) as raised:
        hb_ra_script.hb_resolve_resource("httpd", context)
    assert raised.value.fix.endswith(f"in {tmp_path / 'resource.d'} or /etc/init.d")


def test_only_regular_executable_files_count(host: Host) -> None:
    host.script(host.resource_dir, "httpd", "exit 0", mode=0o644)
    (host.resource_dir / "smb").mkdir()
    host.script(host.init_dir, "httpd", "exit 0")
    assert host.agent("httpd").path == host.init_dir / "httpd"
    with pytest.raises(HostError, match="Cannot locate resource script smb"):
        host.resolve("smb")


def test_the_seed_form_maid_vacuum_passes_one_argument(host: Host) -> None:
    host.script(host.resource_dir, "maid", "exit 0")
    agent = host.agent("maid::vacuum")
    assert (agent.name, agent.args) == ("maid::vacuum", ("vacuum",))
    assert agent.describe() == f"{host.resource_dir / 'maid'} vacuum (heartbeat script)"


def test_arguments_are_split_on_double_colons_and_empty_ones_dropped(host: Host) -> None:
    host.script(host.resource_dir, "Filesystem", "exit 0")
    agent = host.agent("Filesystem::/dev/sda1::/data1::ext2")
    assert agent.args == ("/dev/sda1", "/data1", "ext2")
    assert host.agent("Filesystem::::/dev/sda1::").args == ("/dev/sda1",)


@pytest.mark.parametrize("token", ["192.168.85.3", "10.0.0.10/24/eth0/10.0.0.255", "1.2.3.4"])
def test_an_address_shorthand_is_left_to_ra_ipaddr_even_with_a_script_of_that_name(
    host: Host, token: str
) -> None:
    host.script(host.resource_dir, "IPaddr", "exit 0")
    host.script(host.resource_dir, token.split("/")[0], "exit 0")
    assert host.resolve(token) is None


def test_ipaddr_with_its_script_in_resource_d_is_a_fallback_script(host: Host) -> None:
    host.script(host.resource_dir, "IPaddr", "exit 0")
    assert host.agent("IPaddr::192.168.85.3/27").args == ("192.168.85.3/27",)


def test_a_script_name_with_a_slash_is_rejected_at_its_line(host: Host) -> None:
    with pytest.raises(ArgumentError, match="contains '/'"):
        host.resolve("../../bin/true::x")


def test_resolving_runs_nothing(host: Host, tmp_path: Path) -> None:
    witness = tmp_path / "ran"
    host.script(host.resource_dir, "httpd", f"touch {witness}")
    host.script(host.init_dir, "smb", f"touch {witness}")
    assert host.resolve("httpd") is not None
    assert host.resolve("smb::start") is not None
    assert not witness.exists()


def test_registers_the_script_agent_type() -> None:
    registered: list[ResourceAgentType] = []
    hb_register_resource_agents(registered.append)
    assert [agent.name for agent in registered] == ["script"]


class _IpaddrFirst:
    """Stands in for hb-ra-ipaddr: tryfirst, takes IPaddr:: tokens."""

    @hookimpl(tryfirst=True)
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> object | None:
        return "ipaddr agent" if token.startswith("IPaddr::") else None


def test_the_script_lookup_is_asked_last(host: Host) -> None:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(HbHookSpecs)
    manager.register(hb_ra_script)
    manager.register(_IpaddrFirst())
    host.script(host.resource_dir, "IPaddr", "exit 0")
    host.script(host.resource_dir, "httpd", "exit 0")
    resolve = manager.hook.hb_resolve_resource
    assert resolve(token="IPaddr::10.0.0.1", context=host.context) == "ipaddr agent"
    assert resolve(token="httpd", context=host.context).path == host.resource_dir / "httpd"
    with pytest.raises(HostError):
        resolve(token="nothere", context=host.context)


@pytest.mark.parametrize("script", ["s" * 256, "é" * 128, "ht\0tpd"])
def test_a_script_name_that_cannot_be_a_file_name_is_an_error(host: Host, script: str) -> None:
    with pytest.raises(ArgumentError, match="cannot be a file name"):
        host.resolve(script + "::start")


def test_a_script_name_of_255_bytes_is_looked_for(host: Host) -> None:
    with pytest.raises(HostError, match=r"Cannot locate resource script s{255}; "):
        host.resolve("s" * 255)


def test_a_directory_that_cannot_be_looked_at_holds_no_script(tmp_path: Path) -> None:
    directories = (str(tmp_path / ("d" * 300)), str(tmp_path / "x\0y"))
    settings = Settings("linuxha1", tmp_path, {"script_dirs": directories})
    assert locate("httpd", settings) is None
    with pytest.raises(HostError, match="Cannot locate resource script httpd"):
        hb_ra_script.hb_resolve_resource("httpd", ResourceContext(settings, {}))

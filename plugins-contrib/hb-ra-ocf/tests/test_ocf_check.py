"""``hb check`` knows the OCF agents from their meta-data: a misspelt or missing parameter is an
error at the token's haresources line, with the agent's own parameters; a misspelt agent is an
error; an agent, instance file or meta-data missing here is a fact of this host (a warning)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hbcore.cli.main import cli
from ocf_helpers import REAL_ROOT, FakeRoot

pytestmark = pytest.mark.skipif(
    not (REAL_ROOT / "resource.d/heartbeat/IPaddr2").exists(),
    reason="needs Debian's resource-agents (/usr/lib/ocf)",
)
IPADDR2_PARAMETERS = "(parameters: ip, nic, cidr_netmask, broadcast, iflabel, "


def _check(config_dir: Path, haresources: str, *options: str) -> Result:
    config_dir.mkdir(exist_ok=True)
    (config_dir / "ha.cf").write_text("bcast lo\nauto_failback on\nnode linuxha1 linuxha2\n")
    (config_dir / "haresources").write_text(haresources)
    (config_dir / "authkeys").write_text("auth 1\n1 sha1 secret\n")
    (config_dir / "authkeys").chmod(0o600)
    return CliRunner().invoke(
        cli, ["check", *options, "-c", str(config_dir), "--node-name", "linuxha1"]
    )


def _lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("haresources:")]


def test_a_misspelt_parameter_is_an_error_suggesting_the_agents_own(tmp_path: Path) -> None:
    token = "ocf:heartbeat:IPaddr2::ip=10.0.0.5::cidr_netmak=24"
    result = _check(tmp_path / "ha.d", f"linuxha1 {token}\n")
    assert result.exit_code == 1
    [line] = _lines(result)
    assert line.startswith(
        f"haresources:1: {token}: unknown parameter 'cidr_netmak'; did you mean 'cidr_netmask'? "
        + IPADDR2_PARAMETERS
    )
    assert line.endswith(", network_namespace)")


def test_a_missing_required_parameter_is_an_error_saying_how_to_add_it(tmp_path: Path) -> None:
    result = _check(
        tmp_path / "ha.d", "linuxha1 ocf:heartbeat:Dummy\nlinuxha1 ocf:heartbeat:IPaddr2::nic=lo\n"
    )
    assert result.exit_code == 1
    [line] = _lines(result)
    assert line.startswith(
        "haresources:2: ocf:heartbeat:IPaddr2::nic=lo: missing required parameter 'ip'; "
        "add ::ip=VALUE " + IPADDR2_PARAMETERS
    )


def test_a_misspelt_agent_is_an_error_and_an_absent_one_a_fact_of_this_host(
    tmp_path: Path,
) -> None:
    haresources = "linuxha1 ocf:heartbeat:Dumy\nlinuxha2 ocf:heartbeat:Zookeeper9\n"
    result = _check(tmp_path / "ha.d", haresources)
    assert result.exit_code == 1
    assert _lines(result) == [
        "haresources:1: ocf:heartbeat:Dumy: unknown OCF agent ocf:heartbeat:Dumy; "
        "did you mean ocf:heartbeat:Dummy?",
        "haresources:2: warning: OCF agent ocf:heartbeat:Zookeeper9 is not installed "
        f"(no executable {REAL_ROOT}/resource.d/heartbeat/Zookeeper9); install the package "
        "that provides it (Debian: apt-get install resource-agents)",
    ]
    absent_only = _check(tmp_path / "ha.d", "linuxha2 ocf:heartbeat:Zookeeper9\n")
    assert absent_only.exit_code == 0
    assert _check(tmp_path / "ha.d", "linuxha2 ocf:heartbeat:Zookeeper9\n", "--strict").exit_code


def test_an_ocf_wrapper_token_is_checked_against_its_instance_file(tmp_path: Path) -> None:
    config_dir = tmp_path / "ha.d"
    instance = config_dir / "conf" / "OCF" / "IPaddr2" / "vip"
    instance.parent.mkdir(parents=True)
    instance.write_text("OCF_RESKEY_ip=10.0.0.5\nOCF_RESKEY_cidr_netmak=24\n")
    result = _check(config_dir, "linuxha1 OCF::IPaddr2::vip\nlinuxha1 OCF::Dummy::gone\n")
    assert result.exit_code == 1
    assert _lines(result)[0].startswith(
        "haresources:1: OCF::IPaddr2::vip: unknown parameter 'cidr_netmak'; "
        "did you mean 'cidr_netmask'?"
    )
    assert _lines(result)[1] == (
        f"haresources:2: warning: OCF instance file {config_dir}/conf/OCF/Dummy/gone does not "
        "exist; create it: one NAME=value line per parameter (OCF_RESKEY_ip=10.0.0.1), as "
        "heartbeat's OCF wrapper reads it"
    )
    instance.write_text("OCF_RESKEY_ip=10.0.0.5\n")
    assert _lines(_check(config_dir, "linuxha1 OCF::IPaddr2::vip\n")) == []


def test_a_well_formed_configuration_of_real_agents_passes(tmp_path: Path) -> None:
    haresources = (
        "linuxha1 ocf:heartbeat:IPaddr2::ip=10.0.0.5::cidr_netmask=24::start-timeout=40s "
        f"ocf:heartbeat:Dummy::state={tmp_path}/d.state\n"
    )
    result = _check(tmp_path / "ha.d", haresources, "--strict")
    assert (result.exit_code, _lines(result)) == (0, [])


def test_meta_data_that_is_not_xml_is_a_fact_of_this_host_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeRoot.make(tmp_path, metadata="usage: Recorder {start|stop}\n")
    monkeypatch.setenv("OCF_ROOT", str(fake.root))
    monkeypatch.setenv("HBTEST_DIR", str(fake.state))
    result = _check(fake.config_dir, "linuxha1 ocf:hbtest:Recorder::path=/x\n")
    assert result.exit_code == 0
    assert _lines(result) == [
        "haresources:1: warning: ocf:hbtest:Recorder: meta-data is not well-formed XML: syntax "
        "error: line 1, column 0; repair or reinstall the agent: without its meta-data hb can "
        "check no parameter"
    ]

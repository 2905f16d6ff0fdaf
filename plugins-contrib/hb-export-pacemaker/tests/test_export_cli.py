"""``hb export pacemaker`` and ``hb export corosync`` as a user runs them, and any haresources
line hb check accepts exporting to a CIB Pacemaker accepts."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from export_helpers import SEED, Source, crm_verify, load, pacemaker_objections
from hb_export_pacemaker.cib_xml import cib_xml
from hb_export_pacemaker.corosync import corosync_conf
from hb_export_pacemaker.crm import crm_configuration
from hb_export_pacemaker.pcs import pcs_script
from hb_export_pacemaker.plan import plan
from hbcore.cli.main import cli
from hypothesis import event, given
from hypothesis import strategies as st

SEED_SOURCE = Source("seed", SEED / "ha.d")


def _hb(*arguments: str) -> Result:
    return CliRunner().invoke(cli, list(arguments))


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return SEED_SOURCE.prepare(tmp_path)


def test_hb_lists_export_without_importing_it() -> None:
    listing = (
        "import sys\nfrom hbcore.cli.main import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('hb_export_pacemaker')))\n"
    )
    listed = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, timeout=60
    )
    assert "  export " in listed.stdout
    assert "Write the configuration for Pacemaker and Corosync." in listed.stdout
    assert listed.stdout.endswith("['hb_export_pacemaker']\n")  # the hooks, not the command


def test_the_default_is_a_cib_and_what_is_left_out_goes_to_stderr_too(seed: Path) -> None:
    exported = _hb("export", "pacemaker", "-c", str(seed))
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    primitive = '<primitive id="ip-192.168.85.3" class="ocf" provider="heartbeat" type="IPaddr2"'
    assert primitive in exported.stdout
    assert "<status />" in exported.stdout
    assert exported.stderr == (
        "hb export: ha.cf:12: watchdog: Pacemaker's is sbd (apt-get install sbd; "
        "SBD_WATCHDOG_DEV), not the CIB\n"
    )


def test_with_status_every_node_is_online(seed: Path) -> None:
    exported = _hb("export", "pacemaker", "-c", str(seed), "--with-status").stdout
    assert exported.count('crmd="online"') == 2
    assert "for crm_simulate only" in exported


def test_pcs_commands_build_the_same_configuration_in_a_file_and_push_it(seed: Path) -> None:
    script = _hb("export", "pacemaker", "-c", str(seed), "--format", "pcs").stdout
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert commands == [
        "set -e",
        "pcs cluster cib hb-cib.xml",
        "pcs -f hb-cib.xml property set stonith-enabled=false",
        "pcs -f hb-cib.xml property set no-quorum-policy=ignore",
        "pcs -f hb-cib.xml resource defaults update resource-stickiness=0",
        "pcs -f hb-cib.xml resource create ip-192.168.85.3 ocf:heartbeat:IPaddr2 ip=192.168.85.3 "
        "op monitor interval=10s timeout=20s --group group-ip-192.168.85.3",
        "pcs -f hb-cib.xml resource create httpd lsb:httpd op monitor interval=10s timeout=20s "
        "--group group-ip-192.168.85.3",
        "pcs -f hb-cib.xml resource create smb lsb:smb op monitor interval=10s timeout=20s "
        "--group group-ip-192.168.85.3",
        "pcs -f hb-cib.xml constraint location group-ip-192.168.85.3 prefers linuxha1=100",
        "pcs -f hb-cib.xml resource create ping ocf:pacemaker:ping host_list=192.168.85.254 "
        "name=pingd multiplier=1000 op monitor interval=10s timeout=60s clone",
        "pcs -f hb-cib.xml constraint location group-ip-192.168.85.3 rule "
        "score-attribute=pingd defined pingd",
        "pcs -f hb-cib.xml resource create ping-uplinks ocf:pacemaker:ping "
        "'host_list=192.168.85.253 192.168.85.254' name=pingd-uplinks multiplier=1 "
        "op monitor interval=10s timeout=60s clone",
        "pcs -f hb-cib.xml constraint location group-ip-192.168.85.3 rule score=1000 "
        "pingd-uplinks gt 0",
        "pcs cluster cib-push hb-cib.xml --config",
    ]


def test_an_ocf_tokens_timeouts_become_operations_in_both_formats(seed: Path) -> None:
    (seed / "haresources").write_text(
        "linuxha1 ocf:heartbeat:Dummy::state=/run/d::start-timeout=90s::monitor-timeout=30s\n"
    )
    cib = _hb("export", "pacemaker", "-c", str(seed)).stdout
    assert (
        '<op id="Dummy-monitor-interval-10s" name="monitor" interval="10s" timeout="30s" />' in cib
    )
    assert '<op id="Dummy-start-interval-0s" name="start" interval="0s" timeout="90s" />' in cib
    script = _hb("export", "pacemaker", "-c", str(seed), "--format", "pcs").stdout
    assert (
        "pcs -f hb-cib.xml resource create Dummy ocf:heartbeat:Dummy state=/run/d "
        "op monitor interval=10s timeout=30s start interval=0s timeout=90s "
        "--group group-Dummy\n"
    ) in script


def test_a_configuration_with_errors_exports_nothing(seed: Path) -> None:
    (seed / "haresources").write_text("nobody 10.0.0.1\n")
    refused = _hb("export", "pacemaker", "-c", str(seed))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("haresources:1: Bad nodename in haresources [nobody]; ")
    assert refused.stderr.endswith(f"hb export: {seed}: 1 error(s); nothing exported\n")
    assert refused.stdout == ""


def test_a_bug_of_the_exporter_is_one_line_and_no_output(
    seed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hb_export_pacemaker.plan

    def broken(config: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(hb_export_pacemaker.plan, "plan", broken)
    failed = _hb("export", "pacemaker", "-c", str(seed))
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert failed.stderr == (
        f"Error: cannot export {seed}: KeyError: 'surprise'; this is a bug of "
        "hb-export-pacemaker: please report it with the configuration\n"
    )


def test_corosync_names_the_serial_cable_it_cannot_carry(seed: Path) -> None:
    exported = _hb("export", "corosync", "-c", str(seed))
    assert exported.exit_code == 0, exported.output
    assert "transport: knet" in exported.stdout
    assert "two_node: 1" in exported.stdout
    assert "token: 30000" in exported.stdout
    assert "        ring0_addr: linuxha1\n" in exported.stdout
    assert exported.stderr == (
        "hb export: serial /dev/ttyS0 (ha.cf:10): Corosync has no serial transport\n"
    )


def test_heartbeat_carrying_pacemaker_gets_a_corosync_conf_but_no_cib(seed: Path) -> None:
    with (seed / "ha.cf").open("a") as hacf:
        hacf.write("crm respawn\n")
    assert _hb("export", "pacemaker", "-c", str(seed)).exit_code == 1
    exported = _hb("export", "corosync", "-c", str(seed))
    assert exported.exit_code == 0, exported.output
    assert "# crm/pacemaker is on: Pacemaker keeps its CIB" in exported.stdout


def test_corosync_needs_node_lines(seed: Path) -> None:
    hacf = seed / "ha.cf"
    hacf.write_text(
        "".join(line for line in hacf.read_text().splitlines(True) if "node" not in line)
        + "autojoin any\ncrm yes\n"
    )
    refused = _hb("export", "corosync", "-c", str(seed))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("ha.cf: ha.cf names no node (autojoin)")
    assert "1 error(s); nothing exported" in refused.stderr


def test_corosync_takes_each_nodes_addresses(seed: Path) -> None:
    exported = _hb(
        "export", "corosync", "-c", str(seed),
        "--node-address", "linuxha1=10.0.1.1", "--node-address", "LinuxHA2=10.0.1.2",
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert "        ring0_addr: 10.0.1.1\n" in exported.stdout
    assert "        ring0_addr: 10.0.1.2\n" in exported.stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("nobody=10.0.0.1", "'nobody' is not a node of ha.cf (linuxha1, linuxha2)"),
        ("linuxha1=10.0.0.1,10.0.0.2", "linuxha1: 2 addresses for 1 heartbeat interface(s)"),
        ("linuxha1", "'linuxha1' is not NODE=ADDR[,ADDR...]"),
    ],
)
def test_a_wrong_node_address_is_a_usage_error(seed: Path, option: str, message: str) -> None:
    refused = _hb("export", "corosync", "-c", str(seed), "--node-address", option)
    assert refused.exit_code == 2
    assert message in refused.output


_WORD = st.text(
    st.sampled_from("abcXYZ019./:=-_@,\u00e9\x01\udce9"), min_size=1, max_size=12
).filter(lambda word: "\\" not in word)
_TOKEN = st.one_of(
    _WORD,
    st.builds("::".join, st.lists(_WORD, min_size=2, max_size=4)),
    st.builds(lambda word: f"ocf:heartbeat:{word}", _WORD),
    st.builds(lambda word: f"systemd:{word}", _WORD),
    st.builds(lambda word: f"10.0.0.{word}", _WORD),
    st.sampled_from(
        ["10.0.0.5/24/eth0", "Filesystem::/dev/sdb::/srv", "OCF::Dummy::x", "drbddisk::r0", "--"]
    ),
)


@pytest.mark.fuzz
@given(tokens=st.lists(_TOKEN, min_size=1, max_size=6))
def test_any_haresources_line_hb_check_accepts_exports_a_cib_pacemaker_accepts(
    tokens: list[str],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        config_dir = SEED_SOURCE.prepare(Path(directory))
        line = "linuxha2 " + " ".join(tokens) + "\n"
        (config_dir / "haresources").write_bytes(line.encode("utf-8", "surrogateescape"))
        config = load(config_dir, "linuxha1")
        if config.errors(strict=False):
            event("refused, as hb check refuses it")
            return
        event("exported")
        exported = plan(config)
        pcs_script(exported, "fuzz").encode()
        crm_configuration(exported, "fuzz").encode()
        cib = Path(directory) / "cib.xml"
        cib.write_text(cib_xml(exported, "fuzz"), encoding="utf-8")
        verified = crm_verify(cib)
        assert (verified.returncode, verified.stdout + verified.stderr) == (0, ""), line


_NAME = st.text(st.sampled_from("abz09._-:@\u00e9\x01"), min_size=1, max_size=10)
_HACF_LINE = st.one_of(
    st.builds("node {}".format, _NAME),
    st.builds("ping {}".format, _NAME),
    st.builds("ping_group {} {} {}".format, _NAME, _NAME, _NAME),
    st.builds("ucast {} {}".format, _NAME, _NAME),
    st.builds("mcast {} 239.0.0.{} 694 1 0".format, _NAME, st.integers(0, 300)),
    st.builds("bcast {} {}".format, _NAME, _NAME),
    st.builds("stonith_host * {} {}".format, _NAME, _NAME),
    st.builds("resource_monitor {} group {}".format, st.integers(0, 99), _NAME),
    st.builds("respawn hacluster /usr/lib/heartbeat/{}".format, st.sampled_from(["ipfail", "x"])),
    st.sampled_from(["auto_failback on", "auto_failback off", "cluster {}", "udpport 5405"]),
)


@pytest.mark.fuzz
@given(lines=st.lists(_HACF_LINE, min_size=1, max_size=5))
def test_any_ha_cf_hb_check_accepts_exports_a_cib_pacemaker_accepts(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        config_dir = SEED_SOURCE.prepare(Path(directory))
        with (config_dir / "ha.cf").open("ab") as hacf:
            hacf.write("".join(f"{line}\n" for line in lines).encode("utf-8", "surrogateescape"))
        config = load(config_dir, "linuxha1")
        if config.errors(strict=False):
            event("refused, as hb check refuses it")
            return
        event("exported")
        exported = plan(config)
        pcs_script(exported, "fuzz").encode()
        crm_configuration(exported, "fuzz").encode()
        corosync_conf(config, "fuzz", {}).encode()
        cib = Path(directory) / "cib.xml"
        cib.write_text(cib_xml(exported, "fuzz"), encoding="utf-8")
        assert pacemaker_objections(exported, cib) == [], lines

"""The exports, checked by Pacemaker's and Corosync's own tools (Debian's pacemaker-cli-utils
and corosync).

- ``crm_verify -x`` accepts the CIB of every fixture, and of every real-world set that
  ``hb check`` accepts (the others are refused by ``hb export`` as by ``hb check``);
- ``crm_simulate -s`` on that CIB with both nodes online starts every group on the node
  haresources prefers;
- the failback and ipfail mappings do in Pacemaker what heartbeat did: a group running on the
  other node stays there with ``auto_failback off`` and comes back with ``on``; the node that
  reaches the ping nodes gets the group;
- ``corosync -t`` accepts the exported corosync.conf.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_helpers import (
    SEED,
    Source,
    corpus_sources,
    crm_simulate,
    crm_verify,
    export,
    fixture_sources,
    load,
    pacemaker_objections,
    placements,
    set_node_attribute,
    write_cib,
)
from hb_export_pacemaker.corosync import blocking_errors, corosync_conf, links
from hb_export_pacemaker.plan import Plan
from hbcore.cli.main import cli
from hbcore.config.configuration import Configuration

FIXTURES = fixture_sources()
CORPUS = corpus_sources()
COROSYNC = "/usr/sbin/corosync"


def _exported(source: Source, tmp_path: Path) -> tuple[Plan, Path]:
    config_dir = source.prepare(tmp_path)
    exported = export(config_dir, source.node_name)
    return exported, write_cib(exported, tmp_path / "cib.xml", with_status=True)


def _assert_groups_start_where_haresources_prefers(exported: Plan, cib: Path) -> None:
    """Each group's resources start on its node, and its DRBD resources are promoted there."""
    simulated = crm_simulate(cib)
    placed = placements(simulated)
    for group in exported.groups:
        for member in group.members:
            assert placed.get(member.id) == ("Start", group.node), (group.line, simulated)
        for promoted in group.promoted:
            promotions = [
                line.split() for line in simulated.splitlines() if line.startswith("Promote ")
            ]
            assert [
                words[-2]
                for words in promotions
                if words[1].partition(":")[0] == promoted.member.id
            ] == [group.node], (group.line, simulated)


@pytest.mark.parametrize("source", FIXTURES, ids=lambda source: source.name)
def test_crm_verify_accepts_the_export_of_every_fixture(source: Source, tmp_path: Path) -> None:
    exported, cib = _exported(source, tmp_path)
    verified = crm_verify(cib)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    _assert_groups_start_where_haresources_prefers(exported, cib)


@pytest.mark.parametrize("source", CORPUS, ids=lambda source: source.name)
def test_every_real_world_set_hb_check_accepts_exports_and_verifies(
    source: Source, tmp_path: Path
) -> None:
    config_dir = source.prepare(tmp_path)
    checked = load(config_dir, source.node_name)
    if checked.errors(strict=False):
        refused = CliRunner().invoke(cli, ["export", "pacemaker", "-c", str(config_dir)])
        assert refused.exit_code == 1
        assert "nothing exported" in refused.output
        return
    exported, cib = _exported(source, tmp_path / "export")
    verified = crm_verify(cib)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    _assert_groups_start_where_haresources_prefers(exported, cib)


def test_most_real_world_sets_export_and_the_rest_are_refused_as_hb_check_refuses(
    tmp_path: Path,
) -> None:
    accepted = [
        source.name
        for source in CORPUS
        if not load(source.prepare(tmp_path / source.name), source.node_name).errors(False)
    ]
    # 03, 04, 08 (a haresources node not in ha.cf), 05 (a bad log facility) and the six that
    # ask for Pacemaker (crm/pacemaker on) are refused; the other 15 export.
    assert len(accepted) == 15, accepted


def test_with_stonith_configured_crm_verify_asks_only_for_the_fence_device(
    tmp_path: Path,
) -> None:
    config_dir = Source("seed", SEED / "ha.d").prepare(tmp_path)
    with (config_dir / "ha.cf").open("a") as hacf:
        hacf.write("stonith_host * external/ipmi linuxha1 10.0.9.1 admin secret lanplus\n")
    exported = export(config_dir, "linuxha1")
    cib = write_cib(exported, tmp_path / "cib.xml")
    assert crm_verify(cib).returncode != 0
    assert pacemaker_objections(exported, cib) == []


def _failback_cib(tmp_path: Path, auto_failback: str) -> tuple[Path, list[str]]:
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir()
    (config_dir / "ha.cf").write_text(
        f"node alpha\nnode beta\nbcast eth1\nauto_failback {auto_failback}\n"
    )
    (config_dir / "haresources").write_text("alpha 10.0.0.10/24/eth0 httpd smb\n")
    (config_dir / "authkeys").write_text("auth 1\n1 crc\n")
    (config_dir / "authkeys").chmod(0o600)
    exported = export(config_dir)
    members = [member.id for member in exported.groups[0].members]
    return write_cib(exported, tmp_path / "cib.xml", with_status=True), members


def _running_on_beta(members: list[str]) -> list[str]:
    """crm_simulate options saying the group runs on beta (its probes found it there)."""
    injected = []
    for member in members:
        injected += ["-i", f"{member}_monitor_0@beta=0", "-i", f"{member}_monitor_0@alpha=7"]
    return injected


def test_auto_failback_off_leaves_a_group_where_it_runs(tmp_path: Path) -> None:
    cib, members = _failback_cib(tmp_path, "off")
    placed = placements(crm_simulate(cib, *_running_on_beta(members)))
    assert {placed[member][1] for member in members} == {"beta"}
    assert not [member for member in members if placed[member][0] == "Move"]


@pytest.mark.parametrize("auto_failback", ["on", "legacy"])
def test_auto_failback_on_brings_a_group_back_to_its_node(
    tmp_path: Path, auto_failback: str
) -> None:
    cib, members = _failback_cib(tmp_path, auto_failback)
    placed = placements(crm_simulate(cib, *_running_on_beta(members)))
    assert [placed[member] for member in members] == [("Move", "alpha")] * len(members)


@pytest.mark.parametrize("attribute", ["pingd", "pingd-uplinks"])
def test_with_ipfail_the_node_that_reaches_the_ping_nodes_gets_the_group(
    tmp_path: Path, attribute: str
) -> None:
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir()
    (config_dir / "ha.cf").write_text(
        "node alpha\nnode beta\nbcast eth1\nauto_failback off\nping 10.0.0.254\n"
        "ping_group uplinks 10.0.0.253 10.0.0.252\nrespawn hacluster /usr/lib/heartbeat/ipfail\n"
    )
    (config_dir / "haresources").write_text("alpha 10.0.0.10/24/eth0 httpd smb\n")
    (config_dir / "authkeys").write_text("auth 1\n1 crc\n")
    (config_dir / "authkeys").chmod(0o600)
    exported = export(config_dir)
    cib = write_cib(exported, tmp_path / "cib.xml", with_status=True)
    reached = "1" if attribute != "pingd" else str(exported.ping_weight)
    set_node_attribute(cib, "2", attribute, reached)  # beta reaches it, alpha does not
    placed = placements(crm_simulate(cib))
    assert {placed[member.id] for member in exported.groups[0].members} == {("Start", "beta")}


def _assert_corosync_accepts_the_export(config: Configuration, tmp_path: Path) -> None:
    found, _ = links(config)
    # corosync -t wants the first node to be this machine (127.0.0.1 on link 0), and the
    # key the file asks for.
    addresses = {
        node: tuple(
            "127.0.0.1" if (number, link.number) == (1, 0) else f"10.{number}.{link.number}.1"
            for link in found
        )
        for number, node in enumerate(config.hacf.nodes, start=1)
    }
    key = tmp_path / "authkey"
    key.write_bytes(os.urandom(128))
    key.chmod(0o600)
    text = corosync_conf(config, "test", addresses)
    conf = tmp_path / "corosync.conf"
    conf.write_text(text.replace("totem {\n", f"totem {{\n    keyfile: {key}\n", 1))
    tested = subprocess.run([COROSYNC, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.parametrize("source", [*FIXTURES, *CORPUS], ids=lambda source: source.name)
def test_corosync_accepts_the_exported_corosync_conf(source: Source, tmp_path: Path) -> None:
    config = load(source.prepare(tmp_path), source.node_name)
    if blocking_errors(config):
        refused = CliRunner().invoke(cli, ["export", "corosync", "-c", str(config.config_dir)])
        assert (refused.exit_code, refused.stdout) == (1, "")
        return
    _assert_corosync_accepts_the_export(config, tmp_path)


def test_the_corosync_conf_of_heartbeat_carrying_pacemaker_exports_too(tmp_path: Path) -> None:
    exported = [
        source.name[:2]
        for source in CORPUS
        if not blocking_errors(load(source.prepare(tmp_path / source.name), source.node_name))
    ]
    # The 15 hb check accepts, and 06, 12, 20, 25 (crm or pacemaker on); 09 and 21 ask for
    # Pacemaker too, but 09 names no node (autojoin any) and 21 has no heartbeat path.
    assert exported == [
        "01", "02", "06", "07", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19",
        "20", "22", "23", "24", "25",
    ]  # fmt: skip

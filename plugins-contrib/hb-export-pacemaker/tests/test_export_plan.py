"""The cluster-wide mapping: failback, ipfail, quorum, fencing, ids, and what is left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_helpers import export
from hb_export_pacemaker.plan import PREFERENCE, STICKY, Monitoring, Plan

TWO_NODES = "node alpha\nnode beta\nbcast eth1\n"


def _plan(tmp_path: Path, hacf: str, haresources: str = "alpha 10.0.0.10 httpd\n") -> Plan:
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir()
    (config_dir / "ha.cf").write_text(hacf)
    (config_dir / "haresources").write_text(haresources)
    (config_dir / "authkeys").write_text("auth 1\n1 crc\n")
    (config_dir / "authkeys").chmod(0o600)
    return export(config_dir)


@pytest.mark.parametrize(
    ("line", "stickiness"), [("auto_failback on\n", 0), ("", 0), ("auto_failback off\n", STICKY)]
)
def test_auto_failback_is_resource_stickiness(tmp_path: Path, line: str, stickiness: int) -> None:
    exported = _plan(tmp_path, TWO_NODES + line)
    assert exported.stickiness == stickiness
    assert STICKY > PREFERENCE  # off: even a one-resource group stays where it runs


def test_two_nodes_ignore_quorum_and_run_without_fencing(tmp_path: Path) -> None:
    exported = _plan(tmp_path, TWO_NODES)
    assert {p.name: p.value for p in exported.properties} == {
        "stonith-enabled": "false",
        "no-quorum-policy": "ignore",
    }


def test_three_nodes_keep_pacemakers_quorum_policy(tmp_path: Path) -> None:
    exported = _plan(tmp_path, "node a\nnode b\nnode c\nbcast eth1\n", "a httpd\n")
    assert {p.name: p.value for p in exported.properties} == {"stonith-enabled": "false"}
    assert exported.nodes == ("a", "b", "c")


def test_configured_stonith_turns_fencing_on_and_names_the_devices_to_create(
    tmp_path: Path,
) -> None:
    exported = _plan(tmp_path, TWO_NODES + "stonith_host * external/ipmi alpha 10.0.9.1 admin pw\n")
    assert {p.name: p.value for p in exported.properties}["stonith-enabled"] == "true"
    assert [str(note) for note in exported.notes] == [
        "ha.cf:4: STONITH 'stonith_host * external/ipmi alpha 10.0.9.1 admin pw': create the "
        "fence device by hand (pcs stonith create NAME AGENT ...), its parameters named"
    ]


def test_ping_nodes_without_ipfail_export_nothing(tmp_path: Path) -> None:
    exported = _plan(tmp_path, TWO_NODES + "auto_failback on\nping 10.0.0.254\n")
    assert exported.pings == ()


def test_ipfail_makes_one_ping_set_for_the_hosts_and_one_per_ping_group(tmp_path: Path) -> None:
    exported = _plan(
        tmp_path,
        TWO_NODES
        + "auto_failback on\nping 10.0.0.254\nping 10.0.0.253\nping_group up 10.0.1.1 10.0.1.2\n"
        "respawn hacluster /usr/lib/heartbeat/ipfail\n",
    )
    assert [(p.id, p.attribute, p.hosts, p.any_member) for p in exported.pings] == [
        ("ping", "pingd", ("10.0.0.254", "10.0.0.253"), False),
        ("ping-up", "pingd-up", ("10.0.1.1", "10.0.1.2"), True),
    ]


def test_ipfail_does_not_run_in_legacy_mode_so_nothing_is_exported_for_it(tmp_path: Path) -> None:
    exported = _plan(
        tmp_path, TWO_NODES + "ping 10.0.0.254\nrespawn hacluster /usr/lib/heartbeat/ipfail\n"
    )
    assert exported.pings == ()
    assert "ipfail does not run with auto_failback legacy" in str(exported.notes[0])


def test_the_ping_weight_beats_preference_and_stickiness_of_the_largest_group(
    tmp_path: Path,
) -> None:
    scripts = " ".join(f"s{number}" for number in range(7))
    exported = _plan(tmp_path, TWO_NODES + "auto_failback off\n", f"alpha {scripts}\n")
    assert exported.ping_weight > PREFERENCE + 7 * STICKY
    assert exported.ping_weight % 1000 == 0


def test_ids_are_unique_and_valid_when_a_script_repeats(tmp_path: Path) -> None:
    exported = _plan(
        tmp_path,
        TWO_NODES,
        "alpha 10.0.0.10 httpd\nbeta IPaddr2::10.0.0.10/24 httpd 1st::x\n",
    )
    ids = [member.id for group in exported.groups for member in group.members]
    assert ids == ["ip-10.0.0.10", "httpd", "ip-10.0.0.10-2", "httpd-2", "r-1st"]
    assert [group.id for group in exported.groups] == [
        "group-ip-10.0.0.10",
        "group-ip-10.0.0.10-2",
    ]


def test_a_groups_resources_keep_the_line_order_and_its_node(tmp_path: Path) -> None:
    exported = _plan(tmp_path, TWO_NODES, "BETA 10.0.0.10 httpd smb\n")
    (group,) = exported.groups
    assert group.node == "beta"
    assert [member.id for member in group.members] == ["ip-10.0.0.10", "httpd", "smb"]


def test_what_has_no_counterpart_is_named(tmp_path: Path) -> None:
    exported = _plan(
        tmp_path,
        TWO_NODES + "respawn hacluster /usr/lib/heartbeat/dopd\n",
        "alpha IProute::10.0.0.1\n",
    )
    notes = [str(note) for note in exported.all_notes]
    assert notes[0].startswith("ha.cf:4: respawn 'hacluster /usr/lib/heartbeat/dopd'")
    assert notes[1].startswith("haresources:1: IProute::10.0.0.1: Pacemaker passes no arguments")


def test_drbd_leaves_the_group_for_a_promotable_clone_the_group_follows(tmp_path: Path) -> None:
    exported = _plan(
        tmp_path,
        TWO_NODES,
        "beta drbddisk::r0 Filesystem::/dev/drbd0::/srv::ext4 mysql\nalpha drbddisk::r1\n",
    )
    first, alone = exported.groups
    assert [member.id for member in first.members] == ["Filesystem", "mysql"]
    assert [(p.member.id, p.clone_id) for p in first.promoted] == [("drbd-r0", "drbd-r0-clone")]
    assert first.id == "group-drbd-r0"
    assert (alone.members, [p.member.id for p in alone.promoted]) == ((), ["drbd-r1"])


def test_resource_monitor_sets_the_monitor_and_the_failure_handling_of_its_group(
    tmp_path: Path,
) -> None:
    exported = _plan(
        tmp_path,
        TWO_NODES + "auto_failback on\nresource_monitor 500ms failures 4 window 60 group httpd\n",
        "alpha 10.0.0.10 smb\nbeta httpd\n",
    )
    assert [group.monitoring for group in exported.groups] == [
        Monitoring(),
        Monitoring("500ms", "60s", 4, "60s", "ha.cf:5"),
    ]
    assert Monitoring() == Monitoring("10s", "20s", None, None, None)

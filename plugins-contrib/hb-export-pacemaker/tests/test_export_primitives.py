"""Each haresources token form becomes the Pacemaker primitive heartbeat's own meaning calls for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hb_export_pacemaker.primitives import Primitive, primitive, reskeys
from hbcore.config.haresources import parse_resource
from hbcore.config.problems import Location


def _primitive(token: str, config_dir: Path = Path("/nonexistent"), **kwargs: Path) -> Primitive:
    return primitive(parse_resource(token, Location("haresources", 3)), config_dir, **kwargs)


@pytest.mark.parametrize(
    ("token", "agent", "parameters"),
    [
        ("10.0.0.5", "IPaddr2", {"ip": "10.0.0.5"}),
        ("10.0.0.5/24/eth0", "IPaddr2", {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth0"}),
        (
            "IPaddr::10.0.0.5/255.255.255.0/eth0/10.0.0.255",
            "IPaddr2",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth0", "broadcast": "10.0.0.255"},
        ),
        (
            "IPaddr2::10.0.0.5/24/eth0:web",
            "IPaddr2",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "nic": "eth0", "iflabel": "web"},
        ),
        (
            "10.0.0.5/24/10.0.0.255",
            "IPaddr2",
            {"ip": "10.0.0.5", "cidr_netmask": "24", "broadcast": "10.0.0.255"},
        ),
        ("IPaddr::10.0.30.15//8/eth0", "IPaddr2",
         {"ip": "10.0.30.15", "cidr_netmask": "8", "nic": "eth0"}),
        ("IPaddr2::fd00::5/64/eth0", "IPaddr2",
         {"ip": "fd00::5", "cidr_netmask": "64", "nic": "eth0"}),
        (
            "IPv6addr::fd00::5/64/eth0",
            "IPv6addr",
            {"ipv6addr": "fd00::5", "cidr_netmask": "64", "nic": "eth0"},
        ),
    ],
)  # fmt: skip
def test_an_address_token_is_an_ocf_heartbeat_address_agent_with_named_parameters(
    token: str, agent: str, parameters: dict[str, str]
) -> None:
    exported = _primitive(token)
    assert exported.spec == f"ocf:heartbeat:{agent}"
    assert dict(exported.parameters) == parameters
    assert exported.notes == ()
    assert exported.where == "haresources:3"


def test_a_malformed_address_token_says_so_and_still_exports() -> None:
    exported = _primitive("IPaddr::10.0.0.1//eth0")
    assert exported.spec == "ocf:heartbeat:IPaddr2"
    assert "give ip= by hand" in exported.notes[0]


@pytest.mark.parametrize(
    ("token", "parameters"),
    [
        (
            "Filesystem::/dev/drbd0::/srv::ext4::noatime,nodiratime",
            {"device": "/dev/drbd0", "directory": "/srv", "fstype": "ext4",
             "options": "noatime,nodiratime"},
        ),
        ("MailTo::me@example.com::failover", {"email": "me@example.com", "subject": "failover"}),
        ("MailTo::me@example.com", {"email": "me@example.com"}),
        ("AudibleAlarm::node1::node2", {"nodelist": "node1 node2"}),
        ("WAS::8080", {"port": "8080"}),
        ("WAS::/etc/was.conf", {"config": "/etc/was.conf"}),
        ("SendArp::10.0.0.5/eth0", {"ip": "10.0.0.5", "nic": "eth0"}),
        ("portblock::tcp::80,443::block",
         {"protocol": "tcp", "portno": "80,443", "action": "block"}),
        ("Delay", {}),
    ],
)  # fmt: skip
def test_a_heartbeat_wrapper_is_its_ocf_agent_with_the_arguments_named(
    token: str, parameters: dict[str, str]
) -> None:
    exported = _primitive(token)
    assert exported.spec == f"ocf:heartbeat:{token.split('::')[0]}"
    assert dict(exported.parameters) == parameters
    assert exported.notes == ()


def test_arguments_a_wrapper_does_not_read_are_named_as_dropped() -> None:
    exported = _primitive("IPsrcaddr::10.0.0.5::extra")
    assert dict(exported.parameters) == {"ipaddress": "10.0.0.5"}
    assert exported.notes == (
        "arguments past the 1 the IPsrcaddr wrapper reads are dropped: extra",
    )


def test_an_ocf_token_is_itself_with_its_parameters() -> None:
    exported = _primitive("ocf:heartbeat:Dummy::state=/run/d.state::fake=a=b")
    assert exported.spec == "ocf:heartbeat:Dummy"
    assert exported.parameters == (("state", "/run/d.state"), ("fake", "a=b"))
    assert exported.notes == ()


def test_hb_ra_ocfs_timeouts_are_operation_timeouts_not_parameters() -> None:
    exported = _primitive(
        "ocf:heartbeat:apache::configfile=/etc/a.conf::start-timeout=90s::monitor-timeout=30s"
        "::validate-all-timeout=5s"
    )
    assert exported.parameters == (("configfile", "/etc/a.conf"),)
    assert exported.timeouts == (("start", "90s"), ("monitor", "30s"))
    assert exported.notes == (
        "'validate-all-timeout' is hb's setting, with no Pacemaker counterpart: dropped",
    )


def test_an_ocf_token_drops_what_is_not_name_value_and_says_so() -> None:
    exported = _primitive("ocf:pacemaker:Stateful::loud")
    assert (exported.spec, exported.parameters) == ("ocf:pacemaker:Stateful", ())
    assert exported.notes == ("'loud' is not name=value: dropped",)


def test_a_malformed_ocf_name_is_an_lsb_script_with_a_note() -> None:
    exported = _primitive("ocf:Dummy")
    assert exported.standard == "lsb"
    assert "is not ocf:PROVIDER:AGENT" in exported.notes[0]


def test_heartbeats_ocf_wrapper_reads_its_instance_file_and_finds_the_provider(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "ha.d" / "conf" / "OCF" / "Stateful" / "db"
    instance.parent.mkdir(parents=True)
    instance.write_text(
        '# settings\nOCF_RESKEY_state=/run/db.state\nexport OCF_RESKEY_note="two words"\n'
    )
    root = tmp_path / "ocf"
    for provider in ("heartbeat", "pacemaker"):
        (root / provider).mkdir(parents=True)
    (root / "pacemaker" / "Stateful").write_text("#!/bin/sh\n")
    exported = _primitive("OCF::Stateful::db", tmp_path / "ha.d", ocf_root=root)
    assert exported.spec == "ocf:pacemaker:Stateful"
    assert exported.name == "db"
    assert exported.parameters == (("state", "/run/db.state"), ("note", "two words"))


def test_heartbeats_ocf_wrapper_without_its_instance_file_says_what_to_do(tmp_path: Path) -> None:
    exported = _primitive("OCF::Dummy::gone", tmp_path, ocf_root=tmp_path / "none")
    assert exported.spec == "ocf:heartbeat:Dummy"
    assert "set the parameters by hand" in exported.notes[0]


def test_reskeys_takes_the_last_setting_of_a_name_and_ignores_other_lines() -> None:
    text = "OCF_RESKEY_a=1\nOTHER=2\n  # OCF_RESKEY_b=3\nOCF_RESKEY_a='4'\n"
    assert reskeys(text) == (("a", "4"),)


def test_a_systemd_token_is_a_systemd_resource() -> None:
    exported = _primitive("systemd:nginx.service")
    assert (exported.spec, exported.name) == ("systemd:nginx.service", "nginx")


def test_a_script_is_an_lsb_resource() -> None:
    exported = _primitive("httpd")
    assert (exported.spec, exported.parameters, exported.notes) == ("lsb:httpd", (), ())


def test_a_script_with_arguments_is_lsb_and_says_the_arguments_are_lost() -> None:
    exported = _primitive("IProute::202.102.154.1")
    assert exported.spec == "lsb:IProute"
    assert exported.notes[0].startswith(
        "Pacemaker passes no arguments to an LSB script: '202.102.154.1' is lost"
    )


def test_drbddisk_is_linbits_drbd_agent_to_be_promoted() -> None:
    exported = _primitive("drbddisk::r0")
    assert (exported.spec, exported.name) == ("ocf:linbit:drbd", "drbd-r0")
    assert exported.parameters == (("drbd_resource", "r0"),)
    assert exported.promotable
    assert not _primitive("Filesystem::/dev/drbd0::/srv").promotable


def test_unprintable_characters_are_escaped_with_a_note() -> None:
    exported = _primitive("ocf:heartbeat:Dummy::state=/run/\udce9\x01")
    assert dict(exported.parameters) == {"state": "/run/\\xe9\\x01"}
    assert exported.notes[-1] == "unprintable characters are written escaped: fix the token"

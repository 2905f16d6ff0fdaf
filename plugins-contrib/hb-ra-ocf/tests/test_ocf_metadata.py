"""An agent's meta-data: its parameters and action timeouts are read from the XML the real
agents print; anything else an agent may print gives a one-line reason, never a traceback."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
from hb_ra_ocf.metadata import LIMIT, MetaData, MetaDataError, Parameter, parse_metadata
from hypothesis import given
from hypothesis import strategies as st
from ocf_helpers import REAL_ROOT, RECORDER_METADATA

pytestmark = pytest.mark.skipif(
    not (REAL_ROOT / "resource.d/heartbeat/Dummy").exists(),
    reason="needs Debian's resource-agents (/usr/lib/ocf)",
)


def _real(agent: str) -> bytes:
    env = {**os.environ, "OCF_ROOT": str(REAL_ROOT)}
    path = REAL_ROOT / "resource.d" / "heartbeat" / agent
    return subprocess.run([path, "meta-data"], capture_output=True, env=env, check=True).stdout


def test_the_real_ipaddr2_declares_ip_required_and_twenty_second_actions() -> None:
    metadata = parse_metadata(_real("IPaddr2"))
    assert metadata.required() == ("ip",)
    assert {"nic", "cidr_netmask", "broadcast"} <= set(metadata.parameter_names)
    assert metadata.timeouts["start"] == 20.0
    assert metadata.timeouts["meta-data"] == 5.0
    assert {"start", "stop", "monitor", "validate-all"} <= metadata.actions


def test_the_recorders_times_read_in_their_units() -> None:
    metadata = parse_metadata(RECORDER_METADATA.encode())
    assert metadata == MetaData(
        (Parameter("path", required=True), Parameter("colour")),
        {"start": 42.0, "stop": 7.0, "monitor": 1.5, "validate-all": 5.0, "meta-data": 5.0},
        frozenset({"start", "stop", "monitor", "validate-all", "meta-data"}),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "meta-data is empty"),
        (
            b"usage: Dummy {start|stop}",
            "meta-data is not well-formed XML: syntax error: line 1, column 0",
        ),
        (
            b"<resource-agent><parameters></resource-agent>",
            "meta-data is not well-formed XML: mismatched tag: line 1, column 30",
        ),
        (b"<html/>", "meta-data is a <html> document, not a <resource-agent>"),
        (
            b"<resource-agent><parameters><parameter/></parameters></resource-agent>",
            "meta-data has a <parameter> without a name",
        ),
        (b" " * (LIMIT + 1), f"meta-data is larger than {LIMIT} bytes"),
    ],
)
def test_unusable_meta_data_says_why_in_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(MetaDataError) as raised:
        parse_metadata(data)
    assert str(raised.value) == reason


def test_an_action_timeout_that_is_not_a_time_is_left_to_hbs_default() -> None:
    data = (
        b'<resource-agent><actions><action name="start" timeout="soon"/></actions></resource-agent>'
    )
    metadata = parse_metadata(data)
    assert (metadata.actions, metadata.timeouts) == (frozenset({"start"}), {})


@given(st.binary(max_size=400))
def test_no_bytes_raise_anything_but_a_meta_data_error(data: bytes) -> None:
    try:
        parse_metadata(data)
    except MetaDataError as error:
        assert "\n" not in str(error)


@given(st.binary(max_size=200))
def test_damaged_real_meta_data_gives_a_reason_or_a_value(noise: bytes) -> None:
    real = RECORDER_METADATA.encode()
    cut = len(noise) % len(real)
    with contextlib.suppress(MetaDataError):
        parse_metadata(real[:cut] + noise + real[cut:])


_NAMES = st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True), unique=True, max_size=6)


@given(_NAMES, st.lists(st.booleans(), min_size=6, max_size=6), st.integers(1, 3600))
def test_generated_meta_data_reads_back(
    names: list[str], required: list[bool], timeout: int
) -> None:
    parameters = "".join(
        f'<parameter name="{name}" required="{int(flag)}"/>'
        for name, flag in zip(names, required, strict=False)
    )
    data = (
        f'<?xml version="1.0"?><resource-agent name="x"><parameters>{parameters}</parameters>'
        f'<actions><action name="start" timeout="{timeout}s"/></actions></resource-agent>'
    )
    metadata = parse_metadata(data.encode())
    assert metadata.parameter_names == tuple(names)
    assert metadata.required() == tuple(n for n, flag in zip(names, required, strict=False) if flag)
    assert metadata.timeouts == {"start": float(timeout)}


def test_every_installed_heartbeat_agent_that_answers_meta_data_parses(tmp_path: Path) -> None:
    """The parser against the whole of resource-agents: an agent that prints meta-data at all
    prints something parse_metadata reads."""
    directory = REAL_ROOT / "resource.d" / "heartbeat"
    failures = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        env = {**os.environ, "OCF_ROOT": str(REAL_ROOT), "HA_RSCTMP": str(tmp_path)}
        ran = subprocess.run([path, "meta-data"], capture_output=True, env=env, timeout=30)
        if ran.returncode == 0:
            try:
                parse_metadata(ran.stdout)
            except MetaDataError as error:
                failures.append(f"{path.name}: {error}")
    assert failures == []

"""Which haresources tokens are hb-ra-ocf's, and how they read: ``ocf:PROVIDER:AGENT::name=value``
with hb's ``*-timeout`` settings, heartbeat's ``OCF::TYPE::INSTANCE``; anything else is left to
the other plugins, and no input raises anything but ArgumentError."""

from __future__ import annotations

import pytest
from hb_hookspecs import ArgumentError
from hb_ra_ocf.durations import seconds
from hb_ra_ocf.tokens import OcfToken, WrapperToken, parse_token
from hypothesis import given
from hypothesis import strategies as st


def test_an_ocf_token_names_provider_agent_parameters_and_timeouts() -> None:
    parsed = parse_token("ocf:heartbeat:IPaddr2::ip=10.0.0.5::cidr_netmask=24::start-timeout=1min")
    assert parsed == OcfToken(
        "ocf:heartbeat:IPaddr2::ip=10.0.0.5::cidr_netmask=24::start-timeout=1min",
        "heartbeat",
        "IPaddr2",
        (("ip", "10.0.0.5"), ("cidr_netmask", "24")),
        (("start", 60.0),),
    )
    assert isinstance(parsed, OcfToken)
    assert parsed.kind == "ocf:heartbeat:IPaddr2"
    assert parsed.instance == "IPaddr2_10.0.0.5"


def test_a_value_may_hold_equals_signs_and_colons_and_the_instance_name_stays_file_safe() -> None:
    parsed = parse_token("ocf:heartbeat:anything::cmdline_options=--x=1:2::binfile=/bin/sleep")
    assert isinstance(parsed, OcfToken)
    assert parsed.parameters == (("cmdline_options", "--x=1:2"), ("binfile", "/bin/sleep"))
    assert parsed.instance == "anything_--x_1_2"
    assert parse_token("ocf:pacemaker:Dummy").instance == "Dummy"  # type: ignore[union-attr]


def test_heartbeats_wrapper_form_is_recognised() -> None:
    assert parse_token("OCF::Dummy::db") == WrapperToken("OCF::Dummy::db", "Dummy", "db")


@pytest.mark.parametrize(
    "token", ["httpd", "maid::vacuum", "192.168.85.3", "IPaddr2::10.0.0.1/24", "ocfs2", "Ocf::x"]
)
def test_other_tokens_are_left_to_other_plugins(token: str) -> None:
    assert parse_token(token) is None


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("OCF:heartbeat:Dummy", "'OCF:heartbeat:Dummy': the OCF class is written in lower case"),
        ("ocf:Dummy", "'ocf:Dummy' is not ocf:PROVIDER:AGENT"),
        ("ocf:heartbeat:Dummy:x", "'ocf:heartbeat:Dummy:x' is not ocf:PROVIDER:AGENT"),
        ("ocf:heartbeat:..", "'..' is not an OCF agent"),
        ("ocf:heartbeat:", "'' is not an OCF agent"),
        ("ocf:heartbeat:Dummy::state", "'state' is not name=value"),
        ("ocf:heartbeat:Dummy::9lives=1", "'9lives' is not an OCF parameter name"),
        ("ocf:heartbeat:Dummy::state=a::state=b", "parameter 'state' is given twice"),
        (
            "ocf:heartbeat:Dummy::stop-timout=5",
            "'stop-timout' is not an hb setting of OCF resources",
        ),
        ("ocf:heartbeat:Dummy::stop-timeout=5parsecs", "stop-timeout '5parsecs' is not a time"),
        ("ocf:heartbeat:Dummy::stop-timeout=0", "stop-timeout '0' is not a time"),
        ("OCF::Dummy", "OCF:: takes a resource type and an instance name"),
        ("OCF::Dummy::db::extra", "OCF:: takes a resource type and an instance name"),
        ("OCF::../x::db", "'../x' is not an OCF resource type"),
    ],
)
def test_a_malformed_token_of_ours_says_what_is_wrong(token: str, problem: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_token(token)
    assert raised.value.problem == problem


def test_an_empty_argument_is_dropped_as_heartbeat_drops_it() -> None:
    parsed = parse_token("ocf:heartbeat:Dummy::::state=/x::")
    assert isinstance(parsed, OcfToken)
    assert parsed.parameters == (("state", "/x"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20s", 20.0), ("20", 20.0), ("2min", 120.0), ("500ms", 0.5), ("1h", 3600.0), ("x", None)],
)
def test_times_read_as_pacemaker_reads_them(text: str, expected: float | None) -> None:
    assert seconds(text) == expected


@given(st.text())
def test_no_text_raises_anything_but_an_argument_error(token: str) -> None:
    try:
        parsed = parse_token(token)
    except ArgumentError:
        return
    assert parsed is None or parsed.token == token


_NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True)
_VALUE = st.text(
    st.characters(blacklist_characters=":\0", blacklist_categories=("Cs",)), max_size=20
)


@given(
    st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,15}", fullmatch=True),
    st.dictionaries(_NAME, _VALUE, max_size=5),
)
def test_every_well_formed_token_reads_back_as_written(
    provider: str, agent: str, parameters: dict[str, str]
) -> None:
    token = "::".join([f"ocf:{provider}:{agent}", *(f"{n}={v}" for n, v in parameters.items())])
    parsed = parse_token(token)
    assert isinstance(parsed, OcfToken)
    assert (parsed.provider, parsed.agent, dict(parsed.parameters)) == (
        provider,
        agent,
        parameters,
    )
    assert "/" not in parsed.instance and parsed.instance.isprintable()

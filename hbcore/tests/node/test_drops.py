"""Dropped packets: the first of a kind logged at once, then one count per interval; counts by
reason, per medium and per node."""

from __future__ import annotations

from functools import partial

from hb_hookspecs import AuthMethod, KeyRule
from hbcore.node.drops import (
    BAD_AUTHENTICATION,
    REPLAY,
    DropCounter,
    DropSummary,
    claimed_sender,
    rejection_reason,
)
from hbcore.pluginkit.hmac_auth import HmacAuthenticator
from hbcore.throttle import Suppressed, Throttle
from hbcore.wire import Encoding, Keyring, Message, Rejected, decode, encode

SHA1 = AuthMethod("sha1", KeyRule.REQUIRED, partial(HmacAuthenticator, digest="sha1"), "test")

# -- the throttle ------------------------------------------------------------------------------


def test_the_first_of_a_kind_is_admitted_the_rest_counted_until_the_interval_ends() -> None:
    throttle: Throttle[str] = Throttle(10.0)
    assert throttle.admit("a", 0.0)
    assert not any(throttle.admit("a", t / 10) for t in range(1, 50))
    assert throttle.admit("b", 1.0)  # another kind is not held back
    assert throttle.due(9.9) == []
    assert throttle.due(10.0) == [Suppressed("a", 49, 10.0)]


def test_a_sustained_flood_is_one_summary_per_interval() -> None:
    throttle: Throttle[str] = Throttle(10.0)
    admitted, summaries = 0, []
    for tick in range(6000):  # 60 s, one occurrence every 10 ms
        now = tick / 100
        admitted += throttle.admit("flood", now)
        summaries += throttle.due(now)
    assert admitted == 1
    assert [s.count for s in summaries] == [1000] * 5  # and 999 still counting


def test_a_kind_quiet_for_an_interval_is_admitted_at_once_again() -> None:
    throttle: Throttle[str] = Throttle(10.0)
    throttle.admit("a", 0.0)
    throttle.admit("a", 1.0)
    assert throttle.due(10.0) == [Suppressed("a", 1, 10.0)]
    assert throttle.next_due() == 20.0
    assert throttle.due(20.0) == []  # nothing more came: the kind is closed
    assert throttle.next_due() is None
    assert throttle.admit("a", 21.0)


# -- the counter -------------------------------------------------------------------------------


def test_drops_are_counted_by_reason_per_medium_and_per_node() -> None:
    counter = DropCounter()
    counter.drop(BAD_AUTHENTICATION, "eth1", 0.0)
    counter.drop(BAD_AUTHENTICATION, "eth1", 0.1)
    counter.drop(REPLAY, "eth1", 0.2, node="linuxha2")
    counter.drop(BAD_AUTHENTICATION, "eth0", 0.3, claimed="linuxha2")
    counter.drop("handler error", None, 0.4)
    assert counter.snapshot() == {
        "total": {"bad authentication": 3, "replay": 1, "handler error": 1},
        "media": {
            "eth1": {"bad authentication": 2, "replay": 1},
            "eth0": {"bad authentication": 1},
            "local": {"handler error": 1},
        },
        "nodes": {"linuxha2": {"replay": 1, "bad authentication": 1}},
    }


def test_an_authenticated_drop_is_logged_under_its_node_an_unauthenticated_under_its_medium() -> (
    None
):
    counter = DropCounter(interval_s=10.0)
    assert counter.drop(REPLAY, "eth1", 0.0, node="linuxha2")
    assert not counter.drop(REPLAY, "eth0", 1.0, node="linuxha2")
    assert counter.drop(BAD_AUTHENTICATION, "eth1", 2.0, claimed="linuxha2")
    assert not counter.drop(BAD_AUTHENTICATION, "eth1", 3.0, claimed="linuxha1")
    summaries = counter.due(12.0)
    assert summaries == [
        DropSummary("linuxha2", REPLAY, 1, 12.0),
        DropSummary("eth1", BAD_AUTHENTICATION, 1, 10.0),
    ]


def test_the_summary_line_has_the_documented_form() -> None:
    summary = DropSummary("eth1", "bad authentication", 4999, 10.02)
    assert summary.message == "4999 packets dropped from eth1 in the last 10 s: bad authentication"


def test_a_refused_packet_gives_the_codecs_kind_as_reason() -> None:
    keyring = Keyring(1, {1: (SHA1, b"a")})
    for packet, reason in [
        (b"x" * 300_000, "too big"),
        (b"GET / HTTP/1.0\r\n", "not heartbeat"),
        (b"###\n2:t=", "malformed"),
    ]:
        rejected = decode(packet, keyring, check_inner=False)
        assert isinstance(rejected, Rejected)
        assert rejection_reason(rejected) == reason


def test_the_claimed_sender_of_a_packet_shown_despite_its_authentication() -> None:
    message = Message.of(("t", "status"), ("src", "LinuxHA2"))
    packet = encode(message, Keyring(1, {1: (SHA1, b"a")}), Encoding.NETSTRING)
    shown = decode(packet, Keyring(1, {1: (SHA1, b"b")}), describe=True)
    assert isinstance(shown, Rejected)
    assert rejection_reason(shown) == BAD_AUTHENTICATION
    assert claimed_sender(shown) == "linuxha2"

"""The argument parsers of the core's whole-line and special directives."""

from __future__ import annotations

import pytest
from hb_hookspecs.arguments import ArgumentError
from hbcore.config import core_arguments as args


def test_client_child() -> None:
    child = args.client_child("hacluster /usr/lib/heartbeat/ipfail -p 1")
    assert child == args.ClientChild("hacluster", "/usr/lib/heartbeat/ipfail", ("-p", "1"))


@pytest.mark.parametrize("text", ["hacluster", "hacluster ipfail", ""])
def test_client_child_needs_user_and_absolute_path(text: str) -> None:
    with pytest.raises(ArgumentError):
        args.client_child(text)


def test_api_auth() -> None:
    assert args.api_auth("ipfail gid=haclient uid=hacluster,root") == args.ApiAuth(
        "ipfail", ("hacluster", "root"), ("haclient",)
    )


@pytest.mark.parametrize("text", ["ipfail", "ipfail user=x", "", "ipfail uid="])
def test_api_auth_errors(text: str) -> None:
    with pytest.raises(ArgumentError):
        args.api_auth(text)


def test_environment_setting() -> None:
    assert args.environment_setting("PATH=/bin:/usr/bin") == ("PATH", "/bin:/usr/bin")
    assert args.environment_setting("EMPTY=") == ("EMPTY", "")
    with pytest.raises(ArgumentError):
        args.environment_setting("NOVALUE")


def test_stonith_lines() -> None:
    assert args.stonith("baytech /etc/ha.d/conf/stonith.baytech") == args.Stonith(
        "baytech", "/etc/ha.d/conf/stonith.baytech"
    )
    assert args.stonith_host("* null a b") == args.StonithHost("*", "null", ("a", "b"))
    with pytest.raises(ArgumentError):
        args.stonith("baytech")
    with pytest.raises(ArgumentError):
        args.stonith_host("hostonly")


@pytest.mark.parametrize(
    ("text", "mode"), [("yes", "on"), ("0", "off"), ("Respawn", "respawn"), ("manual", "manual")]
)
def test_crm_mode(text: str, mode: str) -> None:
    assert args.crm_mode(text) == mode

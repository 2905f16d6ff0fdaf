"""``metrics_listen``, owned by the plugin: ``hb check`` reports a malformed value at its ha.cf
line, warns about an address other than loopback, and ``off`` builds no exporter."""

from __future__ import annotations

from pathlib import Path

import hb_exporter_prometheus
import pytest
from click.testing import CliRunner, Result
from hb_exporter_prometheus.exporter import Exporter, exporter_for
from hb_exporter_prometheus.listen import DEFAULT, Listen, parse_listen
from hb_hookspecs import ArgumentError, Settings
from hbcore.cli.main import cli
from hypothesis import given
from hypothesis import strategies as st

HACF = ["bcast lo", "auto_failback on", "node linuxha1 linuxha2"]


def _check(tmp_path: Path, line: str, *options: str) -> Result:
    config_dir = tmp_path / "ha.d"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "ha.cf").write_text("".join(f"{text}\n" for text in [*HACF, line]))
    (config_dir / "haresources").write_text("linuxha1 10.0.0.1\n")
    (config_dir / "authkeys").write_text("auth 1\n1 sha1 secret\n")
    (config_dir / "authkeys").chmod(0o600)
    arguments = ["--plugins", "exporter-prometheus,media-bcast,auth-sha1,ra-ipaddr", "check"]
    return CliRunner().invoke(
        cli, [*arguments, *options, "-c", str(config_dir), "--node-name", "linuxha1"]
    )


def _lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("ha.cf:")]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("127.0.0.1", "127.0.0.1 has no port"),
        ("127.0.0.1:99999", "port 99999 is not 1 to 65535"),
        ("localhost:9694", "localhost is not an IP address"),
        ("::1:9694", "::1:9694: an IPv6 address goes in brackets"),
    ],
)
def test_a_malformed_address_is_an_error_at_its_line(
    tmp_path: Path, value: str, problem: str
) -> None:
    result = _check(tmp_path, f"metrics_listen {value}")
    assert result.exit_code == 1
    assert _lines(result) == [
        f"ha.cf:4: metrics_listen: {problem}; write HOST:PORT with an IP address, "
        "e.g. 127.0.0.1:9694 or [::1]:9694, or off"
    ]


def test_an_address_other_than_loopback_is_a_warning_even_for_strict(tmp_path: Path) -> None:
    result = _check(tmp_path, "metrics_listen 0.0.0.0:9694", "--strict")
    assert result.exit_code == 0, result.output
    assert _lines(result) == [
        "ha.cf:4: warning: metrics_listen 0.0.0.0:9694 exposes the cluster's state (nodes, "
        "links, resource groups, events) to every host that reaches it, without "
        "authentication; keep 127.0.0.1 and scrape through a proxy or tunnel, or allow only "
        "the Prometheus server to this port in the firewall"
    ]
    for loopback in ("127.0.0.1:9694", "[::1]:9100", "off"):
        quiet = _check(tmp_path, f"metrics_listen {loopback}", "--strict")
        assert (quiet.exit_code, _lines(quiet)) == (0, []), loopback


def test_the_exporter_listens_on_loopback_by_default_and_off_builds_none(tmp_path: Path) -> None:
    default = exporter_for(Settings("linuxha1", tmp_path, {}))
    assert isinstance(default, Exporter)
    assert (default.listen, str(default.listen)) == (DEFAULT, "127.0.0.1:9694")
    assert exporter_for(Settings("linuxha1", tmp_path, {"metrics_listen": (None,)})) is None
    assert str(parse_listen("[::1]:9694")) == "[::1]:9694"
    assert parse_listen("OFF") is None
    assert hb_exporter_prometheus.HB_CONTRACT == (1, 1)


@pytest.mark.fuzz
@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_with_a_reason(text: str) -> None:
    try:
        parsed = parse_listen(text)
    except ArgumentError as refused:
        assert refused.problem and refused.fix
        return
    assert parsed is None or (isinstance(parsed, Listen) and 1 <= parsed.port <= 65535)

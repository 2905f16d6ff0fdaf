"""``hb wire decode``: an operator reads a captured packet and checks it against a key file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hbcore.cli.main import cli


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """``hb wire decode ARGS`` as a user runs it: through ``hb`` (click caches a command's help
    option, so a subcommand invoked alone would keep ``--help`` without hb's ``-h``)."""
    result = CliRunner().invoke(cli, ["wire", "decode", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_a_captured_packet_with_its_authkeys_is_shown_and_authentic(vectors: Path) -> None:
    folder = vectors / "bcast-sha1"

    code, out, err = run(
        "--authkeys", str(folder / "authkeys"), str(folder / "001-startup-status.bin")
    )

    assert code == 0
    assert out.splitlines()[0] == "encoding: netstring (###)"
    assert "  1  t         string  status" in out
    assert "  6  srcuuid   binary  8IafwIz0STup1SQxMlek4Q==" in out
    assert "inner auth:   valid, key 3 (sha1)" in out
    assert "trailer auth: valid, key 3 (sha1)" in out
    # The vectors' key file is mode 0444: this offline tool warns, a node would refuse it.
    assert "warning: Bad permissions on keyfile" in err


def test_a_serial_packet_from_stdin_without_authkeys_is_well_formed(vectors: Path) -> None:
    packet = (vectors / "serial-sha1" / "001-1to2-status.bin").read_bytes()

    code, out, _ = run("-", stdin=packet)

    assert code == 0
    assert out.splitlines()[0] == "encoding: classic (>>>)"
    assert "inner auth:   not checked (no authkeys), key 3" in out
    assert "trailer auth" not in out


def test_a_tampered_packet_is_rejected(vectors: Path, tmp_path: Path) -> None:
    folder = vectors / "bcast-crc"
    tampered = tmp_path / "tampered.bin"
    tampered.write_bytes((folder / "014-steady-status.bin").read_bytes().replace(b"st=", b"sT="))

    code, out, err = run("--authkeys", str(folder / "authkeys"), str(tampered))

    assert code == 1
    assert "sT" in out
    assert "rejected: netstring authentication failed: INVALID token for key 1 (crc)" in err


def test_the_wrong_key_is_rejected(vectors: Path, tmp_path: Path) -> None:
    authkeys = tmp_path / "authkeys"
    authkeys.write_text("auth 3\n3 sha1 not-the-key\n")
    authkeys.chmod(0o600)

    code, out, err = run(
        "--authkeys", str(authkeys), str(vectors / "serial-sha1" / "005-2to1-status.bin")
    )

    assert code == 1
    assert "inner auth:   INVALID token for key 3 (sha1)" in out
    assert "rejected: classic authentication failed" in err
    assert "warning" not in err


def test_a_truncated_packet_is_rejected_with_the_reason(vectors: Path) -> None:
    packet = (vectors / "bcast-sha1" / "001-startup-status.bin").read_bytes()[:100]

    code, out, err = run(stdin=packet)

    assert code == 1
    assert out == ""
    assert "rejected: byte 83: a netstring of 27 bytes runs past the end of the packet" in err


def test_an_unusable_authkeys_file_is_reported(vectors: Path, tmp_path: Path) -> None:
    authkeys = tmp_path / "authkeys"
    authkeys.write_text("3 sha1 key\n")
    packet = vectors / "bcast-sha1" / "001-startup-status.bin"

    code, _, err = run("--authkeys", str(authkeys), str(packet))

    assert code == 1
    assert "cannot use the authkeys file" in err
    assert "Missing auth directive in keyfile" in err


def test_an_authkeys_method_with_its_plugin_disabled_is_reported(vectors: Path) -> None:
    folder = vectors / "bcast-sha1"

    code, _, err = run(
        "-p",
        "no:auth-sha1",
        "--authkeys",
        str(folder / "authkeys"),
        str(folder / "002-startup-status.bin"),
    )

    assert code == 1
    assert "Invalid authtype [sha1]; install its plugin: pip install hb-auth-sha1" in err

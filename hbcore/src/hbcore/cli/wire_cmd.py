"""``hb wire``: operator tools for captured packets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from hbcore.cli.options import load_selected, plugin_selection_options

if TYPE_CHECKING:
    from hbcore.wire import Decoded, Keyring


@click.group("wire")
def wire_group() -> None:
    """Decode and inspect heartbeat packets."""


@wire_group.command("decode")
@plugin_selection_options
@click.option(
    "--authkeys",
    "authkeys_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Verify the packet with this authkeys file (the capture's, not necessarily ours).",
)
@click.argument("packet", type=click.File("rb"), default="-")
def decode_packet(
    plugins: str | None,
    disables: tuple[str, ...],
    authkeys_path: Path | None,
    packet: BinaryIO,
) -> None:
    """Decode one captured packet (a UDP payload or a serial message) from PACKET or stdin.

    Prints the encoding (classic >>> or netstring ###), every field in wire order with its
    type and value, and both authentications: the inner `auth` field and, for netstring, the
    trailer. String values show non-printable bytes as escapes (\\n, \\x13); binary values
    are shown in base64.

    With --authkeys the packet must also authenticate. Unlike a node, this offline tool only
    warns when the authkeys file is readable by group or others: a key file copied beside a
    capture often is.

    Exit status: 0 when the packet is well-formed (and, with --authkeys, authentic); 1 when it
    is rejected, with the reason, or when the authkeys file has errors.
    """
    from hbcore.wire import Rejected, decode

    keyring = None if authkeys_path is None else _keyring(authkeys_path, plugins, disables)
    # describe: a packet that fails authentication is still shown (a node never parses it).
    result = decode(packet.read(), keyring, describe=True)
    if isinstance(result, Rejected):
        if result.decoded is not None:
            click.echo(_describe(result.decoded))
        raise click.ClickException(f"rejected: {result.reason}")
    click.echo(_describe(result))


def _keyring(path: Path, plugins: str | None, disables: tuple[str, ...]) -> Keyring:
    from hbcore.config.authkeys import read_authkeys
    from hbcore.config.problems import ConfigError, Severity

    methods = load_selected(plugins, disables).registry.auth_methods
    try:
        authkeys = read_authkeys(path, methods, permissions=Severity.WARNING)
    except ConfigError as error:
        raise click.ClickException(f"cannot use the authkeys file:\n{error}") from None
    for warning in authkeys.warnings:
        click.echo(str(warning), err=True)
    return authkeys.keyring()


def _describe(decoded: Decoded) -> str:
    from hbcore.wire import Encoding

    encoding = decoded.encoding
    lines = [f"encoding: {encoding.value} ({encoding.marker})"]
    fields = decoded.message.fields
    width = max((len(field.name) for field in fields), default=4)
    lines.append(f"{'#':>3}  {'name':<{width}}  type    value")
    for number, field in enumerate(fields, start=1):
        if isinstance(field.value, bytes):
            kind, shown = "binary", _base64(field.value)
        else:
            kind, shown = "string", _escaped(field.value)
        lines.append(f"{number:>3}  {field.name:<{width}}  {kind:<6}  {shown}")
    lines.append(f"inner auth:   {decoded.inner}")
    if decoded.encoding is Encoding.NETSTRING:
        lines.append(f"trailer auth: {decoded.trailer}")
    return "\n".join(lines)


def _base64(value: bytes) -> str:
    import base64

    return base64.b64encode(value).decode("ascii")


def _escaped(value: str) -> str:
    """The value's wire bytes with printable ASCII as is and every other byte escaped."""
    raw = value.encode("utf-8", "surrogateescape")
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")

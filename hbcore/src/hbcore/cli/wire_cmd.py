"""``hb wire``: operator tools for captured packets."""

import click


@click.group("wire")
def wire_group() -> None:
    """Decode and inspect heartbeat packets."""

"""``hb check``: validate an existing /etc/ha.d before anything runs."""

import click


@click.command("check")
def check() -> None:
    """Validate ha.cf, haresources and authkeys."""
    raise click.ClickException("not implemented yet")

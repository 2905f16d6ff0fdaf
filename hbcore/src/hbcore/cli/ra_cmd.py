"""``hb ra``: the resource agents, as haresources uses them. ``hb ra list`` names the kinds the
selected plugins provide; ``hb ra test TOKEN`` puts one token's agent through heartbeat's calls
(:mod:`hbcore.cli.ra_test_cmd`)."""

from __future__ import annotations

import json

import click

from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.cli.ra_test_cmd import ra_test

_COLUMNS = ("agent", "plugin", "summary")


@click.group("ra")
def ra_group() -> None:
    """Resource agents: list those installed, test one as heartbeat would call it."""


ra_group.add_command(ra_test)


@ra_group.command("list")
@plugin_selection_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def list_agents(plugins: str | None, disables: tuple[str, ...], as_json: bool) -> None:
    """List the kinds of resource agent the plugins provide: agent, plugin, summary."""
    agents = load_selected(plugins, disables).registry.resource_agents
    rows = [(name, owned.owner, owned.item.summary) for name, owned in sorted(agents.items())]
    if as_json:
        click.echo(json.dumps([dict(zip(_COLUMNS, row, strict=True)) for row in rows], indent=2))
        return
    if not rows:
        click.echo("no resource agents installed (pip install hb-ra-script: resource.d scripts)")
        return
    table = [_COLUMNS, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(_COLUMNS))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())

"""``hb plugins list``: what is installed, what is active, and what each plugin provides."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.metadata import version

import click

from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.plugins import PluginRecord

_COLUMNS = ("name", "distribution", "version", "provides", "status")


@click.group("plugins")
def plugins_group() -> None:
    """Inspect the installed plugins."""


@plugins_group.command("list")
@plugin_selection_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@click.option(
    "--requirements",
    is_flag=True,
    help="Print the active plugins as pip requirements, to reproduce this node's plugin set.",
)
def list_plugins(
    plugins: str | None, disables: tuple[str, ...], as_json: bool, requirements: bool
) -> None:
    """List installed plugins: name, distribution, version, provides, status."""
    records = load_selected(plugins, disables).records
    if as_json:
        click.echo(json.dumps([_as_dict(record) for record in records], indent=2))
    elif requirements:
        click.echo("\n".join(_requirements(records)))
    else:
        click.echo(_table(records))


def _requirements(records: Sequence[PluginRecord]) -> list[str]:
    """What pip needs to rebuild this node's plugin set in an empty environment: hbcore, then
    the distribution of every active plugin, each pinned to its installed version, once."""
    pins = {"hbcore": version("hbcore")}
    for record in records:
        if record.status == "active":
            pins.setdefault(record.distribution, record.version)
    return [f"{distribution}=={pinned}" for distribution, pinned in pins.items()]


def _as_dict(record: PluginRecord) -> dict[str, object]:
    return {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "provides": list(record.provides),
        "status": record.status,
        "hooks": list(record.hooks),
        "error": record.error or None,
    }


def _table(records: Sequence[PluginRecord]) -> str:
    if not records:
        return "no hb plugins installed (pip install hb-cluster: heartbeat's default set)"
    rows = [_COLUMNS] + [
        (r.name, r.distribution, r.version, ", ".join(r.provides) or "-", r.status) for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.extend(f"{r.name}: {r.error}" for r in records if r.status == "failed")
    return "\n".join(lines)

"""``hb check``: validate an existing /etc/ha.d before anything runs.

Exit 0 with a short description of the cluster and any warnings, or exit 1 listing every
problem as ``FILE:LINE: what is wrong; how to fix it``. Host problems (a missing user, script
or device) are warnings unless ``--strict``.
"""

from __future__ import annotations

from pathlib import Path

import click

from hbcore.cli.check_summary import summary_lines
from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.config.configuration import load_configuration

DEFAULT_CONFIG_DIR = Path("/etc/ha.d")


@click.command("check")
@click.option(
    "-c",
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CONFIG_DIR,
    show_default=True,
    help="Directory holding ha.cf, haresources and authkeys.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on problems of this machine (missing users, scripts, devices, DNS).",
)
@click.option(
    "--node-name",
    default=None,
    metavar="NAME",
    help="Check as the node NAME (default: the nodeinfo file, else uname -n).",
)
@plugin_selection_options
def check(
    config_dir: Path,
    strict: bool,
    node_name: str | None,
    plugins: str | None,
    disables: tuple[str, ...],
) -> None:
    """Validate ha.cf, haresources and authkeys."""
    config = load_configuration(config_dir, load_selected(plugins, disables), node_name)
    errors = config.errors(strict)
    if errors:
        for problem in config.problems:
            click.echo(problem.render(strict), err=True)
        click.echo(f"hb check: {config_dir}: {len(errors)} error(s)", err=True)
        raise SystemExit(1)
    click.echo(f"hb check: {config_dir}: OK")
    for line in summary_lines(config):
        click.echo(f"  {line}")
    if config.problems:
        click.echo(f"{len(config.problems)} warning(s):")
    for problem in config.problems:
        click.echo(problem.render(strict))

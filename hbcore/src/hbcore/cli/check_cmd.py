"""``hb check``: validate an existing /etc/ha.d before anything runs.

Exit 0 with a short description of the cluster and any warnings, or exit 1 listing every
problem as ``FILE:LINE: what is wrong; how to fix it``. Host problems (a missing user, script
or device) are warnings unless ``--strict``. Nothing in the files makes it raise: an exception
nobody expected is reported as a problem of the file being checked, asking for a bug report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from hbcore.cli.check_summary import summary_lines
from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.config.configuration import HACF, load_configuration
from hbcore.config.problems import Location, printable
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet

DEFAULT_CONFIG_DIR = Path("/etc/ha.d")


@dataclass(frozen=True)
class CheckReport:
    """What ``hb check`` prints, and whether the configuration passed."""

    passed: bool
    stdout: tuple[str, ...]
    stderr: tuple[str, ...]
    problems: tuple[str, ...]
    """Every problem as printed (in ``stdout`` or ``stderr``)."""


def run_check(
    config_dir: Path,
    plugins: PluginSet,
    node_name: str | None,
    strict: bool,
    catch_bugs: bool = True,
) -> CheckReport:
    """Check ``config_dir`` as ``hb check`` does, without printing.

    Never raises while ``catch_bugs``; with it False an unexpected exception passes through
    (the fuzz tests run so, to see where it comes from).
    """
    config = load_configuration(config_dir, plugins, node_name, catch_bugs)
    problems = list(config.problems)
    summary: list[str] = []
    net = SafetyNet(catch_bugs)
    with net.guard(Location(HACF)):
        summary = summary_lines(config)
    problems += net.problems
    rendered = tuple(problem.render(strict) for problem in problems)
    errors = sum(problem.is_error(strict) for problem in problems)
    if errors:
        verdict = printable(f"hb check: {config_dir}: {errors} error(s)")
        return CheckReport(False, (), (*rendered, verdict), rendered)
    stdout = [printable(f"hb check: {config_dir}: OK"), *(f"  {line}" for line in summary)]
    if rendered:
        stdout.append(f"{len(rendered)} warning(s):")
    return CheckReport(True, (*stdout, *rendered), (), rendered)


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
    report = run_check(config_dir, load_selected(plugins, disables), node_name, strict)
    for line in report.stderr:
        click.echo(line, err=True)
    for line in report.stdout:
        click.echo(line)
    if not report.passed:
        raise SystemExit(1)

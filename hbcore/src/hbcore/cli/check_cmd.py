"""``hb check``: validate an existing /etc/ha.d before anything runs.

Exit 0 with a short description of the cluster and any warnings, or exit 1 listing every
problem as ``FILE:LINE: what is wrong; how to fix it``. Host problems (a missing user, script
or device, a host name that does not resolve) are warnings unless ``--strict``. A plugin that
failed to load, or a haresources token no loaded plugin handles, is an error. Nothing in the
files makes it raise: an exception nobody expected is reported as a problem of the file being
checked, asking for a bug report. ``--json`` prints the same verdict as one JSON document for
tools and editors (schema :data:`JSON_SCHEMA`, documented in docs/configuration.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from hbcore.cli.check_summary import summary_lines
from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.config.configuration import AUTHKEYS, HACF, HARESOURCES, load_configuration
from hbcore.config.problems import Location, Problem, printable
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet

DEFAULT_CONFIG_DIR = Path("/etc/ha.d")
JSON_SCHEMA = "hb-check/1"
"""Names the shape of ``hb check --json``; a change that could break a reader changes it."""
FAILED = 1
_CONFIG_FILES = (HACF, HARESOURCES, AUTHKEYS)

F = TypeVar("F", bound=Callable[..., Any])


def config_dir_option(
    help_text: str = "Directory holding ha.cf, haresources and authkeys.",
) -> Callable[[F], F]:
    """``-c/--config-dir DIR`` (default :data:`DEFAULT_CONFIG_DIR`), as every command that reads
    a configuration directory the way ``hb check`` does spells it; the command receives it as
    ``config_dir``, a :class:`~pathlib.Path` that may not name a file. ``help_text`` says what
    the command reads there."""
    return click.option(
        "-c",
        "--config-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_CONFIG_DIR,
        show_default=True,
        help=help_text,
    )


@dataclass(frozen=True)
class CheckReport:
    """What ``hb check`` found in one configuration directory, and whether it passed."""

    config_dir: Path
    strict: bool
    found: tuple[Problem, ...]
    """Every problem, in file then line order."""
    description: tuple[str, ...]
    """The short description of the cluster (printed when it passes)."""

    @property
    def errors(self) -> int:
        """How many problems stop the check (with ``--strict``: host problems too)."""
        return sum(problem.is_error(self.strict) for problem in self.found)

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else FAILED

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem as printed: one printable line each."""
        return tuple(problem.render(self.strict) for problem in self.found)

    @property
    def stdout(self) -> tuple[str, ...]:
        """The text output: the verdict, the description and the warnings, when it passed."""
        if not self.passed:
            return ()
        lines = [printable(f"hb check: {self.config_dir}: OK")]
        lines += [f"  {line}" for line in self.description]
        if self.found:
            lines.append(f"{len(self.found)} warning(s):")
        return (*lines, *self.problems)

    @property
    def stderr(self) -> tuple[str, ...]:
        """The text output when it failed: every problem, then the count of errors."""
        if self.passed:
            return ()
        return (*self.problems, printable(f"hb check: {self.config_dir}: {self.errors} error(s)"))

    def to_json(self) -> dict[str, Any]:
        """The report as ``hb check --json`` prints it (schema :data:`JSON_SCHEMA`)."""
        return {
            "schema": JSON_SCHEMA,
            "config_dir": printable(str(self.config_dir)),
            "strict": self.strict,
            "passed": self.passed,
            "exit_code": self.exit_code,
            "summary": {
                "errors": self.errors,
                "warnings": len(self.found) - self.errors,
            },
            "cluster": list(self.description),
            "problems": [self._problem_json(problem) for problem in self.found],
        }

    def _problem_json(self, problem: Problem) -> dict[str, Any]:
        location = problem.location
        is_file = location.file in _CONFIG_FILES
        return {
            "file": printable(location.file),
            "path": printable(str(self.config_dir / location.file)) if is_file else None,
            "line": location.line or None,
            "severity": "error" if problem.is_error(self.strict) else "warning",
            "kind": problem.severity.value,
            "message": printable(problem.problem),
            "fix": printable(problem.fix),
            "text": problem.render(self.strict),
        }


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
    description: list[str] = []
    net = SafetyNet(catch_bugs)
    with net.guard(Location(HACF)):
        description = summary_lines(config)
    return CheckReport(config_dir, strict, (*config.problems, *net.problems), tuple(description))


@click.command("check")
@config_dir_option()
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail on problems of this machine (missing users, scripts, devices, DNS), "
    "as hb start does.",
)
@click.option(
    "--node-name",
    default=None,
    metavar="NAME",
    help="Check as the node NAME (default: the nodeinfo file, else uname -n).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the verdict and every problem as one JSON document (same exit status).",
)
@plugin_selection_options
def check(
    config_dir: Path,
    strict: bool,
    node_name: str | None,
    as_json: bool,
    plugins: str | None,
    disables: tuple[str, ...],
) -> None:
    """Validate ha.cf, haresources and authkeys, and the plugins they need."""
    report = run_check(config_dir, load_selected(plugins, disables), node_name, strict)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for line in report.stderr:
            click.echo(line, err=True)
        for line in report.stdout:
            click.echo(line)
    if not report.passed:
        raise SystemExit(report.exit_code)

"""``hb ra test TOKEN``: put one haresources resource through the calls heartbeat makes, before
a failover does (ocf-tester's idea, for any hb agent).

The token is resolved as a node resolves it: through the selected plugins, with the settings
of the configuration directory's ``ha.cf`` (empty settings when there is none: a
``resource.d`` script needs only the directory) and ``HA_CURHOST`` set to this node's name.
The agent then runs the steps of :data:`hbcore.resources.agent_test.SEQUENCE`, each bounded by
``--timeout`` and watched for holding the event loop. One line per step; exit 0 when every
step passed, 1 at the first that failed (having stopped what the test started, unless
``--keep-running``), 2 when no plugin handles the token (with ``hb check``'s message), 130 when
Ctrl-C cut the steps short (having stopped the agent if the test had started it).
``--json`` prints the same as one document (schema :data:`JSON_SCHEMA`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from hb_hookspecs import ResourceAgent, ResourceContext, Settings

from hbcore.cli.check_cmd import config_dir_option
from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.config.configuration import HACF
from hbcore.config.hacf import parse_hacf, read_hacf
from hbcore.config.haresources import HaResources, ResourceGroup, parse_resource
from hbcore.config.node_names import local_node_name
from hbcore.config.problems import Location, Problem, printable
from hbcore.config.resource_checks import check_resources
from hbcore.config.safety_net import SafetyNet
from hbcore.log import LogTargets, configure_logging
from hbcore.plugins import PluginSet
from hbcore.resources.agent_test import (
    CLEANUP,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUT_S,
    SEQUENCE,
    STATUS_BEFORE_START,
    STATUS_BEFORE_START_ANY,
    AgentTestRun,
    Limits,
    StepResult,
    run_step,
    run_steps,
)

JSON_SCHEMA = "hb-ra-test/1"
"""Names the shape of ``hb ra test --json``; a change that could break a reader changes it."""
PASSED, FAILED, UNHANDLED, INTERRUPTED = 0, 1, 2, 130
_PROGRAM = "hb ra test"
_NAME_WIDTH = max(len(step.name) for step in SEQUENCE)


@dataclass(frozen=True)
class Resolution:
    """A token's agent as this node would build it, or the problems that say why there is
    none, and what the user should know about the settings it was built with."""

    node: str
    agent: ResourceAgent | None
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]


def resolve_token(
    token: str, config_dir: Path, plugins: PluginSet, node_name: str | None
) -> Resolution:
    """Resolve ``token`` with ``config_dir``'s settings, as the node does. Never raises for a
    file or a plugin: a token no plugin handles, one a plugin finds malformed, one naming a
    missing script, a plugin that raises: each is a problem as ``hb check`` words it."""
    node = node_name.lower() if node_name else local_node_name(config_dir)
    settings, notes = _settings(config_dir, node, plugins)
    context = ResourceContext(settings, environment={"HA_CURHOST": node})
    # The token checked as one haresources line, so that the words are hb check's.
    location = Location(token)
    line = ResourceGroup(node, (parse_resource(token, location),), location)
    net = SafetyNet()
    problems = check_resources(HaResources(token, (line,)), plugins, context, net)
    with net.guard(location):
        if not problems and not net.problems:
            agent = plugins.resolve_resource(token, context)
            if agent is not None:
                return Resolution(node, agent, (), notes)
            problems.append(
                Problem(location, f"no installed plugin handles resource {token}", _LIST_AGENTS)
            )
    return Resolution(node, None, (*problems, *net.problems), notes)


_LIST_AGENTS = "hb ra list names the agents the installed plugins provide"


def _settings(config_dir: Path, node: str, plugins: PluginSet) -> tuple[Settings, tuple[str, ...]]:
    """The settings of ``config_dir``'s ha.cf (empty without one), and what to say of them."""
    directives = plugins.registry.directives
    hacf, _ = parse_hacf("", directives, HACF)
    if not (config_dir / HACF).exists():
        return Settings(node, config_dir, hacf.given), (
            f"no {HACF} in {config_dir}: the agent sees empty settings",
        )
    net = SafetyNet()
    found: list[Problem] = []
    with net.guard(Location(HACF)):
        hacf, found = read_hacf(config_dir / HACF, directives, plugins=plugins.records)
    errors = sum(problem.is_error(False) for problem in [*found, *net.problems])
    notes = (
        f"{config_dir / HACF} has {errors} error(s) (hb check -c {config_dir} lists them): "
        "the agent sees the lines that could be read",
    )
    return Settings(node, config_dir, hacf.given), notes if errors else ()


class _Watched:
    """The agent under test, noting what the test has asked of it, so that a Ctrl-C, which
    loses the steps' results, still knows whether the test started something."""

    def __init__(self, agent: ResourceAgent) -> None:
        self.agent = agent
        self.name = agent.name
        self.started = False
        """True from a start called (finished or not) until a stop that succeeded."""
        self.during: str | None = None
        """The call in progress, if any."""

    async def start(self) -> None:
        self.started = True
        async with self._calling("start"):
            await self.agent.start()

    async def stop(self) -> None:
        async with self._calling("stop"):
            await self.agent.stop()
        self.started = False

    async def status(self) -> bool:
        async with self._calling("status"):
            return await self.agent.status()

    def describe(self) -> str:
        return self.agent.describe()

    @contextlib.asynccontextmanager
    async def _calling(self, call: str) -> AsyncIterator[None]:
        self.during = call
        try:
            yield
        except Exception:
            self.during = None
            raise
        # Not reset when a cancellation (the Ctrl-C, a BaseException) goes through.
        self.during = None


@dataclass(frozen=True)
class Interruption:
    """A Ctrl-C during the steps: the agent's call it cut short, whether the test had started
    the agent, and the stop that undid it (None when there was nothing to stop, or when a
    second Ctrl-C cut that stop short too)."""

    during: str | None
    started: bool
    cleanup: StepResult | None


def _interrupted(watched: _Watched, limits: Limits) -> Interruption:
    """After a Ctrl-C: stop the agent, bounded by the step timeout, if the test started it."""
    during = watched.during
    if not watched.started:
        return Interruption(during, False, None)
    try:
        stopping = asyncio.run(run_step(watched.agent, CLEANUP, limits))
    except KeyboardInterrupt:  # a second Ctrl-C: the user gives up the cleanup
        return Interruption(during, True, None)
    return Interruption(during, True, stopping)


@dataclass(frozen=True)
class RaTestReport:
    """What ``hb ra test`` found for one token."""

    token: str
    config_dir: Path
    resolution: Resolution
    limits: Limits
    run: AgentTestRun | None
    """None when there was no agent to run."""
    forced: bool = False
    keep_running: bool = False
    interrupted: Interruption | None = None
    """Set when Ctrl-C cut the steps short (``run`` is None then: the results are lost)."""

    @property
    def exit_code(self) -> int:
        if self.interrupted is not None:
            return INTERRUPTED
        if self.run is None:
            return UNHANDLED
        return PASSED if self.run.passed else FAILED

    def lines(self) -> list[str]:
        """The text output: the agent, one line per step, the cleanup, the verdict."""
        agent, run = self.resolution.agent, self.run
        if agent is None:
            return []
        lines = [printable(f"{self.token}: {_describe(agent)}")]
        if self.interrupted is not None:
            return lines + self._interrupted_lines(self.interrupted)
        if run is None:
            return []
        for number, result in enumerate(run.results, 1):
            lines += _step_lines(str(number), result)
        if run.cleanup is not None:
            lines += _step_lines("", run.cleanup)
        return lines + self._verdict(run)

    def _verdict(self, run: AgentTestRun) -> list[str]:
        if run.failed is None:
            return [printable(f"{_PROGRAM}: {self.token}: passed, {len(run.results)} steps")]
        number, result = run.failed
        verdict = [
            printable(f"{_PROGRAM}: {self.token}: FAILED at step {number} ({result.step.name})")
        ]
        if result.step == STATUS_BEFORE_START and result.answer:
            verdict.append(
                "  it may be in use: stop it first, or give --force to test it anyway "
                "(the test stops it)"
            )
        elif self.keep_running and number > 1:
            verdict.append("  left as the failed step left it (--keep-running)")
        return verdict

    def _interrupted_lines(self, interruption: Interruption) -> list[str]:
        cleanup = interruption.cleanup
        lines = _step_lines("", cleanup) if cleanup is not None else []
        during = f" during {interruption.during}" if interruption.during else ""
        if not interruption.started:
            done = "the test had started nothing, and stopped nothing"
        elif cleanup is None:
            done = "interrupted again while stopping what the test started: it may still run"
        elif cleanup.passed:
            done = "stopped what the test started"
        else:
            done = "stopping what the test started FAILED: it may still run"
        return [*lines, printable(f"{_PROGRAM}: {self.token}: interrupted{during}; {done}")]

    def to_json(self) -> dict[str, Any]:
        """The report as ``hb ra test --json`` prints it (schema :data:`JSON_SCHEMA`)."""
        run, failed = self.run, self.run.failed if self.run is not None else None
        agent = self.resolution.agent
        return {
            "schema": JSON_SCHEMA,
            "token": printable(self.token),
            "config_dir": printable(str(self.config_dir)),
            "node": printable(self.resolution.node),
            "agent": printable(_describe(agent)) if agent is not None else None,
            "passed": self.exit_code == PASSED,
            "exit_code": self.exit_code,
            "timeout_s": self.limits.timeout_s,
            "blocking_limit_s": self.limits.blocking_limit_s,
            "force": self.forced,
            "keep_running": self.keep_running,
            "notes": [printable(note) for note in self.resolution.notes],
            "problems": [
                {"message": printable(p.problem), "fix": printable(p.fix)}
                for p in self.resolution.problems
            ],
            "steps": [
                _step_json(number, result)
                for number, result in enumerate(run.results if run else (), 1)
            ],
            "failed_step": (
                {"number": failed[0], "name": failed[1].step.name} if failed is not None else None
            ),
            "cleanup": _step_json(None, run.cleanup) if run and run.cleanup else None,
            "interrupted": _interruption_json(self.interrupted) if self.interrupted else None,
        }


def _interruption_json(interruption: Interruption) -> dict[str, Any]:
    cleanup = interruption.cleanup
    return {
        "during": interruption.during,
        "started": interruption.started,
        "cleanup": _step_json(None, cleanup) if cleanup is not None else None,
    }


def _describe(agent: ResourceAgent) -> str:
    try:
        return agent.describe()
    except Exception as error:  # describe() is part of what is tested; the report still prints
        return f"describe() raised {type(error).__name__}: {error}"


def _step_lines(number: str, result: StepResult) -> list[str]:
    """``N  name  time  verdict``, then the agent's output of a failure, indented."""
    if result.failure is None:
        verdict = "ok" if result.answer is None else f"ok: {_state(result.answer)}"
        rest: list[str] = []
    else:
        first, *rest = result.failure.splitlines() or [""]
        verdict = f"FAILED: {first}"
    head = f"{number:>2}  {result.step.name:<{_NAME_WIDTH}}  {result.elapsed_s:6.3f} s  "
    indent = " " * (len(head) + len("FAILED: "))
    return [printable(head + verdict), *(printable(indent + line) for line in rest)]


def _step_json(number: int | None, result: StepResult) -> dict[str, Any]:
    return {
        "number": number,
        "name": result.step.name,
        "action": result.step.action.value,
        "passed": result.passed,
        "running": result.answer,
        "elapsed_s": round(result.elapsed_s, 6),
        "held_s": None if result.held_s is None else round(result.held_s, 6),
        "failure": None if result.failure is None else _printable_lines(result.failure),
    }


def _printable_lines(text: str) -> str:
    """``text`` with each line printable (see :func:`printable`), its newlines kept."""
    return "\n".join(printable(line) for line in text.splitlines())


def _state(running: bool) -> str:
    return "running" if running else "stopped"


def run_ra_test(
    token: str,
    config_dir: Path,
    plugins: PluginSet,
    node_name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    force: bool = False,
    keep_running: bool = False,
) -> RaTestReport:
    """Resolve ``token`` and run its agent through the steps, without printing.

    ``force`` accepts a resource that runs already (the test stops it); ``keep_running``
    leaves a failed run as its failed step left it instead of stopping what it started.
    A Ctrl-C (``KeyboardInterrupt``) during the steps cancels the call in progress and, if the
    test had started the agent, stops it within ``limits`` (``keep_running`` or not); the
    report then says so (:class:`Interruption`). A second Ctrl-C gives up that stop.
    Runs its own event loop: call it from a thread that runs none.
    """
    resolution = resolve_token(token, config_dir, plugins, node_name)
    report = functools.partial(
        RaTestReport, token, config_dir, resolution, limits, forced=force, keep_running=keep_running
    )
    if resolution.agent is None:
        return report(None)
    steps = (STATUS_BEFORE_START_ANY, *SEQUENCE[1:]) if force else SEQUENCE
    watched = _Watched(resolution.agent)
    try:
        run = asyncio.run(run_steps(watched, steps, limits, cleanup=not keep_running))
    except KeyboardInterrupt:  # asyncio.run has cancelled the steps (and killed the script)
        return report(None, interrupted=_interrupted(watched, limits))
    return report(run)


@click.command("test")
@click.argument("token")
@config_dir_option("Directory holding resource.d/ (and ha.cf, when the agent reads settings).")
@click.option(
    "--node",
    "--node-name",
    "node_name",
    default=None,
    metavar="NAME",
    help="Test as the node NAME, HA_CURHOST (default: the nodeinfo file, else uname -n).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    metavar="S",
    help="Seconds each step may take.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Test a resource that runs already (the test stops it: never on a live node).",
)
@click.option(
    "--keep-running",
    is_flag=True,
    help="After a failed step, leave the resource as that step left it, to look at it, "
    "instead of stopping what the test started.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log the agent's lines on standard error.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the steps and the verdict as one JSON document (same exit status).",
)
@plugin_selection_options
def ra_test(
    token: str,
    config_dir: Path,
    node_name: str | None,
    timeout_s: float,
    force: bool,
    keep_running: bool,
    verbose: bool,
    as_json: bool,
    plugins: str | None,
    disables: tuple[str, ...],
) -> None:
    """Test the agent of a haresources TOKEN as heartbeat calls it.

    The steps: status (it must say stopped), start, status (running), start again (still
    running), stop, status (stopped), stop again (still stopped). TOKEN is written as in
    haresources (maid::vacuum, httpd, IPaddr::10.0.0.5/24). Exit 0 when every step passed; 1
    at the first step that failed (what the test started is stopped again); 2 when no
    installed plugin handles TOKEN; 130 after Ctrl-C (what the test started is stopped again
    too). It starts and stops the resource: run it on a node that does not hold it.
    """
    loaded = load_selected(plugins, disables)
    _route_agent_logs(verbose, node_name or local_node_name(config_dir))
    report = run_ra_test(
        token, config_dir, loaded, node_name, Limits(timeout_s), force, keep_running
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        for note in report.resolution.notes:
            click.echo(printable(f"{_PROGRAM}: note: {note}"), err=True)
        for problem in report.resolution.problems:
            click.echo(printable(f"{_PROGRAM}: {problem.problem}; {problem.fix}"), err=True)
        for line in report.lines():
            click.echo(line)
    if report.exit_code != PASSED:
        raise SystemExit(report.exit_code)


def _route_agent_logs(verbose: bool, node: str) -> None:
    """The agents log what they run as on a node: to standard error with ``--verbose``, else
    nowhere (standard output is the report)."""
    configure_logging(LogTargets(stderr=verbose), node)
    if not verbose:
        logging.getLogger().addHandler(logging.NullHandler())

"""Putting a resource agent through the calls heartbeat makes, one checked step at a time:
ocf-tester's idea, for any hb agent.

A step is data (:class:`Step`): an action (start, stop or status) and, when it matters, what
``status`` must answer after it. :data:`SEQUENCE` is ``hb ra test``'s: status, start, status,
start again, stop, status, stop again. :func:`run_steps` runs steps in order on the running
loop, each bounded by a timeout and watched for holding the loop, stops at the first that
fails, and then stops what the test started. Nothing the agent does makes it raise: a failure
is data (:class:`StepResult`), which ``hb ra test`` prints and
:class:`hbcore.testing.contracts.ResourceAgentContract` asserts.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from hb_hookspecs import ResourceAgent, ResourceError

from hbcore.testing.loop_probe import LoopLagProbe

BLOCKING_LIMIT_S = 0.25
"""The longest an agent's coroutine may hold the loop at once by default. A node's keepalive
is typically 1 or 2 s; a quarter of a second held is already a late heartbeat."""
DEFAULT_TIMEOUT_S = 60.0
"""How long one step may take by default: a start that takes longer fails over late."""


class Action(enum.Enum):
    """The agent's method a step calls."""

    START = "start"
    STOP = "stop"
    STATUS = "status"


@dataclass(frozen=True)
class Step:
    """One call to the agent and what must hold after it.

    A status step always asks ``status``; a start or stop step asks it after the action only
    when ``running`` is given.
    """

    name: str
    action: Action
    running: bool | None = None
    """What ``status`` must answer (after the action); None: any answer (a status step) or
    not asked (a start or stop step)."""


STATUS_BEFORE_START = Step("status before start", Action.STATUS, running=False)
START = Step("start", Action.START)
STATUS_AFTER_START = Step("status after start", Action.STATUS, running=True)
START_AGAIN = Step("start again", Action.START, running=True)
STOP = Step("stop", Action.STOP)
STATUS_AFTER_STOP = Step("status after stop", Action.STATUS, running=False)
STOP_AGAIN = Step("stop again", Action.STOP, running=False)
SEQUENCE = (
    STATUS_BEFORE_START,
    START,
    STATUS_AFTER_START,
    START_AGAIN,
    STOP,
    STATUS_AFTER_STOP,
    STOP_AGAIN,
)
"""``hb ra test``'s steps, numbered from 1 in this order."""
STATUS_BEFORE_START_ANY = Step("status before start", Action.STATUS)
"""The first step when the resource may run already (``hb ra test --force``)."""
CLEANUP = Step("stop (cleanup)", Action.STOP, running=False)
"""What a failed run does last, when it started something."""


@dataclass(frozen=True)
class Limits:
    """The bounds of every step; None switches one off."""

    timeout_s: float | None = DEFAULT_TIMEOUT_S
    blocking_limit_s: float | None = BLOCKING_LIMIT_S


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class StepResult:
    """What one step did. It passed when ``failure`` is None."""

    step: Step
    elapsed_s: float
    answer: bool | None = None
    """What ``status`` answered, when the step asked it and it answered True or False."""
    held_s: float | None = None
    """The longest the loop was held during the step; None when it was not watched."""
    failure: str | None = None
    """Why the step failed, one line; the agent's output, if any, follows on further lines."""
    error: Exception | None = field(default=None, compare=False)
    """The exception the agent raised, when that is the failure."""

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class AgentTestRun:
    """Every step run, in order (the last one is the failed one, if any), and the stop that
    cleaned up after a failure."""

    results: tuple[StepResult, ...]
    cleanup: StepResult | None = None

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> tuple[int, StepResult] | None:
        """The failed step's number (from 1) and result; None when every step passed."""
        for number, result in enumerate(self.results, 1):
            if not result.passed:
                return number, result
        return None


async def run_steps(
    agent: ResourceAgent,
    steps: Sequence[Step] = SEQUENCE,
    limits: Limits = DEFAULT_LIMITS,
    cleanup: bool = True,
) -> AgentTestRun:
    """Run ``steps`` on ``agent`` in order until one fails.

    After a failure, when ``cleanup`` is true and the run may have left running what it
    started, the agent is stopped (:data:`CLEANUP`): a failed test leaves nothing running that
    it started, and stops nothing it did not try to start. Never raises for what the agent
    does; a step that times out is cancelled.
    """
    results: list[StepResult] = []
    for step in steps:
        results.append(await run_step(agent, step, limits))
        if not results[-1].passed:
            break
    stopping = None
    if cleanup and results and not results[-1].passed and _may_have_left_running(results):
        stopping = await run_step(agent, CLEANUP, limits)
    return AgentTestRun(tuple(results), stopping)


def _may_have_left_running(results: Sequence[StepResult]) -> bool:
    """True when the run tried a start and no stop succeeded since, or one did but status
    says running after it. Status saying stopped proves nothing in a failed run: it may be
    the bug."""
    started = running = False
    for result in results:
        if result.step.action is Action.START:
            started = running = True
        elif started and result.answer is True:
            running = True
        elif result.passed and result.step.action is Action.STOP:
            running = False
    return running


async def run_step(agent: ResourceAgent, step: Step, limits: Limits = DEFAULT_LIMITS) -> StepResult:
    """Run one step within ``limits``: its action, then ``status`` if the step asks it."""
    probe = LoopLagProbe() if limits.blocking_limit_s is not None else None
    began = time.perf_counter()
    async with probe if probe is not None else contextlib.nullcontext():
        try:
            answer, failure, error = await asyncio.wait_for(_perform(agent, step), limits.timeout_s)
        except TimeoutError:
            answer, failure, error = None, f"did not finish within {limits.timeout_s:g} s", None
    elapsed = time.perf_counter() - began
    held = probe.longest_s if probe is not None else None
    if failure is None and held is not None:
        failure = _held_too_long(held, limits.blocking_limit_s)
    return StepResult(step, elapsed, answer, held, failure, error)


async def _perform(
    agent: ResourceAgent, step: Step
) -> tuple[bool | None, str | None, Exception | None]:
    """The step's calls: (status's answer, why it failed, the exception that failed it)."""
    if step.action is not Action.STATUS:
        action = agent.start if step.action is Action.START else agent.stop
        try:
            await action()
        except ResourceError as error:
            return None, f"{step.action.value} failed: {error}", error
        except Exception as error:  # the agent's bug is the finding, not a crash of the test
            return None, _raised(step.action.value, error, "failures must be ResourceError"), error
        if step.running is None:
            return None, None, None
    try:
        answer = await agent.status()
    except Exception as error:  # idem
        return None, _raised("status", error, "status must answer, never raise"), error
    if answer is not True and answer is not False:
        return None, f"status returned {answer!r}; it must return True or False", None
    if step.running is not None and answer is not step.running:
        return answer, f"status says {_state(answer)}; it must say {_state(step.running)}", None
    return answer, None, None


def _held_too_long(held_s: float, limit_s: float | None) -> str | None:
    if limit_s is None or held_s < limit_s:
        return None
    return (
        f"held the event loop for {held_s:.3f} s (the limit is {limit_s:g} s): await a "
        "subprocess or run the work in a thread instead of a blocking call"
    )


def _raised(call: str, error: Exception, rule: str) -> str:
    return f"{call} raised {type(error).__name__}: {error}; {rule}"


def _state(running: bool) -> str:
    return "running" if running else "stopped"

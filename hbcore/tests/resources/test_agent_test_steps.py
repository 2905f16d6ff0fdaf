"""hb ra test's steps (hbcore.resources.agent_test), driven with agents that each have one of the
classic bugs: the run stops at the step the bug breaks, names why, and stops what it started
without ever stopping what ran before it."""

from __future__ import annotations

import asyncio
import time

import pytest
from hb_hookspecs import ResourceError
from hbcore.resources.agent_test import (
    CLEANUP,
    SEQUENCE,
    Action,
    AgentTestRun,
    Limits,
    Step,
    run_steps,
)


class Agent:
    """A correct agent that counts its calls; the subclasses each have one bug."""

    name = "thing"

    def __init__(self, running: bool = False) -> None:
        self.running = running
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")
        self.running = True

    async def stop(self) -> None:
        self.calls.append("stop")
        self.running = False

    async def status(self) -> bool:
        return self.running

    def describe(self) -> str:
        return "thing for tests"


class SaysRunning(Agent):
    async def status(self) -> bool:
        return True


class SaysStopped(Agent):
    async def status(self) -> bool:
        return False


class StopFailsWhenStopped(Agent):
    async def stop(self) -> None:
        if not self.running:
            raise ResourceError("Return code 1 from stubborn:\nnot running")
        await super().stop()


class StartRaisesOSError(Agent):
    async def start(self) -> None:
        self.running = True  # half started: what the cleanup must stop
        raise OSError("No such file or directory")


class StatusRaises(Agent):
    async def status(self) -> bool:
        raise RuntimeError("cannot tell")


class StatusAnswersText(Agent):
    async def status(self) -> bool:
        return "running"  # type: ignore[return-value]


class BlocksTheLoop(Agent):
    async def start(self) -> None:
        time.sleep(0.4)  # the bug: a blocking call in a coroutine
        await super().start()


class HangsOnStart(Agent):
    async def start(self) -> None:
        self.running = True
        await asyncio.sleep(60)


def run(agent: Agent, steps: tuple[Step, ...] = SEQUENCE, **limits: float) -> AgentTestRun:
    return asyncio.run(run_steps(agent, steps, Limits(**limits)))


def failed_step(outcome: AgentTestRun) -> tuple[int, str, str]:
    assert outcome.failed is not None, "every step passed"
    number, result = outcome.failed
    assert result.failure is not None
    return number, result.step.name, result.failure


def test_a_correct_agent_passes_the_seven_steps_and_is_left_stopped() -> None:
    agent = Agent()
    outcome = run(agent)
    assert outcome.passed and outcome.failed is None and outcome.cleanup is None
    assert [result.step.name for result in outcome.results] == [
        "status before start",
        "start",
        "status after start",
        "start again",
        "stop",
        "status after stop",
        "stop again",
    ]
    assert [result.answer for result in outcome.results] == [
        False, None, True, True, None, False, False,
    ]  # fmt: skip
    assert agent.calls == ["start", "start", "stop", "stop"] and not agent.running
    assert all(result.held_s is not None for result in outcome.results)


def test_status_that_always_says_running_fails_at_step_1_and_nothing_is_stopped() -> None:
    agent = SaysRunning()
    outcome = run(agent)
    assert failed_step(outcome) == (
        1, "status before start", "status says running; it must say stopped",
    )  # fmt: skip
    assert agent.calls == [] and outcome.cleanup is None  # a live service is never stopped


def test_status_that_always_says_stopped_fails_at_step_3_and_the_start_is_undone() -> None:
    agent = SaysStopped()
    outcome = run(agent)
    assert failed_step(outcome) == (
        3, "status after start", "status says stopped; it must say running",
    )  # fmt: skip
    assert outcome.cleanup is not None and outcome.cleanup.step == CLEANUP
    assert agent.calls == ["start", "stop"] and not agent.running


def test_a_stop_that_fails_when_stopped_fails_at_step_7_with_the_agents_output() -> None:
    agent = StopFailsWhenStopped()
    outcome = run(agent)
    number, name, failure = failed_step(outcome)
    assert (number, name) == (7, "stop again")
    assert failure == "stop failed: Return code 1 from stubborn:\nnot running"
    assert isinstance(outcome.results[-1].error, ResourceError)
    assert outcome.cleanup is None  # step 6 saw it stopped: nothing to clean up


def test_an_error_that_is_not_resource_error_is_named_and_the_half_start_undone() -> None:
    agent = StartRaisesOSError()
    outcome = run(agent)
    assert failed_step(outcome) == (
        2, "start",
        "start raised OSError: No such file or directory; failures must be ResourceError",
    )  # fmt: skip
    assert outcome.cleanup is not None and outcome.cleanup.passed and not agent.running


@pytest.mark.parametrize(
    ("agent", "failure"),
    [
        (
            StatusRaises(),
            "status raised RuntimeError: cannot tell; status must answer, never raise",
        ),
        (StatusAnswersText(), "status returned 'running'; it must return True or False"),
    ],
    ids=["raises", "not-a-bool"],
)
def test_a_status_that_does_not_answer_true_or_false_fails_step_1(
    agent: Agent, failure: str
) -> None:
    assert failed_step(run(agent)) == (1, "status before start", failure)


def test_an_agent_that_blocks_the_loop_is_reported_at_the_step_that_blocked() -> None:
    outcome = run(BlocksTheLoop())
    number, name, failure = failed_step(outcome)
    assert (number, name) == (2, "start")
    assert failure.startswith("held the event loop for 0.")
    assert "(the limit is 0.25 s)" in failure
    held = outcome.results[1].held_s
    assert held is not None and held >= 0.25


def test_a_step_that_overruns_the_timeout_fails_and_the_resource_is_stopped() -> None:
    agent = HangsOnStart()
    outcome = run(agent, timeout_s=0.2)
    assert failed_step(outcome) == (2, "start", "did not finish within 0.2 s")
    assert outcome.cleanup is not None and outcome.cleanup.passed and not agent.running


def test_cleanup_can_be_left_out_to_look_at_a_failure() -> None:
    agent = SaysStopped()
    outcome = asyncio.run(run_steps(agent, SEQUENCE, cleanup=False))
    assert outcome.failed is not None and outcome.cleanup is None and agent.running


def test_with_any_first_answer_a_running_resource_is_tested_and_stopped() -> None:
    agent = Agent(running=True)
    any_answer = (Step("status before start", Action.STATUS), *SEQUENCE[1:])
    outcome = run(agent, any_answer)
    assert outcome.passed and outcome.results[0].answer is True and not agent.running

"""Contract test classes: what the core relies on from each kind of plugin object, as tests a
plugin author subclasses and feeds with fixtures.

::

    from hbcore.testing.contracts import ResourceAgentContract

    class TestTouchFile(ResourceAgentContract):
        @pytest.fixture
        def agent(self, tmp_path):
            return TouchFileAgent("touchfile::x", str(tmp_path / "x"))

Each class documents the fixtures it needs; a fixture it marks optional may be left out, and
the tests that need it are skipped. The tests run the coroutines with ``asyncio.run``: no
asyncio plugin for pytest is needed. Blocking is measured with :class:`LoopLagProbe` against
``blocking_limit_s`` (a class attribute a subclass may raise for a slow machine).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ClassVar, TypeVar

import pytest
from hb_hookspecs import (
    Authenticator,
    AuthMethod,
    HealthMonitor,
    KeyRule,
    Medium,
    Observation,
    ResourceAgent,
    ResourceError,
)

from hbcore.resources.agent_test import (
    BLOCKING_LIMIT_S,
    DEFAULT_TIMEOUT_S,
    START,
    START_AGAIN,
    STATUS_AFTER_START,
    STATUS_AFTER_STOP,
    STATUS_BEFORE_START,
    STOP,
    STOP_AGAIN,
    Action,
    Limits,
    Step,
    run_steps,
)
from hbcore.testing.loop_probe import LoopLagProbe

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def _one_line(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip()) and "\n" not in text


class ResourceAgentContract:
    """What a :class:`~hb_hookspecs.ResourceAgent` must do for the core to rely on it.

    The tests run the steps of ``hb ra test`` (:mod:`hbcore.resources.agent_test`), so an
    agent that passes them passes ``hb ra test`` too. A failed step fails the test with the
    exception the agent raised (a ``ResourceError`` from a stop that should have succeeded), or
    else an ``AssertionError`` naming the step.

    Fixtures the subclass defines:

    - ``agent`` (required): a new agent whose resource is stopped. The tests start and stop
      it; each test gets a new one.
    - ``failing_agent`` (optional): an agent whose ``start`` must fail (a missing script, an
      unwritable path); the test checks it raises :class:`~hb_hookspecs.ResourceError`.
    """

    blocking_limit_s = BLOCKING_LIMIT_S
    timeout_s = DEFAULT_TIMEOUT_S
    """The longest one step (a call, and the status that checks it) may take."""

    @pytest.fixture
    def failing_agent(self) -> ResourceAgent:
        pytest.skip("no failing_agent fixture: define one to check errors are ResourceError")

    def test_is_a_resource_agent_with_a_name_and_a_description(self, agent: ResourceAgent) -> None:
        assert isinstance(agent, ResourceAgent)
        assert _one_line(agent.name), f"name {agent.name!r} is not one line of text"
        assert _one_line(agent.describe()), f"describe() {agent.describe()!r} is not one line"

    def test_status_is_false_before_start(self, agent: ResourceAgent) -> None:
        self._passes(agent, (STATUS_BEFORE_START,))

    def test_status_is_true_after_start_and_false_after_stop(self, agent: ResourceAgent) -> None:
        self._passes(agent, (START, STATUS_AFTER_START, STOP, STATUS_AFTER_STOP))

    def test_start_twice_is_not_an_error(self, agent: ResourceAgent) -> None:
        self._passes(agent, (START, START_AGAIN, STOP))

    def test_stop_when_stopped_is_not_an_error(self, agent: ResourceAgent) -> None:
        # heartbeat stops what it is unsure of, the never started included
        self._passes(agent, (_STOP_BEFORE_START, START, STOP, STOP_AGAIN))

    def test_a_failing_start_raises_resource_error(self, failing_agent: ResourceAgent) -> None:
        with pytest.raises(ResourceError):
            _run(failing_agent.start())
        assert _run(failing_agent.status()) is False

    def test_start_status_and_stop_do_not_block_the_loop(self, agent: ResourceAgent) -> None:
        steps = (START, STATUS_AFTER_START, STOP, STATUS_AFTER_STOP)
        self._passes(agent, steps, self.blocking_limit_s)

    def _passes(
        self, agent: ResourceAgent, steps: Sequence[Step], blocking_limit_s: float | None = None
    ) -> None:
        """Run ``steps`` (stopping the agent after a failure); raise for the failed one."""
        run = _run(run_steps(agent, steps, Limits(self.timeout_s, blocking_limit_s)))
        if run.failed is None:
            return
        number, result = run.failed
        where = f"step {number} ({result.step.name}) of {', '.join(s.name for s in steps)}"
        if result.error is not None:
            result.error.add_note(where)
            raise result.error
        raise AssertionError(f"{where}: {result.failure}")


_STOP_BEFORE_START = Step("stop before start", Action.STOP)


class MediumContract:
    """What a :class:`~hb_hookspecs.Medium` must do for the core to rely on it.

    Fixtures the subclass defines:

    - ``make_medium`` (required): a callable returning a new, unstarted medium that hears
      its own packets (a UDP medium on ``lo`` sending to 127.0.0.1, a port from
      :func:`hbcore.testing.media.free_udp_port`). Every medium it returns uses the same
      device or port, so that one started after another stopped shows the first released it.
    """

    blocking_limit_s = BLOCKING_LIMIT_S
    packets: ClassVar[list[bytes]] = [b"t=status\n", b"x" * 1024, bytes(range(256))]
    """What the round trip sends."""
    timeout_s = 10.0

    def test_is_a_medium_with_a_name_a_wire_format_and_a_description(
        self, make_medium: Callable[[], Medium]
    ) -> None:
        medium = make_medium()
        assert isinstance(medium, Medium)
        assert _one_line(medium.name)
        assert medium.wire_format in ("netstring", "classic")
        assert _one_line(medium.describe())

    def test_sent_packets_are_delivered_whole_without_blocking(
        self, make_medium: Callable[[], Medium]
    ) -> None:
        medium = make_medium()

        async def round_trip() -> tuple[list[bytes], float]:
            heard: list[bytes] = []
            all_heard = asyncio.Event()

            def deliver(packet: bytes) -> None:
                heard.append(packet)
                if len(heard) >= len(self.packets):
                    all_heard.set()

            async with LoopLagProbe() as probe:
                await medium.start(deliver)
                try:
                    for packet in self.packets:
                        await medium.send(packet)
                    await asyncio.wait_for(all_heard.wait(), self.timeout_s)
                finally:
                    await medium.stop()
            return heard, probe.longest_s

        heard, held = _run(round_trip())
        assert sorted(heard) == sorted(self.packets)
        assert held < self.blocking_limit_s, f"the medium held the event loop for {held:.3f} s"

    def test_stop_releases_the_path_and_is_idempotent(
        self, make_medium: Callable[[], Medium]
    ) -> None:
        async def again() -> None:
            for _ in range(2):
                medium = make_medium()
                await medium.start(lambda packet: None)
                await medium.stop()
                await medium.stop()

        _run(again())


class AuthenticatorContract:
    """What an authkeys method (:class:`~hb_hookspecs.AuthMethod` and the
    :class:`~hb_hookspecs.Authenticator` it creates) must do for the core to rely on it.

    Fixtures the subclass defines:

    - ``method`` (required): the registered :class:`~hb_hookspecs.AuthMethod`.
    - ``key`` (optional): the key of an authkeys line; ``b"secret"`` by default, and
      ignored (empty) for a method whose key is ``KeyRule.FORBIDDEN``.
    """

    messages: ClassVar[list[bytes]] = [b"", b"t=status\nst=active\n", bytes(range(256)) * 4]
    """What the tests sign."""
    seed = 694
    """The seed of the random tokens ``verify`` must reject without raising."""

    @pytest.fixture
    def key(self) -> bytes:
        return b"secret"

    @pytest.fixture
    def authenticator(self, method: AuthMethod, key: bytes) -> Authenticator:
        return method.create(key if method.key is KeyRule.REQUIRED else b"")

    def test_creates_an_authenticator(self, method: AuthMethod, authenticator: object) -> None:
        assert isinstance(method, AuthMethod)
        assert isinstance(authenticator, Authenticator)

    def test_tokens_are_lowercase_hex_and_the_same_for_the_same_data(
        self, authenticator: Authenticator
    ) -> None:
        for message in self.messages:
            token = authenticator.sign(message)
            assert token and token == token.lower() and int(token, 16) >= 0
            assert authenticator.sign(message) == token

    def test_a_token_verifies_with_a_new_authenticator_of_the_same_key(
        self, method: AuthMethod, authenticator: Authenticator, key: bytes
    ) -> None:
        other = method.create(key if method.key is KeyRule.REQUIRED else b"")
        for message in self.messages:
            assert other.verify(message, authenticator.sign(message))

    def test_tampered_data_or_token_is_rejected(self, authenticator: Authenticator) -> None:
        message = b"t=status\nst=active\n"
        token = authenticator.sign(message)
        for position in range(len(message)):
            tampered = bytearray(message)
            tampered[position] ^= 0x01
            assert not authenticator.verify(bytes(tampered), token), f"byte {position} flipped"
        assert not authenticator.verify(message + b"x", token)
        for position in range(len(token)):
            digit = "0" if token[position] != "0" else "1"
            assert not authenticator.verify(
                message, token[:position] + digit + token[position + 1 :]
            )

    def test_a_token_of_another_key_is_rejected(
        self, method: AuthMethod, authenticator: Authenticator, key: bytes
    ) -> None:
        if method.key is not KeyRule.REQUIRED:
            pytest.skip(f"{method.name} takes no key")
        message = b"t=status\n"
        assert not method.create(key + b"!").verify(message, authenticator.sign(message))

    def test_verify_rejects_garbage_tokens_without_raising(
        self, authenticator: Authenticator
    ) -> None:
        chance = random.Random(self.seed)
        garbage = ["", " ", "zz", "0x00", "-1", "\x00", "é" * 8, "f" * 4096]
        garbage += ["".join(chance.choices("0123456789abcdefXYZ ", k=chance.randint(1, 80)))]
        garbage += [chance.randbytes(40).decode("latin-1") for _ in range(20)]
        for token in garbage:
            assert authenticator.verify(b"t=status\n", token) is False, repr(token)


class HealthMonitorContract:
    """What a :class:`~hb_hookspecs.HealthMonitor` must do for the core to rely on it.

    Fixtures the subclass defines:

    - ``monitor`` (required): a new, unstarted monitor.
    """

    blocking_limit_s = BLOCKING_LIMIT_S
    watch_s = 0.2
    """How long the monitor runs in the tests."""

    def test_is_a_health_monitor_with_a_name(self, monitor: HealthMonitor) -> None:
        assert isinstance(monitor, HealthMonitor)
        assert _one_line(monitor.name)

    def test_reports_observations_without_blocking_and_stops_twice(
        self, monitor: HealthMonitor
    ) -> None:
        seen: list[object] = []

        async def watch() -> float:
            async with LoopLagProbe() as probe:
                await monitor.start(seen.append)
                try:
                    await asyncio.sleep(self.watch_s)
                finally:
                    await monitor.stop()
                    await monitor.stop()
            return probe.longest_s

        held = _run(watch())
        assert all(isinstance(observation, Observation) for observation in seen), seen
        assert held < self.blocking_limit_s, f"the monitor held the event loop for {held:.3f} s"

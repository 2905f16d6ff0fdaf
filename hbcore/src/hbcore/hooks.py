"""Calling hb's hooks: one typed method per hook, every call through pluggy.

pluggy cannot type ``pm.hook.*`` calls, so the core calls hooks only through :class:`Hooks`
(tox's plugin manager is the model): no other module of hbcore knows how a hook is called.
Every method calls ``pm.hook.<name>(...)``, so the order of the implementations (the last
registered first, ``tryfirst``/``trylast``), ``wrapper=True`` implementations and pluggy's call
monitoring behave as pluggy documents. So does an implementation that raises: it ends the call,
and the implementations after it are not called.

- Registration hooks take ``plugin``: the call then runs that plugin's implementations only
  (pluggy's ``subset_hook_caller``), so every registration has an owner and a plugin that
  raises fails alone. What a plugin registers is checked against the hook's declared type.
- ``hb_resolve_resource`` is ``firstresult``: the agent, or None.
- ``hb_statistics_ready`` is ``historic``: called once per node start, synchronously on the
  loop, and again for a plugin registered later; an implementation that raises is logged.
- Event hooks are notifications. The method returns at once and the call runs in a background
  task named after the hook; the awaitables the implementations return are awaited together,
  each bounded by ``timeout_s``, and a plugin that raises or overruns is logged and abandoned.
  So no plugin ever delays a heartbeat.

``HB_TRACE_PLUGINS=1`` logs every hook call with its plugins and duration (pluggy's
``add_hookcall_monitoring``), and every awaited event with its plugin and duration.

asyncio, structlog and :mod:`hbcore.tasks` are imported where first needed: ``hb plugins list``
and ``hb check`` call the registration hooks too, and must start fast.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from types import CodeType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
from hb_hookspecs import (
    PROJECT_NAME,
    AuthMethod,
    CliCommand,
    Directive,
    HbHookSpecs,
    HealthMonitorType,
    ResourceAgent,
    ResourceAgentType,
    ResourceContext,
    StatisticsView,
)

if TYPE_CHECKING:
    from hbcore.tasks import Background

EVENT_TIMEOUT_S = 5.0
"""How long the awaitable an event implementation returns may run before it is abandoned."""
TRACE_ENV = "HB_TRACE_PLUGINS"
"""Set to ``1`` to log every hook call with its plugins and duration."""

T = TypeVar("T")


def _log() -> Any:
    """The logger of plugin calls: the daemon's once it has configured logging; before that
    (``hb plugins list``, ``hb check``) one that writes to stderr, so that tracing and a
    plugin's failure never mix with a command's output."""
    import structlog

    if structlog.is_configured():
        return structlog.get_logger("hb.plugins")
    return structlog.wrap_logger(structlog.PrintLogger(sys.stderr))


def new_plugin_manager(environ: Mapping[str, str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with hb's hookspecs, tracing its calls when ``HB_TRACE_PLUGINS=1``."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(HbHookSpecs)
    if tracing_asked(environ):
        trace_calls(manager)
    return manager


def tracing_asked(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment (default: this process's) sets ``HB_TRACE_PLUGINS=1``."""
    return (os.environ if environ is None else environ).get(TRACE_ENV) == "1"


def trace_calls(manager: pluggy.PluginManager) -> Callable[[], None]:
    """Log every hook call of ``manager`` that reaches an implementation: the hook, its plugins
    in call order and how long the call took. Returns the function that stops the tracing."""
    started: list[float] = []  # a stack: an implementation may call a hook in turn

    def before(
        _hook: str, _impls: Sequence[pluggy.HookImpl], _kwargs: Mapping[str, object]
    ) -> None:
        started.append(time.perf_counter())

    def after(
        outcome: pluggy.Result[object],
        hook: str,
        impls: Sequence[pluggy.HookImpl],
        _kwargs: Mapping[str, object],
    ) -> None:
        milliseconds = (time.perf_counter() - started.pop()) * 1000
        if not impls:  # a plugin asked for a registration it does not make: nothing ran
            return
        from hbcore.tasks import describe_error

        plugins = [impl.plugin_name for impl in reversed(impls)]  # pluggy calls the last first
        ending = (
            "" if outcome.exception is None else f", raised {describe_error(outcome.exception)}"
        )
        _log().info(
            f"hook {hook} called: {', '.join(plugins)} ({milliseconds:.3f} ms{ending})",
            hook=hook,
            plugins=plugins,
            duration_ms=milliseconds,
        )

    return manager.add_hookcall_monitoring(before, after)


class Hooks:
    """The typed face of hb's hooks over one plugin manager.

    Event deliveries run as tasks of this object's own, not of the node's: a node that stops
    does not cut short the delivery of its last events (``hb_resources_released`` at
    shutdown), each of which ends within the timeout anyway.
    """

    def __init__(self, manager: pluggy.PluginManager, timeout_s: float = EVENT_TIMEOUT_S) -> None:
        self.manager = manager
        self.timeout_s = timeout_s
        self._traced = tracing_asked()
        self._deliveries: Background | None = None

    # ------------------------------------------------------------------ registration

    def register_directives(
        self, register: Callable[[Directive], None], plugin: object | None = None
    ) -> None:
        """``hb_register_directives``, of ``plugin`` only when given."""
        caller = self._only(self.manager.hook.hb_register_directives, plugin)
        caller(register=_checked(register, Directive, caller.name))

    def register_authenticators(
        self, register: Callable[[AuthMethod], None], plugin: object | None = None
    ) -> None:
        """``hb_register_authenticators``, of ``plugin`` only when given."""
        caller = self._only(self.manager.hook.hb_register_authenticators, plugin)
        caller(register=_checked(register, AuthMethod, caller.name))

    def register_resource_agents(
        self, register: Callable[[ResourceAgentType], None], plugin: object | None = None
    ) -> None:
        """``hb_register_resource_agents``, of ``plugin`` only when given."""
        caller = self._only(self.manager.hook.hb_register_resource_agents, plugin)
        caller(register=_checked(register, ResourceAgentType, caller.name))

    def register_health_monitors(
        self, register: Callable[[HealthMonitorType], None], plugin: object | None = None
    ) -> None:
        """``hb_register_health_monitors``, of ``plugin`` only when given."""
        caller = self._only(self.manager.hook.hb_register_health_monitors, plugin)
        caller(register=_checked(register, HealthMonitorType, caller.name))

    def register_commands(
        self, register: Callable[[CliCommand], None], plugin: object | None = None
    ) -> None:
        """``hb_register_commands``, of ``plugin`` only when given (the ``hb`` command's)."""
        caller = self._only(self.manager.hook.hb_register_commands, plugin)
        caller(register=_checked(register, CliCommand, caller.name))

    def _only(self, caller: pluggy.HookCaller, plugin: object | None) -> pluggy.HookCaller:
        """``caller``, or with ``plugin`` the same hook calling that plugin alone."""
        if plugin is None:
            return caller
        others = [other for other in self.manager.get_plugins() if other is not plugin]
        return self.manager.subset_hook_caller(caller.name, remove_plugins=others)

    # ------------------------------------------------------------------ resolution

    def resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        """``hb_resolve_resource``: the agent of the first plugin that handles ``token``, or
        None. A plugin's ``ArgumentError`` (its token, malformed) reaches the caller."""
        agent: ResourceAgent | None = self.manager.hook.hb_resolve_resource(
            token=token, context=context
        )
        return agent

    # ------------------------------------------------------------------ events

    def node_status_changed(self, node: str, status: str, previous: str) -> None:
        """``hb_node_status_changed``, delivered in the background."""
        self._deliver(
            self.manager.hook.hb_node_status_changed, node=node, status=status, previous=previous
        )

    def link_status_changed(self, node: str, link: str, status: str) -> None:
        """``hb_link_status_changed``, delivered in the background."""
        self._deliver(self.manager.hook.hb_link_status_changed, node=node, link=link, status=status)

    def resources_acquired(self, group: str, resources: Sequence[str]) -> None:
        """``hb_resources_acquired``, delivered in the background."""
        self._deliver(self.manager.hook.hb_resources_acquired, group=group, resources=resources)

    def resources_released(self, group: str, resources: Sequence[str]) -> None:
        """``hb_resources_released``, delivered in the background."""
        self._deliver(self.manager.hook.hb_resources_released, group=group, resources=resources)

    def cluster_event(self, event: Mapping[str, Any]) -> None:
        """``hb_cluster_event``, delivered in the background."""
        self._deliver(self.manager.hook.hb_cluster_event, event=event)

    # ------------------------------------------------------------------ statistics

    def statistics_ready(self, view: StatisticsView) -> None:
        """``hb_statistics_ready``, historic: every plugin, including one registered later, is
        handed ``view``; from then on each new event of the view goes to ``hb_cluster_event``.
        Returns at once; an implementation that raises is logged, never fatal (the
        implementations pluggy would call after it are not called)."""
        view.subscribe(self.cluster_event)
        caller = self.manager.hook.hb_statistics_ready
        try:
            caller.call_historic(kwargs={"view": view})
        except Exception as error:  # a failing plugin is logged, never fatal
            self._failed(caller.name, _plugin_of(caller, _frames(error.__traceback__)), error)

    async def delivered(self) -> None:
        """Wait until the event deliveries started so far have ended (each ends within the
        timeout): for tests, and for tools that must know their plugins were told."""
        if self._deliveries is not None:
            await self._deliveries.wait()

    def _deliver(self, caller: pluggy.HookCaller, **arguments: object) -> None:
        if self._deliveries is None:
            from hbcore.tasks import Background

            self._deliveries = Background(_log())
        self._deliveries.start(self._notify(caller, arguments), caller.name)

    async def _notify(self, caller: pluggy.HookCaller, arguments: Mapping[str, object]) -> None:
        """Call the event hook, then await what its implementations returned; never raises."""
        import asyncio

        try:
            results: list[object] = caller(**arguments)
        except Exception as error:  # a failing plugin is logged, never fatal
            plugin = _plugin_of(caller, _frames(error.__traceback__))
            self._failed(caller.name, plugin, error)
            return
        pending = [result for result in results if inspect.isawaitable(result)]
        await asyncio.gather(*(self._bounded(caller, awaitable) for awaitable in pending))

    async def _bounded(self, caller: pluggy.HookCaller, awaitable: Awaitable[object]) -> None:
        """Await ``awaitable`` under the timeout; say whose it was when it overruns or raises."""
        import asyncio

        code = getattr(awaitable, "cr_code", None)
        plugin = _plugin_of(caller, [] if code is None else [code])
        started = time.perf_counter()
        try:
            await asyncio.wait_for(awaitable, self.timeout_s)
        except TimeoutError:
            _log().warning(
                f"event hook {caller.name} of plugin {plugin} abandoned after {self.timeout_s:g} s",
                hook=caller.name,
                plugin=plugin,
                timeout_s=self.timeout_s,
            )
            return
        except Exception as error:  # a failing plugin is logged, never fatal
            self._failed(caller.name, plugin, error)
            return
        if self._traced:
            milliseconds = (time.perf_counter() - started) * 1000
            _log().info(
                f"hook {caller.name} awaited: {plugin} ({milliseconds:.3f} ms)",
                hook=caller.name,
                plugins=[plugin],
                duration_ms=milliseconds,
            )

    @staticmethod
    def _failed(hook: str, plugin: str, error: Exception) -> None:
        from hbcore.tasks import describe_error

        _log().error(
            f"event hook {hook} of plugin {plugin} failed: {describe_error(error)}",
            hook=hook,
            plugin=plugin,
            exc_info=error,
        )


def _checked(register: Callable[[T], None], expected: type[T], hook: str) -> Callable[[T], None]:
    """``register``, refusing what is not an ``expected`` (plugins are not type-checked)."""

    def checked(item: T) -> None:
        if not isinstance(item, expected):
            raise TypeError(f"{hook} registered {item!r}, not a {expected.__name__}")
        register(item)

    return checked


def _frames(traceback: TracebackType | None) -> Iterator[CodeType]:
    while traceback is not None:
        yield traceback.tb_frame.f_code
        traceback = traceback.tb_next


def _plugin_of(caller: pluggy.HookCaller, codes: Iterable[CodeType]) -> str:
    """The plugin whose implementation of ``caller`` runs one of ``codes`` (the innermost), for
    a log line: pluggy reports results and errors without saying whose they are."""
    owners = {
        getattr(impl.function, "__code__", None): impl.plugin_name
        for impl in caller.get_hookimpls()
    }
    found = [owners[code] for code in codes if code in owners]
    return found[-1] if found else "?"

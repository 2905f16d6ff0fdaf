"""Delivering event hooks (node status, link status, resources) to plugins.

Event hooks are notifications: an implementation may be ``async def``. Every implementation is
called, each awaitable is awaited with a timeout, and one that raises or overruns is logged and
abandoned. Callers run :func:`notify` as a task of its own, so no plugin ever delays a
heartbeat.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable

import pluggy
import structlog

EVENT_TIMEOUT_S = 5.0

log = structlog.get_logger("hb.events")


async def notify(
    manager: pluggy.PluginManager,
    hook_name: str,
    timeout: float = EVENT_TIMEOUT_S,
    **arguments: object,
) -> None:
    """Call every implementation of the event hook ``hook_name`` with ``arguments``.

    Synchronous implementations run in turn; the awaitables they or ``async def``
    implementations return are awaited together, each bounded by ``timeout`` seconds.
    Never raises because of a plugin.
    """
    pending: list[tuple[str, Awaitable[object]]] = []
    for impl in getattr(manager.hook, hook_name).get_hookimpls():
        try:
            result = impl.function(**{name: arguments[name] for name in impl.argnames})
        except Exception:  # a failing plugin is logged, never fatal
            log.exception("event hook failed", hook=hook_name, plugin=impl.plugin_name)
            continue
        if inspect.isawaitable(result):
            pending.append((impl.plugin_name, result))
    if pending:
        await asyncio.gather(*(_await_bounded(hook_name, p, a, timeout) for p, a in pending))


async def _await_bounded(
    hook_name: str, plugin: str, awaitable: Awaitable[object], timeout: float
) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        log.warning(
            "event hook abandoned after timeout", hook=hook_name, plugin=plugin, timeout_s=timeout
        )
    except Exception:  # a failing plugin is logged, never fatal
        log.exception("event hook failed", hook=hook_name, plugin=plugin)

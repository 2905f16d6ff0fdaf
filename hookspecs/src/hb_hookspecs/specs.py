"""Every hook of hb, grouped by phase.

Each docstring closes with the same three sections:

- **When called**: the phase and how often;
- **Concurrency**: where it runs, whether it may block, whether it may be ``async def``;
- **Result**: how the results of several plugins combine.

``docs/hooks.md`` must document every hook here with its exact signature; a test checks it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hb_hookspecs.directives import Directive
from hb_hookspecs.interfaces import ResourceAgent, ResourceContext, StatisticsView
from hb_hookspecs.markers import hookspec
from hb_hookspecs.registrations import (
    AuthMethod,
    CliCommand,
    HealthMonitorType,
    ResourceAgentType,
)


class HbHookSpecs:
    """The hook namespace registered with hb's plugin manager."""

    # ------------------------------------------------------------------ registration
    # Called once while the plugin set is loaded: hand over values, do no work.

    @hookspec
    def hb_register_directives(self, register: Callable[[Directive], None]) -> None:
        """Register the ``ha.cf`` directives this plugin owns, and with them its heartbeat paths.

        :param register: call once per :class:`Directive`. Registering a name the core or
            another plugin already owns marks this plugin ``failed``.

        A directive carries everything about it: how a value parses, what it needs of the host
        (``check_host``), whether each value is a heartbeat path (``medium``: a kind of medium
        is registered this way, and ``hb plugins list`` shows it as ``medium:NAME``) or names a
        ping node (``ping_node``). :class:`Directive` states each callable's contract.

        **When called:** once, when the plugin set is loaded (``hb check``, ``hb start``,
        ``hb plugins list``), before any configuration is read.

        **Concurrency:** synchronous, before the event loop runs. Must not block or touch the
        host: only build values.

        **Result:** none; every registration is kept.
        """

    @hookspec
    def hb_register_authenticators(self, register: Callable[[AuthMethod], None]) -> None:
        """Register authkeys methods (``crc``, ``md5``, ``sha1``).

        :param register: call once per :class:`AuthMethod`.

        **When called:** once, when the plugin set is loaded.

        **Concurrency:** synchronous, before the event loop runs. Must not block.

        **Result:** none; every registration is kept. Two plugins registering the same method
        name is an error naming both.
        """

    @hookspec
    def hb_register_resource_agents(self, register: Callable[[ResourceAgentType], None]) -> None:
        """Register kinds of resource agent, so they are listed and selectable.

        :param register: call once per :class:`ResourceAgentType`.

        **When called:** once, when the plugin set is loaded.

        **Concurrency:** synchronous, before the event loop runs. Must not block.

        **Result:** none; every registration is kept.
        """

    @hookspec
    def hb_register_health_monitors(self, register: Callable[[HealthMonitorType], None]) -> None:
        """Register kinds of health monitor (ping nodes, watchdog).

        :param register: call once per :class:`HealthMonitorType`.

        **When called:** once, when the plugin set is loaded.

        **Concurrency:** synchronous, before the event loop runs. Must not block.

        **Result:** none; every registration is kept.
        """

    # ------------------------------------------------------------------ commands
    # Called by the ``hb`` command only, never by the node.

    @hookspec
    def hb_register_commands(self, register: Callable[[CliCommand], None]) -> None:
        """Add subcommands to ``hb`` (hb-lab adds ``hb lab`` and ``hb demo``).

        :param register: call once per :class:`CliCommand`: the command's name, its click
            command as ``"module:attribute"`` (imported only when the command runs) and the
            line ``hb --help`` shows for it.

        A name one of hb's own commands has, or that a plugin before this one (in name order)
        registered, is ignored with a warning naming both. The plugin selection applies:
        ``hb -p no:lab lab`` is an unknown command.

        **When called:** by ``hb``, once per plugin, when it is given a command that is not one
        of its own, or lists its commands (``hb --help``, shell completion). Never for hb's own
        commands, so ``hb status`` loads no plugin; never in a running node.

        **Concurrency:** synchronous, before any event loop. Must not block, and must not
        import the command's module: hand over names only.

        **Result:** none; every registration is kept but those whose name is taken.
        """

    # ------------------------------------------------------------------ resolution

    @hookspec(firstresult=True)
    def hb_resolve_resource(self, token: str, context: ResourceContext) -> ResourceAgent | None:
        """Turn one haresources token into a resource agent, or return None if not yours.

        :param token: one resource token exactly as written in ``haresources`` (``httpd``,
            ``maid::vacuum``, ``IPaddr::192.168.85.3/27``, ``192.168.85.3``).
        :param context: the parsed ``ha.cf`` (a plugin reads its own directives there, as
            hb-ra-script reads where scripts are searched) and the agents' environment.

        Implementations are tried in pluggy's order (last registered first; use
        ``tryfirst``/``trylast``): the IPaddr shorthand is ``tryfirst``, the generic script
        lookup ``trylast``. A plugin that recognises the token as its own but finds it malformed
        (``IPaddr::10.0.0.300``) raises ``ArgumentError(problem, fix)``, which the core reports
        at the token's haresources line; one that finds what the token names missing on this
        machine (a script not installed here) raises ``HostError(problem, fix)``, which the core
        reports there as a fact of the host (``hb check`` warns, ``--strict`` refuses).

        **When called:** when the configuration is loaded (``hb check``, ``hb start``), once per
        token, and again when haresources changes.

        **Concurrency:** synchronous. Must be cheap and free of side effects. On the node's
        event loop (the node resolving its groups) it may only look at files; off the loop
        (``hb check``, the start-up and reload checks, which run no loop in their thread) it
        may also run a read-only probe bounded by a timeout and cache what it learns, as
        hb-ra-ocf runs an agent's ``meta-data``.

        **Result:** ``firstresult``: the first non-None agent wins; None from every plugin
        means no installed plugin handles the token.
        """

    # ------------------------------------------------------------------ events
    # Notifications. Implementations may be ``async def``; the core awaits them with a
    # timeout, and neither a slow nor a failing plugin delays a heartbeat.

    @hookspec
    def hb_node_status_changed(self, node: str, status: str, previous: str) -> None:
        """A cluster node changed status (``init``, ``up``, ``active``, ``dead``, ``ping``).

        :param node: the node's name, lowercased.
        :param status: the new status.
        :param previous: the status before.

        **When called:** after membership has recorded the change and logged
        ``Status update for node X: status Y`` (or ``node X: is dead``).

        **Concurrency:** on the event loop. May be ``async def``; awaited with a timeout
        (a plugin that overruns is logged and abandoned). Must not block.

        **Result:** ignored.
        """

    @hookspec
    def hb_link_status_changed(self, node: str, link: str, status: str) -> None:
        """A (node, medium) path went ``up`` or ``dead``.

        :param node: the node's name, lowercased.
        :param link: the medium's name (``eth1``, ``/dev/ttyS0``).
        :param status: ``up`` or ``dead``.

        **When called:** after ``Link node:link up.`` / ``dead.`` is logged.

        **Concurrency:** on the event loop. May be ``async def``; awaited with a timeout.
        Must not block.

        **Result:** ignored.
        """

    @hookspec
    def hb_resources_acquired(self, group: str, resources: Sequence[str]) -> None:
        """This node now holds a resource group.

        :param group: the group key (its first resource token).
        :param resources: every token of the group, in start order.

        **When called:** after the last resource of the group started successfully.

        **Concurrency:** on the event loop. May be ``async def``; awaited with a timeout.
        Must not block.

        **Result:** ignored.
        """

    @hookspec
    def hb_resources_released(self, group: str, resources: Sequence[str]) -> None:
        """This node gave up a resource group.

        :param group: the group key (its first resource token).
        :param resources: every token of the group, in stop order (reverse of start).

        **When called:** after the group's resources were stopped.

        **Concurrency:** on the event loop. May be ``async def``; awaited with a timeout.
        Must not block.

        **Result:** ignored.
        """

    @hookspec
    def hb_cluster_event(self, event: Mapping[str, Any]) -> None:
        """A cluster event was recorded (node up or dead, link up or dead, takeover, release,
        standby, failback, a late heartbeat beyond deadtime, a reload...).

        :param event: the event as ``hb events --json`` prints it (docs/node.md, *Events*):
            ``v``, ``time``, ``epoch``, ``kind``, and ``node``, ``link``, ``group``,
            ``message``, ``durations_ms``, ``details`` when they apply. A copy: changing it
            changes nothing.

        **When called:** once per event, as the node records it, in order; not for the events
        read back from disk at start.

        **Concurrency:** on the event loop. May be ``async def``; awaited with a timeout
        (a plugin that overruns is logged and abandoned). Must not block.

        **Result:** ignored.
        """

    # ------------------------------------------------------------------ statistics
    # Read-only access to what the node counts, for exporters and status pages.

    @hookspec(historic=True)
    def hb_statistics_ready(self, view: StatisticsView) -> None:
        """The node's statistics can be read: keep ``view`` to read them.

        :param view: the node's :class:`StatisticsView`: its figures (``snapshot()``), its
            event history (``events()``, ``last_number``) and new events as they come
            (``subscribe()``). Valid until the node stops.

        **When called:** once per node start, after the events file was read back and before
        the node's first heartbeat. ``historic``: a plugin registered later is called at once
        with the views given so far.

        **Concurrency:** on the event loop, synchronous: keep the view and return at once.
        Call the view only on the loop; from a thread, through
        ``loop.call_soon_threadsafe``.

        **Result:** ignored. An implementation that raises is logged; the node runs on.
        """

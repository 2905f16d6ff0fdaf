"""The metrics of one scrape, built from a :class:`~hb_exporter_prometheus.published.Published`
(docs/metrics.md lists them; a test keeps the two in step).

:class:`HbCollector` is a prometheus_client custom collector: nothing is counted here, every
value is read from the node's snapshot when Prometheus asks, so the exporter does no work per
packet. Names follow Prometheus's conventions: the ``hb_`` prefix, seconds, ``_total`` counters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from hb_exporter_prometheus.figures import FAILOVER_BOUNDS_S, Histogram
from hb_exporter_prometheus.published import Published

NODE_STATUSES = ("init", "up", "active", "dead", "ping")
"""A node's statuses (hb_node_status has one series per status, 1 for the current one)."""
GROUP_STATES = ("stopped", "starting", "running", "stopping", "failed")
"""A resource group's states on this node."""
RELOAD_RESULTS = ("accepted", "refused")
YIELD_S = 0.0001
"""The pause between two metric families of a scrape. A scrape builds and formats its families
in pure Python (about a millisecond in all); a thread that does not wait keeps the
interpreter's lock until the switch interval (5 ms) takes it back, and the node's loop, woken
for a heartbeat meanwhile, waits for it. Sleeping gives the lock up: the loop waits a family at
most. ``time.sleep(0)`` would not do: the thread may take the lock back before the loop wakes."""


class HbCollector(Collector):
    """The metrics of the figures ``source()`` returns (None: the node did not answer in
    time, and ``hb_up`` is 0 with nothing else but ``hb_build_info``), pausing ``pause_s``
    between two families (:data:`YIELD_S`)."""

    def __init__(
        self, source: Callable[[], Published | None], version: str, pause_s: float = YIELD_S
    ) -> None:
        self._source = source
        self._version = version
        self._pause_s = pause_s

    def collect(self) -> Iterator[Metric]:
        published = self._source()
        build = InfoMetricFamily("hb_build", "The hb version running this node.")
        build.add_metric([], {"version": self._version})
        yield build
        yield GaugeMetricFamily(
            "hb_up",
            "1 when the node answered this scrape with its figures, 0 when it did not in time.",
            value=0 if published is None else 1,
        )
        if published is not None:
            for family in families(published):
                # Formatted by the encoder once yielded; the pause comes after, between two.
                yield family
                if self._pause_s:
                    time.sleep(self._pause_s)

    def describe(self) -> list[Metric]:
        """Nothing: registering the collector must not take a snapshot."""
        return []


def families(published: Published) -> Iterator[Metric]:
    """Every metric of ``published`` but ``hb_up`` and ``hb_build_info``."""
    snapshot = published.snapshot
    nodes = _mapping(snapshot.get("nodes"))
    yield from _nodes(nodes, published.figures.transitions)
    yield from _links(nodes)
    dropped = CounterMetricFamily(
        "hb_dropped_packets",
        "Packets this node dropped since it started, by reason.",
        labels=["reason"],
    )
    for reason, count in sorted(_mapping(_mapping(snapshot.get("dropped")).get("total")).items()):
        dropped.add_metric([str(reason)], _number(count))
    yield dropped
    yield from _groups(_mapping(snapshot.get("groups")), published.node)
    failover = HistogramMetricFamily(
        "hb_failover_duration_seconds",
        "Takeovers by this node since it started: detection (peer last heard to declared dead), "
        "takeover (declared dead to the group running here), outage (the two together).",
        labels=["span"],
    )
    for span, histogram in published.figures.failover.items():
        buckets, total = _buckets(FAILOVER_BOUNDS_S, histogram)
        failover.add_metric([span], buckets, total)
    yield failover
    yield GaugeMetricFamily(
        "hb_config_generation",
        "The configuration this node runs: 1 as started, one more per accepted reload.",
        value=published.figures.config_generation,
    )
    reloads = CounterMetricFamily(
        "hb_config_reloads", "Reloads since the node started, by result.", labels=["result"]
    )
    for result in RELOAD_RESULTS:
        reloads.add_metric([result], published.figures.reloads.get(result, 0))
    yield reloads


def _nodes(nodes: Mapping[str, Any], transitions: Mapping[str, int]) -> Iterator[Metric]:
    status = GaugeMetricFamily(
        "hb_node_status",
        "Each node's status as this node sees it: 1 for the current one.",
        labels=["node", "status"],
    )
    deaths = CounterMetricFamily(
        "hb_node_deaths", "Times each node was declared dead.", labels=["node"]
    )
    changes = CounterMetricFamily(
        "hb_node_transitions",
        "Status changes of each node since this one started.",
        labels=["node"],
    )
    for name, record in sorted(nodes.items()):
        node = _mapping(record)
        current = str(node.get("status"))
        for each in (*NODE_STATUSES, *([current] if current not in NODE_STATUSES else [])):
            status.add_metric([name, each], 1 if each == current else 0)
        deaths.add_metric([name], _number(node.get("deaths")))
        changes.add_metric([name], transitions.get(name, 0))
    yield from (status, deaths, changes)


def _links(nodes: Mapping[str, Any]) -> Iterator[Metric]:
    labels = ["node", "link"]
    up = GaugeMetricFamily("hb_link_up", "1 when the link to the node is up.", labels=labels)
    counters = {
        "packets": CounterMetricFamily(
            "hb_link_packets", "Packets accepted from the node on the link.", labels=labels
        ),
        "late": CounterMetricFamily(
            "hb_link_late_heartbeats",
            "Heartbeats on the link later than warntime after the previous one on it.",
            labels=labels,
        ),
        "lost": CounterMetricFamily(
            "hb_link_lost_packets",
            "The node's packets that never came on the link though another link carried them.",
            labels=labels,
        ),
        "deaths": CounterMetricFamily(
            "hb_link_deaths", "Times the link was declared dead.", labels=labels
        ),
    }
    loss = GaugeMetricFamily(
        "hb_link_loss_ratio", "Share of the link's last 64 packets lost (0 to 1).", labels=labels
    )
    interval = HistogramMetricFamily(
        "hb_link_interval_seconds",
        "Intervals between two heartbeats of the node on the link.",
        labels=labels,
    )
    for name, record in sorted(nodes.items()):
        for link, value in sorted(_mapping(_mapping(record).get("links")).items()):
            figures = _mapping(value)
            key = [name, str(link)]
            up.add_metric(key, 1 if figures.get("status") == "up" else 0)
            for field, family in counters.items():
                family.add_metric(key, _number(figures.get(field)))
            loss.add_metric(key, _number(figures.get("loss")))
            histogram = _mapping(figures.get("interval_histogram"))
            bounds = [_number(bound) / 1000 for bound in _sequence(histogram.get("bounds_ms"))]
            counts = [int(_number(count)) for count in _sequence(histogram.get("counts"))]
            if len(counts) == len(bounds) + 1:
                sum_s = _number(histogram.get("sum_ms")) / 1000
                buckets, total = _buckets(bounds, Histogram(tuple(counts), sum_s))
                interval.add_metric(key, buckets, total)
    yield from (up, *counters.values(), loss, interval)


def _groups(groups: Mapping[str, Any], me: str) -> Iterator[Metric]:
    held = GaugeMetricFamily(
        "hb_resource_group_held",
        "1 when holder holds the resource group, as this node knows it.",
        labels=["group", "holder"],
    )
    state = GaugeMetricFamily(
        "hb_resource_group_state",
        "Each resource group's state on this node: 1 for the current one.",
        labels=["group", "state"],
    )
    for key, value in sorted(groups.items()):
        group = _mapping(value)
        here = str(group.get("state"))
        holder, holds = holder_of(group, me)
        held.add_metric([key, holder], 1 if holds else 0)
        for each in (*GROUP_STATES, *([here] if here not in GROUP_STATES else [])):
            state.add_metric([key, each], 1 if each == here else 0)
    yield from (held, state)


def holder_of(group: Mapping[str, Any], me: str) -> tuple[str, bool]:
    """Who holds ``group`` as this node ``me`` knows it, and whether anyone does: the
    record's ``holder`` when it has one (``none``: nobody), else this node, holding it when it
    runs it here."""
    if "holder" in group:
        holder = group.get("holder")
        if isinstance(holder, str) and holder != "none":
            return holder, True
        return "none" if holder == "none" else "", False
    return me, group.get("state") == "running"


def _buckets(
    bounds: Sequence[float], histogram: Histogram
) -> tuple[list[tuple[str, float]], float]:
    """Prometheus's cumulative buckets of ``histogram`` (counts per bucket of ``bounds``, the
    last over them) and its sum."""
    buckets, running = [], 0
    for bound, count in zip(bounds, histogram.counts, strict=False):
        running += count
        buckets.append((repr(float(bound)), float(running)))  # 0.005, 30.0: as Go prints
    buckets.append(("+Inf", float(sum(histogram.counts))))
    return buckets, histogram.total_s


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: object) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else ()


def _number(value: object) -> float:
    """A finite number, 0 for anything else (a figure never measured is ``null``)."""
    if type(value) in (int, float) and math.isfinite(value):  # type: ignore[arg-type]
        return float(value)  # type: ignore[arg-type]
    return 0.0

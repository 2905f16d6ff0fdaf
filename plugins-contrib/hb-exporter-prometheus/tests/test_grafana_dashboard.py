"""docs/grafana-hb.json is a dashboard Grafana can import: valid JSON, a Prometheus data source
asked for at import, panels for link intervals, late and lost packets, failover durations and
holders, and every metric it queries documented in docs/metrics.md."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from test_metrics_endpoint import documented

DASHBOARD = Path(__file__).resolve().parents[3] / "docs" / "grafana-hb.json"


def _expressions(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "expr" and isinstance(item, str):
                yield item
            else:
                yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)


def test_every_metric_the_dashboard_queries_is_documented() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = list(_expressions(dashboard))
    queried = {
        re.sub(r"_(bucket|sum|count)$", "", name)
        for expr in expressions
        for name in re.findall(r"\bhb_[a-z_]+", expr)
    }
    metrics = documented()
    assert queried - set(metrics) == set()
    for name in ("hb_link_interval_seconds", "hb_link_late_heartbeats_total",
                 "hb_link_lost_packets_total", "hb_failover_duration_seconds",
                 "hb_resource_group_held"):  # fmt: skip
        assert name in queried, name
    histograms = {name for name, (kind, _) in metrics.items() if kind == "histogram"}
    for expr in expressions:  # a histogram is queried through its buckets, sum or count
        assert not re.search(rf"\b({'|'.join(histograms)})\b(?!_)", expr), expr
    panels = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    assert all(panel["datasource"]["uid"] == "${DS_PROMETHEUS}" for panel in panels)
    assert [entry["pluginId"] for entry in dashboard["__inputs"]] == ["prometheus"]

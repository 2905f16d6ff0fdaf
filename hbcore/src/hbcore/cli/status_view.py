"""``hb status`` as a person reads it: the node table, then each link's figures, the resource
groups and the latest events, from the JSON the node answers (schema 2; an older node's
answer, without statistics, prints the node table alone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hbcore.cli.events_view import event_line


def status_table(report: Mapping[str, Any]) -> str:
    """The whole human view of ``report``."""
    sections = [_summary(report), _links(report), _groups(report), _events(report)]
    return "\n\n".join(section for section in sections if section)


def _summary(report: Mapping[str, Any]) -> str:
    lines = [
        f"node {report['node']}: {report['status']}  generation {report['generation']}",
        f"plugins: {', '.join(report['plugins']) or 'none'}",
        f"resources: {report['resources']}",
        "",
        f"{'NODE':<20} {'TYPE':<7} {'STATUS':<8} LINKS",
    ]
    for node in report["nodes"]:
        links = ", ".join(f"{name} {state}" for name, state in node["links"].items()) or "-"
        lines.append(f"{node['name']:<20} {node['type']:<7} {node['status']:<8} {links}")
    return "\n".join(lines)


def _links(report: Mapping[str, Any]) -> str:
    """One row per link of another node: heard, interval, jitter, loss, late, deaths."""
    rows = []
    for node in report["nodes"]:
        stats = node.get("stats")
        if not stats or node["name"] == report["node"]:
            continue
        for name, link in stats.get("links", {}).items():
            interval = link["interval_ms"]
            rows.append(
                f"{node['name'] + ':' + name:<26} {node['links'].get(name, '-'):<5}"
                f" {_ms(link['heard_ago_ms']):>8} {_ms(interval['last']):>8}"
                f" {_ms(interval['mean']):>8} {_ms(interval['max']):>8}"
                f" {_ms(interval['jitter']):>7} {link['loss'] * 100:>6.1f}%"
                f" {link['lost']:>6} {link['late']:>5} {link['deaths']:>5}"
            )
    if not rows:
        return ""
    header = (
        f"{'LINK':<26} {'STATE':<5} {'HEARD':>8} {'LAST':>8} {'MEAN':>8} {'MAX':>8}"
        f" {'JITTER':>7} {'LOSS':>7} {'LOST':>6} {'LATE':>5} {'DEAD':>5}"
    )
    return "\n".join([header, *rows])


def _groups(report: Mapping[str, Any]) -> str:
    groups = report.get("groups") or []
    if not groups:
        return ""
    lines = [f"{'GROUP':<20} {'HOLDER':<16} {'STATE':<9} {'LAST ACQUIRE':<22} LAST RELEASE"]
    for group in groups:
        lines.append(
            f"{group['key']:<20} {group.get('holder') or '?':<16} {group.get('state', '-'):<9}"
            f" {_action(group.get('last_acquire')):<22} {_action(group.get('last_release'))}"
        )
    return "\n".join(lines)


def _events(report: Mapping[str, Any]) -> str:
    events = report.get("events") or []
    if not events:
        return ""
    return "\n".join(["EVENTS", *(event_line(event) for event in events)])


def _action(action: Mapping[str, Any] | None) -> str:
    if not action:
        return "-"
    when = datetime.fromisoformat(action["time"].replace("Z", "+00:00")).astimezone()
    duration = action.get("duration_ms")
    took = "running" if duration is None else f"{duration:g} ms"
    return f"{when:%H:%M:%S} ({took})"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"

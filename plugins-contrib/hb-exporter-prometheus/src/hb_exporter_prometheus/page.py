"""The status page at ``/``: one read-only HTML page, rebuilt for every request and refreshed by
the browser every :data:`REFRESH_S` seconds (a meta refresh: no script at all).

It shows what ``hb status`` shows: the nodes, each link with its figures, the resource groups
with their holders, and the latest events as a timeline. Every text from the node is escaped;
the page has no form and no link that changes anything (those stay on the CLI and its socket's
permissions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from hb_exporter_prometheus.metrics import holder_of
from hb_exporter_prometheus.published import Published

REFRESH_S = 5
"""Seconds between two reloads of the page."""

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em 2em; color: #1d232a; }
h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.6em 0 .4em; }
.sub { color: #5b6570; margin: 0; }
table { border-collapse: collapse; } th, td { padding: .25em .8em; text-align: left; }
th { border-bottom: 2px solid #c9d1d9; font-weight: 600; } td { border-bottom: 1px solid #e6eaee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.st { font-weight: 600; } .up, .active, .running, .ping { color: #1a7f37; }
.dead, .failed { color: #cf222e; } .init, .starting, .stopping { color: #9a6700; }
ol.timeline { list-style: none; padding: 0; border-left: 3px solid #c9d1d9; margin-left: .4em; }
ol.timeline li { padding: .25em 0 .25em 1em; position: relative; }
ol.timeline li::before { content: ""; position: absolute; left: -.45em; top: .7em; width: .6em;
  height: .6em; border-radius: 50%; background: #8c959f; }
ol.timeline li.bad::before { background: #cf222e; }
ol.timeline li.good::before { background: #1a7f37; }
.time { color: #5b6570; font-variant-numeric: tabular-nums; } .kind { font-weight: 600; }
.took { color: #5b6570; } .stale { color: #cf222e; font-weight: 600; }
"""
BAD_KINDS = frozenset({"node_dead", "link_dead", "late_heartbeat", "acquire_failed"})
GOOD_KINDS = frozenset({"node_up", "link_up", "takeover", "acquired", "standby", "failback"})


def render_page(published: Published | None) -> str:
    """The page for ``published`` (None: the node did not answer in time)."""
    if published is None:
        title = "hb"
        body = ['<h1>hb</h1><p class="stale">The node did not answer in time.</p>']
    else:
        title = f"hb: {published.node}"
        body = [
            f"<h1>{escape(title)}</h1>",
            f'<p class="sub">hb {escape(published.version)}, refreshed every {REFRESH_S} s'
            ' (<a href="/metrics">metrics</a>, <a href="/status.json">JSON</a>)</p>',
            *_nodes(published.snapshot),
            *_links(published.snapshot),
            *_groups(published.snapshot, published.node),
            *_events(published.events),
        ]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH_S}">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _nodes(snapshot: Mapping[str, Any]) -> Iterable[str]:
    rows = []
    for name, value in sorted(_mapping(snapshot.get("nodes")).items()):
        node = _mapping(value)
        status = str(node.get("status"))
        rows.append(
            _row(
                f'data-node="{escape(name)}"',
                escape(name),
                escape(str(node.get("type"))),
                f'<span class="st {escape(status)}">{escape(status)}</span>',
                _n(node.get("heard_ago_ms")),
                _n(node.get("late")),
                _n(node.get("deaths")),
            )
        )
    yield "<h2>Nodes</h2>"
    yield _table("nodes", ("node", "type", "status", "heard (ms ago)", "late", "deaths"), rows)


def _links(snapshot: Mapping[str, Any]) -> Iterable[str]:
    rows = []
    for name, value in sorted(_mapping(snapshot.get("nodes")).items()):
        for link, figures_value in sorted(_mapping(_mapping(value).get("links")).items()):
            figures = _mapping(figures_value)
            interval = _mapping(figures.get("interval_ms"))
            status = str(figures.get("status"))
            loss = figures.get("loss")
            rows.append(
                _row(
                    f'data-link="{escape(name)}:{escape(str(link))}"',
                    f"{escape(name)}:{escape(str(link))}",
                    f'<span class="st {escape(status)}">{escape(status)}</span>',
                    _n(figures.get("heard_ago_ms")),
                    _n(interval.get("last")),
                    _n(interval.get("mean")),
                    _n(interval.get("max")),
                    _n(interval.get("jitter")),
                    _n(loss * 100 if isinstance(loss, int | float) else None, "%"),
                    _n(figures.get("lost")),
                    _n(figures.get("late")),
                    _n(figures.get("deaths")),
                )
            )
    headers = ("link", "state", "heard (ms ago)", "last (ms)", "mean (ms)", "max (ms)",
               "jitter (ms)", "loss", "lost", "late", "dead")  # fmt: skip
    yield "<h2>Links</h2>"
    yield _table("links", headers, rows)


def _groups(snapshot: Mapping[str, Any], me: str) -> Iterable[str]:
    rows = []
    for key, value in sorted(_mapping(snapshot.get("groups")).items()):
        group = _mapping(value)
        holder, holds = holder_of(group, me)
        state = str(group.get("state"))
        rows.append(
            _row(
                f'data-group="{escape(key)}"',
                escape(key),
                escape(holder) if holds else "nobody" if holder == "none" else "not here",
                f'<span class="st {escape(state)}">{escape(state)}</span>',
                _action(group.get("last_acquire")),
                _action(group.get("last_release")),
            )
        )
    yield "<h2>Resource groups</h2>"
    headers = ("group", "holder", "state here", "last acquire", "last release")
    yield _table("groups", headers, rows)


def _events(events: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    items = []
    for event in reversed(list(events)):
        kind = str(event.get("kind"))
        tone = "bad" if kind in BAD_KINDS else "good" if kind in GOOD_KINDS else ""
        subject = " ".join(escape(str(event[k])) for k in ("node", "link", "group") if k in event)
        durations = _mapping(event.get("durations_ms"))
        took = ", ".join(
            f"{escape(name.removesuffix('_ms').replace('_', ' '))} {_number(ms)} ms"
            for name, ms in durations.items()
        )
        items.append(
            f'<li class="{tone}" data-kind="{escape(kind)}">'
            f'<span class="time">{escape(str(event.get("time", "")))}</span> '
            f'<span class="kind">{escape(kind)}</span> {subject}'
            f" &mdash; {escape(str(event.get('message', '')))}"
            + (f' <span class="took">[{took}]</span>' if took else "")
            + "</li>"
        )
    yield "<h2>Recent events</h2>"
    yield f'<ol class="timeline" id="events">{"".join(items)}</ol>' if items else "<p>None yet.</p>"


def _table(name: str, headers: Iterable[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join(rows)
    return f'<table id="{name}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class _Number(str):
    """A cell's HTML that is a number: right-aligned."""


def _row(attributes: str, *cells: str) -> str:
    return (
        f"<tr {attributes}>"
        + "".join(
            f'<td class="n">{cell}</td>' if isinstance(cell, _Number) else f"<td>{cell}</td>"
            for cell in cells
        )
        + "</tr>"
    )


def _n(value: object, unit: str = "") -> _Number:
    """A number cell; a dash when never measured."""
    return _Number(f"{_number(value)}{unit}" if _finite(value) else "&ndash;")


def _number(value: object) -> str:
    if not _finite(value):
        return "?"
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


def _finite(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def _action(value: object) -> str:
    action = _mapping(value)
    if not action:
        return "&ndash;"
    stamp = escape(str(action.get("time", "")))
    took = action.get("duration_ms")
    return stamp + (f' <span class="took">({_number(took)} ms)</span>' if _finite(took) else "")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}

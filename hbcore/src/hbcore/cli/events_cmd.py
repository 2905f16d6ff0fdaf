"""``hb events``: the cluster's history as this node saw it, with measured durations.

The running node answers from memory (``events`` on the control socket); a stopped node's
history is read from its events file in the state directory. ``-f`` follows: it asks the node
for what came after the last event shown, and goes on across a restart of the node.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from hbcore.state.paths import DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, NodePaths

FOLLOW_INTERVAL_S = 0.5
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}

Ask = Callable[..., dict[str, Any]]


def parse_since(text: str, now: datetime) -> float:
    """``--since``: a duration back from ``now`` (``90``, ``30s``, ``10m``, ``2.5h``, ``1d``),
    a time today (``23:00``, ``23:00:30``) or an ISO 8601 date and time (local time unless
    it names its zone); the epoch seconds it means.

    :raises click.BadParameter: for anything else.
    """
    text = text.strip()
    duration = DURATION.fullmatch(text)
    if duration:
        return (now - timedelta(seconds=float(duration[1]) * UNITS[duration[2]])).timestamp()
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
            clock = datetime.strptime(text if text.count(":") == 2 else text + ":00", "%H:%M:%S")
            moment = now.replace(hour=clock.hour, minute=clock.minute, second=clock.second)
            return moment.replace(microsecond=0).timestamp()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is neither a duration (10m, 2h, 1d) nor a time (23:00, 2026-12-04T23:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


@click.command("events")
@click.option(
    "--run-dir", type=click.Path(path_type=Path), default=DEFAULT_RUN_DIR, show_default=True
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_STATE_DIR,
    show_default=True,
    help="Where a stopped node's events file is.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event and line.")
@click.option(
    "--since", metavar="TIME|DURATION", help="Only events since then: 10m, 2h, 23:00, ISO 8601."
)
@click.option("-f", "--follow", is_flag=True, help="Go on printing events as they happen.")
def events(run_dir: Path, state_dir: Path, as_json: bool, since: str | None, follow: bool) -> None:
    """Show the cluster events this node recorded: nodes and links up and dead, late
    heartbeats beyond deadtime, takeovers, releases, standbys, failbacks, reloads, with the
    durations measured (death detected -> first resource started -> group acquired; standby
    asked -> peer holds).
    """
    from hbcore.control.client import NodeNotRunning, ask

    start = None if since is None else parse_since(since, datetime.now().astimezone())
    socket = NodePaths(run_dir=run_dir).control_socket
    printer = _printer(as_json)

    def asked(**request: Any) -> dict[str, Any]:
        return ask(socket, "events", **request)

    try:
        answer = all_pages(asked, since=start)
    except NodeNotRunning as error:
        if follow:
            answer = {"events": [], "last": 0, "generation": None}
            click.echo(f"hb events: {error}; waiting for the node", err=True)
        else:
            _from_file(NodePaths(state_dir=state_dir), start, printer, str(error))
            return
    if answer.get("ok") is False:
        click.echo(f"hb events: the node refused: {answer.get('error')}", err=True)
        sys.exit(1)
    shown = _show(answer["events"], printer)
    if follow:
        try:
            follow_events(asked, answer, time.time() if shown is None else shown, printer)
        except KeyboardInterrupt:
            return


def all_pages(asked: Ask, **request: Any) -> dict[str, Any]:
    """``asked(**request)``, asked again after the last event of each page while the node
    says there are ``more``: the last answer, with every page's events."""
    answer = asked(**request)
    records = list(answer.get("events", []))
    while answer.get("more") and records:
        answer = asked(**{**request, "after": records[-1]["n"]})
        if answer.get("ok") is False:
            break
        records += answer.get("events", [])
    return {**answer, "events": records}


def follow_events(
    asked: Ask,
    answer: dict[str, Any],
    last_epoch: float | None,
    printer: Callable[[dict[str, Any]], None],
    sleep: Callable[[float], None] = time.sleep,
    rounds: int | None = None,
) -> None:
    """Print what the node records after ``answer`` (the last answer shown), polling every
    :data:`FOLLOW_INTERVAL_S`, ``rounds`` times (None: until interrupted). A node that
    restarted numbers its events afresh: it is asked for those after the last time shown."""
    from hbcore.control.client import NodeNotRunning

    generation, last = answer.get("generation"), answer.get("last", 0)
    done = 0
    while rounds is None or done < rounds:
        done += 1
        sleep(FOLLOW_INTERVAL_S)
        try:
            fresh = all_pages(asked, after=last)
            if fresh.get("generation") != generation:
                fresh = all_pages(asked, since=last_epoch)
        except NodeNotRunning:
            continue
        if fresh.get("ok") is False:
            continue
        news = [e for e in fresh["events"] if last_epoch is None or e["epoch"] > last_epoch]
        last_epoch = _show(news, printer) or last_epoch
        generation, last = fresh.get("generation"), fresh.get("last", last)


def _from_file(
    paths: NodePaths, since: float | None, printer: Callable[[dict[str, Any]], None], why: str
) -> None:
    """A stopped node's history, from its events file."""
    from hbcore.stats.history import KEPT_EVENTS
    from hbcore.stats.journal import events_path, read_events

    path = events_path(paths.state_dir)
    loaded = read_events(path, KEPT_EVENTS)
    click.echo(f"hb events: {why}; from {path}", err=True)
    for warning in loaded.warnings:
        click.echo(f"hb events: {warning}", err=True)
    records = [e.as_json() for e in loaded.events if since is None or e.time >= since]
    _show(records, printer)


def _show(
    records: Iterable[dict[str, Any]], printer: Callable[[dict[str, Any]], None]
) -> float | None:
    """Print ``records``; the epoch of the last one, or None when there was none."""
    last = None
    for record in records:
        printer(record)
        last = record.get("epoch", last)
    return last


def _printer(as_json: bool) -> Callable[[dict[str, Any]], None]:
    from hbcore.cli.events_view import event_line

    def print_json(record: dict[str, Any]) -> None:
        click.echo(json.dumps({k: v for k, v in record.items() if k != "n"}))

    def print_line(record: dict[str, Any]) -> None:
        click.echo(event_line(record))

    return print_json if as_json else print_line

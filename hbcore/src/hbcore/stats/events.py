"""Cluster events: what happened, when, and how long it took, as one record each.

An :class:`Event` is a value: its wall-clock time, a ``kind`` from :data:`KINDS`, the node,
link and group it concerns, heartbeat's log text for it where heartbeat has one, measured
durations in milliseconds, and a few details. :meth:`Event.as_json` is both the line written
to the events file and what ``hb events --json`` prints; :func:`event_from_json` reads it back
and refuses anything else with a reason (a file on disk is input like any other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard, cast

SCHEMA = 1
"""The version of an event record (``"v"``). New keys may appear within a version; a key
that changes meaning or goes away raises it."""

KINDS = frozenset(
    {
        "start",
        "stop",
        "node_up",
        "node_status",
        "node_dead",
        "link_up",
        "link_dead",
        "late_heartbeat",
        "partition_healed",
        "takeover",
        "acquired",
        "acquire_failed",
        "released",
        "standby",
        "failback",
        "reload",
    }
)
"""Every kind of event (documented in docs/node.md, ``hb events``)."""
TEXT_LIMIT = 500
"""The longest text a record may carry in one field."""
DETAIL_LIMIT = 16
"""The most durations or details one record may carry."""

Detail = str | int | float | bool


@dataclass(frozen=True)
class Event:
    """One cluster event. ``time`` is wall-clock (``time.time()``) seconds."""

    time: float
    kind: str
    node: str | None = None
    link: str | None = None
    group: str | None = None
    message: str | None = None
    durations_ms: dict[str, float] = field(default_factory=dict)
    details: dict[str, Detail] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The record as a JSON object: ``v``, ``time`` (ISO 8601, UTC), ``epoch``, ``kind``,
        then only the fields that are set."""
        record: dict[str, Any] = {
            "v": SCHEMA,
            "time": iso_time(self.time),
            "epoch": round(self.time, 6),
            "kind": self.kind,
        }
        for name in ("node", "link", "group", "message"):
            value = getattr(self, name)
            if value is not None:
                record[name] = value
        if self.durations_ms:
            record["durations_ms"] = dict(self.durations_ms)
        if self.details:
            record["details"] = dict(self.details)
        return record


def iso_time(epoch: float) -> str:
    """``epoch`` as ISO 8601 in UTC with milliseconds (``2026-12-04T23:01:02.345Z``)."""
    stamp = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


class NotAnEvent(ValueError):
    """A JSON value that is not an event record; the text says what is wrong."""


def event_from_json(record: object) -> Event:
    """The event ``record`` (as :meth:`Event.as_json` wrote it) describes.

    :raises NotAnEvent: for anything else: not an object, another version, an unknown kind, a
        field of the wrong type, a text over :data:`TEXT_LIMIT`, too many durations.
    """
    if not isinstance(record, dict):
        raise NotAnEvent("not a JSON object")
    if record.get("v") != SCHEMA:
        raise NotAnEvent(f"version {record.get('v')!r}, not {SCHEMA}")
    epoch = record.get("epoch")
    if not _is_number(epoch) or epoch < 0:
        raise NotAnEvent("no valid epoch")
    kind = record.get("kind")
    if kind not in KINDS:
        raise NotAnEvent(f"unknown kind {kind!r}")
    texts = {name: _text(record, name) for name in ("node", "link", "group", "message")}
    return Event(
        float(epoch),
        str(kind),
        texts["node"],
        texts["link"],
        texts["group"],
        texts["message"],
        _numbers(record.get("durations_ms")),
        _details(record.get("details")),
    )


def _is_number(value: object) -> TypeGuard[int | float]:
    """A finite JSON number (a boolean is not one)."""
    return type(value) in (int, float) and math.isfinite(cast(float, value))


def _text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > TEXT_LIMIT:
        raise NotAnEvent(f"{name} is not a text of at most {TEXT_LIMIT} characters")
    return value


def _numbers(value: object) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > DETAIL_LIMIT:
        raise NotAnEvent(f"durations_ms is not an object of at most {DETAIL_LIMIT} numbers")
    numbers = {}
    for name, number in value.items():
        if not _is_number(number) or len(name) > 64:
            raise NotAnEvent(f"duration {name[:64]!r} is not a number")
        numbers[name] = float(number)
    return numbers


def _details(value: object) -> dict[str, Detail]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > DETAIL_LIMIT:
        raise NotAnEvent(f"details is not an object of at most {DETAIL_LIMIT} values")
    details: dict[str, Detail] = {}
    for name, detail in value.items():
        if len(name) > 64 or not isinstance(detail, str | int | float | bool):
            raise NotAnEvent(f"detail {name[:64]!r} is not a text, number or boolean")
        if isinstance(detail, str) and len(detail) > TEXT_LIMIT:
            raise NotAnEvent(f"detail {name[:64]!r} is too long")
        if isinstance(detail, float) and not math.isfinite(detail):
            raise NotAnEvent(f"detail {name[:64]!r} is not finite")
        details[name] = detail
    return details

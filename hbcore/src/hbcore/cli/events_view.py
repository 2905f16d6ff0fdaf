"""One cluster event as a line of text (``hb events``, the end of ``hb status``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

DURATION_WORDS = {
    "silence_ms": "silent",
    "detected_to_first_start_ms": "first start",
    "detected_to_acquired_ms": "acquired",
    "asked_to_released_ms": "released",
    "asked_to_held_ms": "held",
    "duration_ms": "took",
    "interval_ms": "interval",
}
"""How a duration reads in a line (measured from the detection or the request)."""


def event_line(event: Mapping[str, Any]) -> str:
    """``2026-12-04 23:27:25.123 takeover  linuxha2 10.0.0.2  took over ...  [acquired 12 ms]``
    in local time; unknown keys are shown by their names."""
    when = datetime.fromtimestamp(float(event.get("epoch", 0.0))).astimezone()
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    subject = " ".join(str(event[key]) for key in ("node", "link", "group") if event.get(key))
    line = f"{stamp} {event.get('kind', '?'):<16} {subject:<24} {event.get('message', '')}"
    durations = event.get("durations_ms") or {}
    if durations:
        figures = ", ".join(
            f"{DURATION_WORDS.get(name, name)} {value:g} ms" for name, value in durations.items()
        )
        line += f"  [{figures}]"
    return line.rstrip()

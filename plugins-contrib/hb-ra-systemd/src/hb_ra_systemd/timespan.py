"""systemd's time spans as ``systemctl show`` prints them (``1min 30s``, ``100ms``,
``infinity``)."""

from __future__ import annotations

import math
import re

_PART = re.compile(r"\s*([0-9]{1,15}(?:\.[0-9]{1,9})?)\s*([a-zµ]*)\s*", re.IGNORECASE)
_SECONDS = {
    "": 1.0,
    "us": 1e-6,
    "usec": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "msec": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
    "M": 2629800.0,
    "month": 2629800.0,
    "months": 2629800.0,
    "y": 31557600.0,
    "year": 31557600.0,
    "years": 31557600.0,
}


def timespan(text: str) -> float | None:
    """``text`` in seconds; None for ``infinity``. Raises ``ValueError`` for anything else."""
    if text.strip() == "infinity":
        return None
    total, position = 0.0, 0
    while position < len(text):
        part = _PART.match(text, position)
        if part is None or part.end() == position:
            raise ValueError(f"{text!r} is not a systemd time span")
        unit = part[2] if part[2] in _SECONDS else part[2].lower()
        if unit not in _SECONDS:
            raise ValueError(f"{text!r} has the unknown unit {part[2]!r}")
        total += float(part[1]) * _SECONDS[unit]
        position = part.end()
    if position == 0 or not math.isfinite(total):
        raise ValueError(f"{text!r} is not a systemd time span")
    return total

"""Times as OCF meta-data and Pacemaker write them (``20s``, ``2min``, ``500ms``, ``90``)."""

from __future__ import annotations

import math
import re

MAX_SECONDS = 7 * 24 * 3600.0
"""The longest time accepted: a week; no action should be allowed longer."""

_TIME = re.compile(r"\s*([0-9]{1,12}(?:\.[0-9]{1,9})?)\s*([a-z]*)\s*", re.IGNORECASE)
_UNITS = {
    "": 1.0,
    "s": 1.0,
    "sec": 1.0,
    "ms": 0.001,
    "msec": 0.001,
    "us": 0.000001,
    "usec": 0.000001,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
}


def seconds(text: str) -> float | None:
    """``text`` in seconds, as Pacemaker's ``crm_get_msec`` reads it (a bare number is
    seconds; units s, sec, ms, msec, us, usec, m, min, h, hr); None when it is not a time or
    exceeds :data:`MAX_SECONDS`. Never raises."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    scale = _UNITS.get(match[2].lower())
    if scale is None:
        return None
    value = float(match[1]) * scale
    return value if math.isfinite(value) and value <= MAX_SECONDS else None

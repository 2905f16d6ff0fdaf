"""Parsers for ``ha.cf`` arguments, with heartbeat 3.0.6's rules.

Every parser takes the text of one argument (a token, or the rest of the line for whole-line
directives) and returns a typed value, or raises :class:`ArgumentError` saying what is wrong and
how to fix it. Plugins use these so that ``bcast``, ``baud`` or ``deadping`` read exactly like
heartbeat's own directives.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable

_TRUE_WORDS = frozenset({"true", "on", "yes", "y", "1"})
_FALSE_WORDS = frozenset({"false", "off", "no", "n", "0"})


class ArgumentError(ValueError):
    """An argument a directive cannot accept.

    ``problem`` says what is wrong, ``fix`` how to put it right; both are shown to the user as
    ``ha.cf:LINE: problem; fix``.
    """

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}; {fix}")
        self.problem = problem
        self.fix = fix


def boolean(text: str) -> bool:
    """heartbeat's booleans: true/on/yes/y/1 and false/off/no/n/0, any case."""
    word = text.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ArgumentError(f"'{text}' is not a boolean", "use on or off (also yes/no, true/false)")


def milliseconds(text: str) -> int:
    """A time value as heartbeat reads it (``cl_get_msec``), in whole milliseconds.

    A bare number is seconds and may be fractional (``1.5`` is 1500); the suffix ``ms`` (or any
    word starting with ``ms``) means milliseconds and ``us`` (or ``usec``) microseconds, with
    optional blanks before the unit. Any other suffix, ``2s`` included, is invalid.
    """
    stripped = text.strip()
    digits = len(stripped) - len(stripped.lstrip("0123456789."))
    number_text, unit = stripped[:digits], stripped[digits:].strip()
    try:
        number = float(number_text)
    except ValueError:
        raise ArgumentError(
            f"'{text}' is not a time value", "write seconds (2, 0.5) or milliseconds (500ms)"
        ) from None
    if unit == "":
        scale = 1000.0
    elif unit.startswith("ms"):
        scale = 1.0
    elif unit.startswith("us"):
        scale = 0.001
    else:
        raise ArgumentError(
            f"'{text}' has the unit '{unit}', which heartbeat does not accept",
            "write plain seconds (2) or use ms/us (2000ms); '2s' and '2sec' are invalid",
        )
    # Half-way values round up, as heartbeat's C arithmetic does (Python's round() would not).
    return math.floor(number * scale + 0.5)


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """A parser for a decimal integer within ``[minimum, maximum]`` (either bound optional)."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise ArgumentError(f"'{text}' is not a whole number", "write digits only") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            low = "" if minimum is None else str(minimum)
            high = "" if maximum is None else str(maximum)
            raise ArgumentError(f"{value} is out of range", f"use a value in {low}..{high}")
        return value

    return parse


def choice(*allowed: str, case_sensitive: bool = False) -> Callable[[str], str]:
    """A parser accepting one of ``allowed``; returns the allowed spelling."""

    def parse(text: str) -> str:
        for word in allowed:
            if text == word or (not case_sensitive and text.lower() == word.lower()):
                return word
        raise ArgumentError(f"'{text}' is not allowed here", f"use one of {', '.join(allowed)}")

    return parse


def ipv4_address(text: str) -> ipaddress.IPv4Address:
    """A numeric IPv4 address (heartbeat uses ``inet_pton``: no host names)."""
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise ArgumentError(
            f"'{text}' is not a numeric IPv4 address", "write it as four numbers, e.g. 10.0.0.1"
        ) from None


def absolute_path(text: str) -> str:
    """A path that must start with ``/``."""
    if not text.startswith("/"):
        raise ArgumentError(f"'{text}' is not an absolute path", "write the full path from /")
    return text

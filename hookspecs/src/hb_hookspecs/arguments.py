"""Parsers for ``ha.cf`` arguments, with heartbeat 3.0.6's rules.

Every parser takes the text of one argument (a token, or the rest of the line for whole-line
directives) and returns a typed value, or raises :class:`ArgumentError` saying what is wrong and
how to fix it. Plugins use these so that ``bcast``, ``baud`` or ``deadping`` read exactly like
heartbeat's own directives.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable

_TRUE_WORDS = frozenset({"true", "on", "yes", "y", "1"})
_FALSE_WORDS = frozenset({"false", "off", "no", "n", "0"})
_DECIMAL = re.compile(r"[+-]?[0-9]+")

MAX_DIGITS = 20
"""More significant digits than 2**64 has: no directive's range reaches that far, so such a
number is refused before ``int()`` is asked to convert it."""
MAX_MILLISECONDS = 2**31 - 1
"""The longest time value accepted (about 24.8 days): far beyond any sensible timer, and within
every timer API the node hands it to."""
IFNAMSIZ = 16
"""The kernel's limit on interface names, terminating NUL included."""
MAX_HOST_NAME = 253
"""The longest DNS name, in characters (without a final dot)."""
MAX_LABEL = 63
"""The longest label (the part between dots) of a DNS name."""


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
    # A number of hundreds of digits is infinite as a float: refused before floor() sees it.
    value = number * scale + 0.5
    if not value < MAX_MILLISECONDS + 1:
        raise ArgumentError(
            f"time '{text}' is too large",
            f"give at most {MAX_MILLISECONDS} ms (about 24 days)",
        )
    return math.floor(value)


def time_value(minimum_ms: int) -> Callable[[str], int]:
    """A parser for a heartbeat time value (see :func:`milliseconds`) of at least
    ``minimum_ms`` milliseconds."""

    def parse(text: str) -> int:
        value = milliseconds(text)
        if value < minimum_ms:
            bound = "greater than 0" if minimum_ms == 1 else f"at least {minimum_ms} ms"
            raise ArgumentError(f"time '{text}' is too small", f"give a time {bound}")
        return value

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """A parser for a decimal integer within ``[minimum, maximum]`` (either bound optional).

    ASCII digits with an optional sign, as C's ``atoi`` reads them; a number of more than
    :data:`MAX_DIGITS` significant digits is out of range whatever the bounds.
    """
    low = "" if minimum is None else str(minimum)
    high = "" if maximum is None else str(maximum)

    def parse(text: str) -> int:
        if not _DECIMAL.fullmatch(text):
            raise ArgumentError(f"'{text}' is not a whole number", "write digits only")
        if len(text.lstrip("+-").lstrip("0")) > MAX_DIGITS:
            raise ArgumentError(f"'{text}' is out of range", f"use a value in {low}..{high}")
        value = int(text, 10)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
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


def interface_name(text: str) -> str:
    """A network interface name (an alias such as ``eth0:1`` included) that can exist on Linux:
    at most IFNAMSIZ - 1 bytes, no ``/``, no NUL or blank. Whether it exists here is a fact of
    the host, checked by ``hb check``."""
    if len(text.encode("utf-8", "surrogateescape")) >= IFNAMSIZ:
        raise ArgumentError(
            f"interface name '{text}' is longer than {IFNAMSIZ - 1} bytes",
            "name an interface as `ip link` shows it, e.g. eth0",
        )
    if not text or text in (".", "..") or "/" in text or not text.isprintable():
        raise ArgumentError(
            f"'{text}' is not an interface name",
            "name an interface as `ip link` shows it, e.g. eth0",
        )
    return text


def host_name(text: str) -> str:
    """A numeric address or a name a resolver can be asked about.

    Refuses what no lookup can succeed with and what Python's lookup would raise on rather than
    answer: labels empty or over :data:`MAX_LABEL` characters, a name over
    :data:`MAX_HOST_NAME`, blanks and control characters, bytes that are not UTF-8, and
    non-ASCII labels IDNA cannot encode. Whether the name resolves is a fact of the host.
    """
    fix = "write the IP address, or a host name of dot-separated labels of 1 to 63 characters"
    name = text.removesuffix(".")
    if len(name) > MAX_HOST_NAME:
        raise ArgumentError(f"host name '{text}' is longer than {MAX_HOST_NAME} characters", fix)
    if not name or not name.isprintable() or " " in name:
        raise ArgumentError(f"'{text}' is not a host name", fix)
    for label in name.split("."):
        if not 0 < len(label) <= MAX_LABEL:
            raise ArgumentError(f"host name '{text}' has a label of {len(label)} characters", fix)
    try:
        name.encode("idna")
    except UnicodeError:
        raise ArgumentError(f"'{text}' is not a valid host name", fix) from None
    return text

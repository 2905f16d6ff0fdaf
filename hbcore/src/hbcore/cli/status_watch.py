"""``hb status --watch``: the status again and again, in place on a terminal.

On a terminal each refresh moves the cursor home and clears the screen first (two ANSI
sequences every terminal emulator knows; no curses needed), so the view stays put. Anywhere
else (a pipe, a file, a test) each refresh is appended after a line with its time, so the
output stays a readable log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

HOME_AND_CLEAR = "\x1b[H\x1b[2J"
"""Cursor to the top left, then erase the screen (ECMA-48 CUP and ED)."""


def watch(
    render: Callable[[], str],
    out: TextIO,
    interval_s: float,
    count: int | None = None,
    stamped: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Write ``render()`` to ``out`` every ``interval_s`` seconds, ``count`` times (None: until
    interrupted). Whether ``out`` is a terminal decides between in place and appended;
    ``stamped=False`` appends each view alone on its line (JSON lines for scripts)."""
    in_place = out.isatty()
    shown = 0
    while count is None or shown < count:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        text = render()
        if in_place:
            out.write(f"{HOME_AND_CLEAR}{stamp}  every {interval_s:g} s, Ctrl-C ends\n\n{text}\n")
        elif stamped:
            out.write(f"{'' if shown == 0 else chr(10)}--- {stamp}\n{text}\n")
        else:
            out.write(f"{text}\n")
        out.flush()
        shown += 1
        if count is None or shown < count:
            sleep(interval_s)

"""Reading a script's ``status`` answer: by its words for heartbeat scripts, by its exit code
for LSB init scripts."""

from __future__ import annotations

import re

# ResourceManager's we_own_resource, case by case: `*[Nn][Oo][Tt]\ *[Rr]unning*` is stopped,
# then `*[Rr]unning*|*OK*` is running, anything else stopped. Only the first letter of
# "running" may be upper case; "OK" must be; the stars match newlines too.
_NOT_RUNNING = re.compile(r"[Nn][Oo][Tt] .*[Rr]unning", re.DOTALL)
_RUNNING = re.compile(r"[Rr]unning|OK")

LSB_RUNNING = 0
LSB_STOPPED = 3


def heartbeat_says_running(stdout: str) -> bool:
    """True when a heartbeat script's ``status`` output says it runs; the exit code is ignored."""
    if _NOT_RUNNING.search(stdout):
        return False
    return _RUNNING.search(stdout) is not None


def lsb_says_running(returncode: int) -> bool:
    """True for LSB exit code 0; 3 is stopped, and every other code (1 and 2 are "dead" with a
    stale pid or lock file, 4 is unknown) counts as not running."""
    return returncode == LSB_RUNNING

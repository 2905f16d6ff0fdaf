"""The cluster's web service and what the client sees of it: which node answers at the cluster
address, on the lab's clock.

The service is a heartbeat ``resource.d`` script that serves the node's name over HTTP on port
80. The poller, this module run in the client namespace (``python -m hb_lab.web 10.77.1.100``),
asks ``http://ADDRESS/`` every 10 ms and prints each change of answer as ``<monotonic seconds>
<answer>`` (the serving node's name, or ``-`` for no answer). :class:`Answers` runs the poller
and collects those changes. The monotonic clock is the machine's, shared by every namespace, so
the answers line up with the nodes' log lines.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from hb_lab.netns import netns_exec_argv

NO_ANSWER = "-"


# -- the service -----------------------------------------------------------------------------------

SCRIPT_NAME = "demo-web"

_TEMPLATE = """#!/bin/sh
# {name}: hb demo web service (heartbeat resource.d convention: start | stop | status).
PIDFILE=/run/{name}.pid
DOCROOT=/run/{name}
running() {{ [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }}
case "$1" in
start)
    running && exit 0
    mkdir -p "$DOCROOT" && uname -n > "$DOCROOT/index.html"
    setsid {python} -m http.server 80 --directory "$DOCROOT" >/dev/null 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    ;;
stop)
    running && kill "$(cat "$PIDFILE")"
    rm -f "$PIDFILE"
    ;;
status)
    if running; then echo "{name} is running"; else echo "{name} is stopped"; fi
    ;;
esac
exit 0
"""


def script_text() -> str:
    """The script, running this interpreter's Python for the HTTP server."""
    return _TEMPLATE.format(name=SCRIPT_NAME, python=sys.executable)


def install_script(ha_d: Path) -> None:
    """Put the script into the ``resource.d`` of a node's ``/etc/ha.d`` (host path ``ha_d``)."""
    script = ha_d / "resource.d" / SCRIPT_NAME
    script.parent.mkdir(exist_ok=True)
    script.write_text(script_text())
    script.chmod(0o755)


# -- the poller ------------------------------------------------------------------------------------

INTERVAL_S = 0.01
TIMEOUT_S = 0.2


def ask(url: str) -> str:
    """The page at ``url`` (the node's name), or ``-``: also when the answer breaks off
    half-way, as it does when the address moves during a request."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return str(response.read().decode().strip()) or NO_ANSWER
    except (OSError, http.client.HTTPException, UnicodeDecodeError):
        return NO_ANSWER


def main() -> None:
    url = f"http://{sys.argv[1]}/"
    last = None
    while True:
        answer = ask(url)
        if answer != last:
            print(f"{time.monotonic():.6f} {answer}", flush=True)
            last = answer
        time.sleep(INTERVAL_S)


# -- the answers -----------------------------------------------------------------------------------

POLL_S = 0.01


class Answers:
    """The poller in the client namespace, and every change of answer it has reported."""

    def __init__(self, netns: str, address: str) -> None:
        self.address = address
        argv = [sys.executable, "-m", "hb_lab.web", address]
        self._process = subprocess.Popen(
            netns_exec_argv(netns, argv), stdout=subprocess.PIPE, text=True
        )
        self._changes: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="hb-lab-answers", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            at, answer = line.split()
            with self._lock:
                self._changes.append((float(at), answer))

    def changes(self, since: float = 0.0) -> list[tuple[float, str]]:
        """Every (time, answer) change reported at or after ``since``."""
        with self._lock:
            return [(at, answer) for at, answer in self._changes if at >= since]

    def current(self) -> str:
        """The latest answer (``-`` before the first one, or while nothing answers)."""
        with self._lock:
            return self._changes[-1][1] if self._changes else NO_ANSWER

    def wait_for(self, answer: str, since: float, timeout: float) -> float:
        """When the address first answered ``answer`` at or after ``since`` (the answer it was
        already giving at ``since`` counts, from ``since``).

        :raises TimeoutError: if it did not within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                before = [seen for at, seen in self._changes if at < since]
                after = [(at, seen) for at, seen in self._changes if at >= since]
            if before and before[-1] == answer:
                return since
            for at, seen in after:
                if seen == answer:
                    return at
            if time.monotonic() > deadline:
                got = self.current()
                raise TimeoutError(
                    f"http://{self.address}/ did not answer from {answer} within {timeout:g} s "
                    f"(it answers {'nothing' if got == NO_ANSWER else 'from ' + got})"
                )
            time.sleep(POLL_S)

    def stop(self) -> None:
        """Stop the poller and wait for it."""
        self._process.kill()
        self._process.wait()
        self._reader.join(timeout=5)


if __name__ == "__main__":
    main()

"""What the lab's client sees at the cluster address: which node answers, on the lab's clock.

The client runs :mod:`hbcore.demo.poller` in its namespace (it asks ``http://ADDRESS/`` every
10 ms; the web service there answers with the serving node's name). Every change of answer
arrives with the time the poller saw it, on the machine's monotonic clock, which every
namespace shares: the answers line up with the nodes' log lines.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from hbcore.lab.net.iproute import netns_exec_argv

NO_ANSWER = "-"
POLL_S = 0.01


class Answers:
    """The poller in the client namespace, and every change of answer it has reported."""

    def __init__(self, netns: str, address: str) -> None:
        self.address = address
        argv = [sys.executable, "-m", "hbcore.demo.poller", address]
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

"""The demo's client: asks ``http://ADDRESS/`` every 10 ms and prints each change of answer as
``<monotonic seconds> <answer>`` (the serving node's name, or ``-`` for no answer).

Run inside the client namespace: ``python -m hbcore.demo.poller 10.77.1.100``. The monotonic
clock is the machine's, shared by every namespace, so its times line up with the lab's.
"""

from __future__ import annotations

import sys
import time
import urllib.request

INTERVAL_S = 0.01
TIMEOUT_S = 0.2
NO_ANSWER = "-"


def ask(url: str) -> str:
    """The page at ``url`` (the node's name), or ``-``."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return str(response.read().decode().strip()) or NO_ANSWER
    except OSError:
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


if __name__ == "__main__":
    main()

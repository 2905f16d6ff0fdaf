"""The ``cl_status`` command: heartbeat's status tool, answered by an hb node (the queries and
their answers are :mod:`hbcore.cli.cl_status`).

It asks the node on its control socket under the run directory: ``/run`` (where ``hb start``
puts it by default), or ``$HB_RUN_DIR`` for a node started with ``--run-dir``. As heartbeat's,
it has no option of its own (the first argument is always the sub-command), writes the lines
heartbeat logs to standard error after heartbeat's log prefix
(``Dec 04 20:47:19 HOST cl_status: [PID]: ERROR: ``), and gives up after 5 s with exit code 12.
It imports no more than it needs: monitoring scripts call it often.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, Any

from hbcore.cli.cl_status import TIMEOUT, Logged, answer, is_subcommand
from hbcore.control.client import NodeNotRunning, ask
from hbcore.state.paths import DEFAULT_RUN_DIR, NodePaths

RUN_DIR_VARIABLE = "HB_RUN_DIR"
ALARM_S = 5
"""heartbeat's cl_status exits with :data:`TIMEOUT` when the whole run takes longer."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""English whatever the locale, as in heartbeat's log lines."""


def main() -> None:
    """The ``cl_status`` console script."""
    signal.signal(signal.SIGALRM, _time_out)
    signal.alarm(ALARM_S)
    sys.exit(run(sys.argv[1:], os.environ, sys.stdout, sys.stderr))


def run(
    arguments: Sequence[str], environment: Mapping[str, str], out: IO[str], err: IO[str]
) -> int:
    """Answer ``cl_status ARGUMENTS`` and return its exit code. Only a sub-command asks the
    node (help and an unknown sub-command do not)."""
    report: dict[str, Any] | None = None
    if arguments and is_subcommand(arguments[0]):
        run_dir = Path(environment.get(RUN_DIR_VARIABLE) or DEFAULT_RUN_DIR)
        try:
            report = ask(NodePaths(run_dir=run_dir).control_socket, "status")
        except NodeNotRunning:
            report = None
    reply = answer(report, arguments, posix="POSIXLY_CORRECT" in environment)
    for line in reply.err:
        err.write(f"{log_prefix()}{line}\n" if isinstance(line, Logged) else f"{line}\n")
    for line in reply.out:
        out.write(f"{line}\n")
    return reply.code


def log_prefix(now: float | None = None) -> str:
    """What heartbeat's logging puts before an error line on standard error."""
    moment = time.localtime(now)
    stamp = f"{MONTHS[moment.tm_mon - 1]} {moment.tm_mday:02d} {time.strftime('%H:%M:%S', moment)}"
    return f"{stamp} {os.uname().nodename} cl_status: [{os.getpid()}]: ERROR: "


def _time_out(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(TIMEOUT)

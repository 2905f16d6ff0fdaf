"""Logging the way heartbeat logs, through structlog.

Code logs heartbeat's exact message text as the event and adds fields for machines:
``log.warning("node linuxha2: is dead", node="linuxha2")``. Each destination renders it:

- ``logfile`` / ``debugfile``: heartbeat 3.0.6's line,
  ``Nov 25 10:22:12 linuxha1 heartbeat: [18150]: WARN: node linuxha2: is dead``;
- ``logfacility``: syslog, ``heartbeat: [PID]: WARN: text`` (syslog adds time and host);
- JSON lines (``--log-json FILE``) with every field, for log shippers;
- standard error in the foreground, in the file format.

The debug file receives debug messages when ``debug`` is above 0; the others start at info.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

PROGRAM = "heartbeat"
DISABLED = Path("/dev/null")

# heartbeat's spelling of each level in its log lines.
LEVEL_WORDS = {
    "debug": "debug",
    "info": "info",
    "warning": "WARN",
    "error": "ERROR",
    "critical": "CRIT",
}


@dataclass(frozen=True)
class LogTargets:
    """Where log lines go, from ha.cf (``logfile``, ``debugfile``, ``logfacility``, ``debug``)
    and the command line."""

    logfile: Path | None = None
    debugfile: Path | None = None
    facility: str | None = None
    debug_level: int = 0
    json_file: Path | None = None
    stderr: bool = False
    syslog_address: str = "/dev/log"


def heartbeat_line(event: MutableMapping[str, Any], hostname: str) -> str:
    """Render one event as heartbeat's ha-log line (the fields other than the text are
    dropped: the line must be what users grep for)."""
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(event.get("timestamp", time.time())))
    level = LEVEL_WORDS.get(event.get("level", "info"), "info")
    return f"{stamp} {hostname} {PROGRAM}: [{os.getpid()}]: {level}: {event['event']}"


def syslog_line(event: MutableMapping[str, Any]) -> str:
    """heartbeat's syslog message; the syslog daemon adds the time and host."""
    level = LEVEL_WORDS.get(event.get("level", "info"), "info")
    return f"{PROGRAM}: [{os.getpid()}]: {level}: {event['event']}"


def configure_logging(targets: LogTargets, hostname: str) -> None:
    """Route every structlog and stdlib log record of this process to ``targets``."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        _add_timestamp,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if targets.debug_level > 0 else logging.INFO)

    def classic(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
        return heartbeat_line(event, hostname)

    def syslogged(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
        return syslog_line(event)

    if targets.logfile is not None and targets.logfile != DISABLED:
        root.addHandler(
            _handler(logging.FileHandler(targets.logfile), classic, logging.INFO, shared)
        )
    if targets.debugfile is not None and targets.debugfile != DISABLED:
        root.addHandler(
            _handler(logging.FileHandler(targets.debugfile), classic, logging.DEBUG, shared)
        )
    if targets.json_file is not None:
        root.addHandler(
            _handler(
                logging.FileHandler(targets.json_file),
                structlog.processors.JSONRenderer(),
                logging.DEBUG,
                shared,
            )
        )
    if targets.stderr:
        root.addHandler(_handler(logging.StreamHandler(sys.stderr), classic, logging.DEBUG, shared))
    if targets.facility is not None and targets.facility != "none":
        syslog = _syslog_handler(targets.facility, targets.syslog_address)
        if syslog is not None:
            root.addHandler(_handler(syslog, syslogged, logging.INFO, shared))


def _add_timestamp(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    event.setdefault("timestamp", time.time())
    return event


def _handler(
    handler: logging.Handler, renderer: Any, level: int, shared: list[Any]
) -> logging.Handler:
    handler.setLevel(level)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    return handler


def _syslog_handler(facility: str, address: str) -> logging.Handler | None:
    """A syslog handler, or None when this machine has no syslog socket (logged to stderr)."""
    code = logging.handlers.SysLogHandler.facility_names.get(facility)
    if code is None:
        return None
    try:
        return logging.handlers.SysLogHandler(address=address, facility=code)
    except OSError as error:
        print(f"hb: cannot log to syslog at {address}: {error}", file=sys.stderr)
        return None

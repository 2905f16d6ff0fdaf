"""Logging the way heartbeat logs, through structlog.

Code logs heartbeat's exact message text as the event and adds fields for machines:
``log.warning("node linuxha2: is dead", node="linuxha2")``. Each destination renders it:

- ``logfile`` / ``debugfile``: heartbeat 3.0.6's line,
  ``Nov 25 10:22:12 linuxha1 heartbeat: [18150]: WARN: node linuxha2: is dead``;
- ``logfacility``: syslog, ``heartbeat: [PID]: WARN: text`` (syslog adds time and host);
- JSON lines (``--log-json FILE``) with every field, for log shippers;
- standard error in the foreground, in the file format.

The debug file receives debug messages when ``debug`` is above 0; the others start at info.
The level moves while the node runs (SIGUSR1 and SIGUSR2, a reload): :func:`set_debug_level`.

Logging never stops the node: a log file that is removed or rotated is opened again, and one
that cannot be written is said once, through syslog or standard error, which then receive its
lines until the file can be written again.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import socket
import sys
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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


def unwritable_reason(path: Path) -> str | None:
    """Why lines cannot be appended to the log file ``path``, or None when they can.

    The file is created when missing, as the first line would create it. Checked at start,
    before the node forks, so that the operator sees the reason.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        return error.strerror or str(error)
    os.close(descriptor)
    return None


def configure_logging(targets: LogTargets, hostname: str) -> None:
    """Route every structlog and stdlib log record of this process to ``targets``.

    Never raises for a destination it cannot reach: an unwritable file is reported through
    the fallback (see :class:`LogFile`), a missing syslog socket on standard error.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        _add_timestamp,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=_BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    set_debug_level(targets.debug_level)

    def classic(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
        return heartbeat_line(event, hostname)

    def syslogged(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
        return syslog_line(event)

    files: list[LogFile] = []
    for name, path, renderer, level in (
        ("logfile", targets.logfile, classic, logging.INFO),
        ("debugfile", targets.debugfile, classic, logging.DEBUG),
        ("--log-json", targets.json_file, structlog.processors.JSONRenderer(), logging.DEBUG),
    ):
        if path is not None and path != DISABLED:
            files.append(LogFile(path, name))
            _handler(files[-1], renderer, level, shared)
    others: list[logging.Handler] = []
    if targets.stderr:
        others.append(_handler(logging.StreamHandler(sys.stderr), classic, logging.DEBUG, shared))
    syslog = None
    if targets.facility is not None and targets.facility != "none":
        syslog = _syslog_handler(targets.facility, targets.syslog_address)
        if syslog is not None:
            others.append(_handler(syslog, syslogged, logging.INFO, shared))

    def own_fallback() -> tuple[logging.Handler, str]:
        if _syslog_unreachable(targets.syslog_address) is None:
            daemon = _SysLog(targets.syslog_address, logging.handlers.SysLogHandler.LOG_DAEMON)
            return _handler(daemon, syslogged, logging.INFO, shared), "syslog"
        stream = logging.StreamHandler(sys.stderr)
        return _handler(stream, classic, logging.DEBUG, shared), "standard error"

    fallback = Fallback(others, "syslog" if syslog is not None else "standard error", own_fallback)
    for handler in [*files, *others]:
        root.addHandler(handler)
    for file in files:
        file.fallback = fallback
        file.open_now()


QUIET_LIBRARIES = ("pyroute2", "scapy", "asyncio")
"""Loggers kept at WARNING whatever the debug level: their debug lines are theirs, not hb's."""
_debug_level = 0
"""heartbeat's ``debug``: the level :func:`set_debug_level` set last."""


def set_debug_level(level: int) -> None:
    """Set heartbeat's debug level (ha.cf ``debug``; 0 is off): debug lines reach the debug
    file, the JSON log and standard error while it is above 0, and no destination below."""
    global _debug_level
    _debug_level = max(0, level)
    logging.getLogger().setLevel(logging.DEBUG if _debug_level > 0 else logging.INFO)
    # Libraries' own debug output (pyroute2 dumps every netlink message) is not hb's debug.
    for library in QUIET_LIBRARIES:
        logging.getLogger(library).setLevel(logging.WARNING)


def debug_level() -> int:
    """The debug level in force (see :func:`set_debug_level`)."""
    return _debug_level


class Fallback:
    """Where lines go while a log file cannot be written.

    When syslog or standard error is already a destination, the lines reach it anyway and
    only the failure needs saying there. Otherwise a handler is made on first need (syslog,
    facility ``daemon``, else standard error) and receives the failing file's lines.
    """

    def __init__(
        self,
        others: list[logging.Handler],
        others_name: str,
        make_own: Callable[[], tuple[logging.Handler, str]],
    ) -> None:
        self._others = others
        self._others_name = others_name
        self._make_own = make_own
        self._own: logging.Handler | None = None
        self._own_name = ""

    @property
    def name(self) -> str:
        """Where the lines go instead: ``syslog`` or ``standard error``."""
        if self._others:
            return self._others_name
        self._ensure_own()
        return self._own_name

    def announce(self, level: int, text: str) -> None:
        """Say ``text`` at ``level`` where the lines now go."""
        record = logging.LogRecord("hb.log", level, __file__, 0, text, None, None)
        for handler in self._others or [self._ensure_own()]:
            if record.levelno >= handler.level:
                handler.handle(record)

    def forward(self, record: logging.LogRecord) -> None:
        """Send a line the file could not take where the other destinations do not go."""
        if not self._others:
            own = self._ensure_own()
            if record.levelno >= own.level:
                own.handle(record)

    def _ensure_own(self) -> logging.Handler:
        if self._own is None:
            self._own, self._own_name = self._make_own()
        return self._own

    def close(self) -> None:
        """Close the handler made on need, if any (the others belong to the root logger)."""
        if self._own is not None:
            self._own.close()


class LogFile(logging.Handler):
    """Appends rendered lines to ``path`` (the ``logfile``, ``debugfile`` or JSON log).

    The file is opened again when it was moved or removed (logrotate; heartbeat opens its log
    file for every line). A line it cannot write never raises into the node: the first
    failure is said once through :attr:`fallback` and the lines go there until the file can
    be written again, which is said too.
    """

    def __init__(self, path: Path, directive: str) -> None:
        super().__init__()
        self.path = path
        self.directive = directive
        self.fallback: Fallback | None = None
        self._stream: TextIO | None = None
        self._identity: tuple[int, int] | None = None
        self._failing = False

    def open_now(self) -> None:
        """Open the file at once, so that a failure is said at start rather than at the
        first line."""
        try:
            self._current()
        except OSError as error:
            self._fail(error, None)

    def emit(self, record: logging.LogRecord) -> None:
        """Write one line; on failure, fall back (see the class)."""
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        try:
            stream = self._current()
            stream.write(line + "\n")
            stream.flush()
        except OSError as error:
            self._fail(error, record)
            return
        if self._failing:
            self._failing = False
            if self.fallback is not None:
                self.fallback.announce(
                    logging.INFO, f"{self.directive} {self.path}: writable again"
                )

    def close(self) -> None:
        """Close the file (and a fallback made for it)."""
        self._close_stream()
        if self.fallback is not None:
            self.fallback.close()
        super().close()

    def _current(self) -> TextIO:
        """The open file at ``path``, opened again if the file there is another one."""
        try:
            found = os.stat(self.path)
            identity: tuple[int, int] | None = (found.st_dev, found.st_ino)
        except FileNotFoundError:
            identity = None
        if self._stream is None or identity != self._identity:
            self._close_stream()
            stream = open(self.path, "a", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
            opened = os.fstat(stream.fileno())
            self._stream, self._identity = stream, (opened.st_dev, opened.st_ino)
        return self._stream

    def _fail(self, error: OSError, record: logging.LogRecord | None) -> None:
        self._close_stream()  # the next line tries the file afresh
        if self.fallback is None:
            return
        if not self._failing:
            self._failing = True
            reason = error.strerror or str(error)
            self.fallback.announce(
                logging.ERROR,
                f"cannot write {self.directive} {self.path}: {reason}; "
                f"logging to {self.fallback.name} instead",
            )
        if record is not None:
            self.fallback.forward(record)

    def _close_stream(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
            self._stream, self._identity = None, None


class _BoundLogger(structlog.stdlib.BoundLogger):
    """structlog's stdlib logger, with debug calls that cost one level check while no
    destination takes debug lines: the processors would run first, and only then would the
    stdlib logger drop the line (2.8 us of the 10 ms profile's per-packet budget)."""

    def debug(self, event: str | None = None, *args: Any, **kw: Any) -> Any:
        """Log at debug level, if anything would receive it."""
        if not self._logger.isEnabledFor(logging.DEBUG):
            return None
        return super().debug(event, *args, **kw)


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
    """A syslog handler, or None for an unknown facility.

    A syslog that does not listen at ``address`` is said on standard error; the handler
    still sends once it listens, as heartbeat's ``openlog()`` does.
    """
    code = logging.handlers.SysLogHandler.facility_names.get(facility)
    if code is None:
        return None
    reason = _syslog_unreachable(address)
    if reason is not None:
        print(f"hb: cannot log to syslog at {address}: {reason}", file=sys.stderr)
    return _SysLog(address=address, facility=code)


class _SysLog(logging.handlers.SysLogHandler):
    """A syslog handler that is silent while syslog is down: the standard one prints a
    traceback for every line, and a daemon has nowhere better to say it."""

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the line."""


def _syslog_unreachable(address: str) -> str | None:
    """Why no syslog daemon listens at the unix socket ``address``, or None when one does."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_UNIX, kind) as probe:
            try:
                probe.connect(address)
            except OSError as error:
                reason = error.strerror or str(error)
                continue
            return None
    return reason

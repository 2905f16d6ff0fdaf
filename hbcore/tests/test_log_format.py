"""Log lines are heartbeat's, byte for byte where users grep; JSON carries every field."""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from hbcore.log import LogTargets, configure_logging, unwritable_reason

LINE = re.compile(r"^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d linuxha1 heartbeat: \[\d+\]: (\S+): (.*)$")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    structlog.reset_defaults()


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_logfile_has_heartbeats_line_format_and_level_words(tmp_path: Path) -> None:
    logfile = tmp_path / "ha-log"
    configure_logging(LogTargets(logfile=logfile), hostname="linuxha1")
    log = structlog.get_logger("hb")
    log.info("Link linuxha2:eth1 up.", node="linuxha2", link="eth1")
    log.warning("node linuxha2: is dead", node="linuxha2")
    log.error("Cannot rexmit pkt 7 for linuxha2: seqno too low")
    log.critical("Late heartbeat: Node linuxha2: interval 6000 ms (> deadtime)")
    parsed = [LINE.match(line).groups() for line in _lines(logfile)]  # type: ignore[union-attr]
    assert parsed == [
        ("info", "Link linuxha2:eth1 up."),
        ("WARN", "node linuxha2: is dead"),
        ("ERROR", "Cannot rexmit pkt 7 for linuxha2: seqno too low"),
        ("CRIT", "Late heartbeat: Node linuxha2: interval 6000 ms (> deadtime)"),
    ]


def test_debug_goes_to_the_debugfile_only_when_debug_is_on(tmp_path: Path) -> None:
    logfile, debugfile = tmp_path / "ha-log", tmp_path / "ha-debug"
    configure_logging(LogTargets(logfile=logfile, debugfile=debugfile, debug_level=1), "linuxha1")
    structlog.get_logger("hb").debug("got status from linuxha2")
    assert _lines(logfile) == []
    assert _lines(debugfile)[0].endswith("debug: got status from linuxha2")


def test_dev_null_disables_a_file(tmp_path: Path) -> None:
    configure_logging(LogTargets(logfile=Path("/dev/null")), "linuxha1")
    assert logging.getLogger().handlers == []


def test_json_lines_keep_every_field(tmp_path: Path) -> None:
    json_file = tmp_path / "ha-log.json"
    configure_logging(LogTargets(json_file=json_file), "linuxha1")
    structlog.get_logger("hb").warning("node linuxha2: is dead", node="linuxha2")
    record = json.loads(_lines(json_file)[0])
    assert record["event"] == "node linuxha2: is dead"
    assert record["node"] == "linuxha2"
    assert record["level"] == "warning"


def test_plain_stdlib_loggers_render_the_same_way(tmp_path: Path) -> None:
    logfile = tmp_path / "ha-log"
    configure_logging(LogTargets(logfile=logfile), "linuxha1")
    logging.getLogger("asyncio").warning("slow callback")
    assert LINE.match(_lines(logfile)[0]).groups() == ("WARN", "slow callback")  # type: ignore[union-attr]


def test_logfacility_sends_heartbeats_message_to_syslog(tmp_path: Path) -> None:
    address = str(tmp_path / "log.sock")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(address)
    receiver.settimeout(5)
    try:
        configure_logging(LogTargets(facility="local0", syslog_address=address), "linuxha1")
        structlog.get_logger("hb").info("Link linuxha2:eth1 up.")
        datagram = receiver.recv(4096)
    finally:
        receiver.close()
    assert datagram.startswith(b"<134>heartbeat: [")  # local0 (16) * 8 + info (6)
    assert datagram.rstrip(b"\x00").endswith(b"]: info: Link linuxha2:eth1 up.")


# -- a log file that cannot be written never stops the node ----------------------------------


def test_the_reason_a_log_file_cannot_be_written(tmp_path: Path) -> None:
    assert unwritable_reason(tmp_path / "ha-log") is None
    assert (tmp_path / "ha-log").exists()  # created, as the first line would
    assert unwritable_reason(tmp_path / "missing" / "ha-log") == "No such file or directory"
    assert unwritable_reason(tmp_path) == "Is a directory"
    assert unwritable_reason(tmp_path / "ha-log" / "x") == "Not a directory"


def test_a_rotated_or_removed_logfile_is_opened_again(tmp_path: Path) -> None:
    logfile = tmp_path / "ha-log"
    configure_logging(LogTargets(logfile=logfile), "linuxha1")
    log = structlog.get_logger("hb")
    log.info("first")
    logfile.rename(tmp_path / "ha-log.1")  # logrotate
    log.info("second")
    logfile.unlink()
    log.info("third")
    assert [line.rsplit(": ", 1)[1] for line in _lines(tmp_path / "ha-log.1")] == ["first"]
    assert [line.rsplit(": ", 1)[1] for line in _lines(logfile)] == ["third"]


def test_a_logfile_whose_directory_goes_away_falls_back_to_syslog_and_says_so_once(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "log"
    directory.mkdir()
    logfile = directory / "ha-log"
    address = str(tmp_path / "log.sock")
    with _syslog_receiver(address) as received:
        configure_logging(
            LogTargets(logfile=logfile, facility="local0", syslog_address=address), "linuxha1"
        )
        log = structlog.get_logger("hb")
        log.info("before")
        logfile.unlink()
        directory.rmdir()
        log.info("while gone 1")
        log.info("while gone 2")
        directory.mkdir()
        log.info("after")
        messages = [received() for _ in range(6)]
    assert [message.split("]: ", 1)[1] for message in messages] == [
        "info: before",
        f"ERROR: cannot write logfile {logfile}: No such file or directory; "
        "logging to syslog instead",
        "info: while gone 1",
        "info: while gone 2",
        f"info: logfile {logfile}: writable again",
        "info: after",
    ]
    assert [line.rsplit(": ", 1)[1] for line in _lines(logfile)] == ["after"]


def test_without_syslog_the_lines_of_a_broken_logfile_go_to_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logfile = tmp_path / "missing" / "ha-log"
    no_syslog = str(tmp_path / "no-syslog.sock")
    configure_logging(LogTargets(logfile=logfile, syslog_address=no_syslog), "linuxha1")
    log = structlog.get_logger("hb")
    log.info("one")
    log.warning("two")
    err = capsys.readouterr().err.splitlines()
    assert [LINE.match(line).groups() for line in err] == [  # type: ignore[union-attr]
        (
            "ERROR",
            f"cannot write logfile {logfile}: No such file or directory; "
            "logging to standard error instead",
        ),
        ("info", "one"),
        ("WARN", "two"),
    ]


def _syslog_receiver(address: str) -> Any:
    """A datagram socket standing in for /dev/log; yields a function that returns the next
    message received."""

    @contextmanager
    def receiving() -> Iterator[Callable[[], str]]:
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.bind(address)
        receiver.settimeout(5)
        try:
            yield lambda: receiver.recv(4096).rstrip(b"\x00").decode()
        finally:
            receiver.close()

    return receiving()

"""Log lines are heartbeat's, byte for byte where users grep; JSON carries every field."""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from hbcore.log import LogTargets, configure_logging

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

"""heartbeat's ``cl_status`` queries, answered from a node's status report, with cl_status's
output and exit codes: 0 OK, 1 normal failure (node not up, link not up, heartbeat stopped),
11 parameter error (unknown query, missing argument, unknown node for ``nodestatus``), 13
unknown error (unknown node or link for the link queries). As cl_status does, extra arguments
are ignored, ``listnodes`` lists the nodes last configured first, and with no node running
every query but ``hbstatus`` fails on standard error (it cannot sign on)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OK, FAILURE, BAD_PARAMETER, UNKNOWN_ERROR = 0, 1, 11, 13
ALIVE = ("active", "up", "ping")

USAGE = (
    "queries: hbstatus | listnodes | nodestatus NODE | listhblinks NODE | "
    "hblinkstatus NODE LINK | rscstatus"
)
SIGNON_FAILED = "Cannot signon with heartbeat"
SIGNON_REASON = "REASON: hb_api_signon: Can't initiate connection to heartbeat"
ARGUMENTS = {
    "hbstatus": 0,
    "listnodes": 0,
    "rscstatus": 0,
    "nodestatus": 1,
    "listhblinks": 1,
    "hblinkstatus": 2,
}


@dataclass(frozen=True)
class Answer:
    """What cl_status would print on standard output and standard error, and its exit code."""

    code: int
    out: tuple[str, ...] = ()
    err: tuple[str, ...] = ()


def answer(report: dict[str, Any] | None, query: list[str]) -> Answer:
    """The answer to ``query``; ``report`` is None when no node runs."""
    command, arguments = query[0], query[1:]
    if command not in ARGUMENTS:
        return Answer(BAD_PARAMETER, err=(f"{command}: invalid sub-command.", USAGE))
    if command == "hbstatus":
        if report is None:
            return Answer(FAILURE, ("Heartbeat is stopped on this machine.",))
        return Answer(OK, ("Heartbeat is running on this machine.",))
    if report is None:
        return Answer(FAILURE, err=(SIGNON_FAILED, SIGNON_REASON))
    if len(arguments) < ARGUMENTS[command]:
        return Answer(BAD_PARAMETER, err=("Not enough parameters.", USAGE))
    if command == "rscstatus":
        return Answer(OK, (str(report["resources"]),))
    nodes = {node["name"]: node for node in report["nodes"]}
    if command == "listnodes":
        return Answer(OK, tuple(reversed(nodes)))
    node = nodes.get(arguments[0].lower())
    if command == "nodestatus":
        if node is None:
            return Answer(BAD_PARAMETER, err=("Error. May be due to incorrect node name",))
        return Answer(OK if node["status"] in ALIVE else FAILURE, (node["status"],))
    if command == "listhblinks":
        if node is None:
            return Answer(
                UNKNOWN_ERROR, err=("Cannot start heartbeat link interface walk.", "REASON: EINVAL")
            )
        return Answer(OK, tuple(f"\t{link}" for link in node["links"]))
    link_status = None if node is None else node["links"].get(arguments[1])
    if link_status is None:
        return Answer(UNKNOWN_ERROR, err=("Cannot get heartbeat link status",))
    return Answer(OK if link_status == "up" else FAILURE, (link_status,))

"""heartbeat's ``cl_status`` queries, answered from a node's status report, with cl_status's
output and exit codes: 0 OK, 1 normal failure (node not up, link not up, heartbeat stopped),
11 parameter error."""

from __future__ import annotations

from typing import Any

OK, FAILURE, BAD_PARAMETER = 0, 1, 11
ALIVE = ("active", "up", "ping")

USAGE = (
    "queries: hbstatus | listnodes | nodestatus NODE | listhblinks NODE | "
    "hblinkstatus NODE LINK | rscstatus"
)


def answer(report: dict[str, Any] | None, query: list[str]) -> tuple[int, list[str]]:
    """Exit code and output lines for ``query``; ``report`` is None when no node runs."""
    command, arguments = query[0], query[1:]
    expected = {
        "hbstatus": 0,
        "listnodes": 0,
        "rscstatus": 0,
        "nodestatus": 1,
        "listhblinks": 1,
        "hblinkstatus": 2,
    }
    if command not in expected or len(arguments) != expected[command]:
        return BAD_PARAMETER, [USAGE]
    if report is None:
        return FAILURE, ["Heartbeat is stopped on this machine."]
    if command == "hbstatus":
        return OK, ["Heartbeat is running on this machine."]
    if command == "rscstatus":
        return OK, [str(report["resources"])]
    nodes = {node["name"]: node for node in report["nodes"]}
    if command == "listnodes":
        return OK, list(nodes)
    node = nodes.get(arguments[0].lower())
    if node is None:
        return FAILURE, [f"Unknown node {arguments[0]}"]
    if command == "nodestatus":
        return (OK if node["status"] in ALIVE else FAILURE), [node["status"]]
    if command == "listhblinks":
        return OK, [f"\t{link}" for link in node["links"]]
    link_status = node["links"].get(arguments[1])
    if link_status is None:
        return FAILURE, [f"Unknown link {arguments[1]} for node {arguments[0]}"]
    return (OK if link_status == "up" else FAILURE), [link_status]

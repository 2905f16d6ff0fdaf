"""heartbeat's ``cl_status``, answered from a node's status report
(:func:`hbcore.node.report.snapshot`): the same sub-commands, options, output, error texts and
exit codes as heartbeat 3.0.6's (tools/cl_status.c, compared with the real command in the lab).

Exit codes: 0 OK; 1 a normal failure (heartbeat stopped, node dead, link down, client offline,
parameter not set); 11 a parameter error (unknown sub-command or option, missing argument,
unknown node for the node queries); 12 no answer in time; 13 an unknown error (unknown node or
link for the link queries). Options are parsed as glibc's getopt(3) parses cl_status's
(:mod:`hbcore.cli.glibc_getopt`): they may follow the operands (``nodestatus NODE -m``), ``--``
ends them, and the sub-command is the program name in getopt's complaints. Extra operands are
ignored, nodes are walked last configured first, and with no node running every query but
``hbstatus`` fails: it cannot sign on. Lines heartbeat writes through its logging (``cl_log``)
are :class:`Logged`; the command (:mod:`hbcore.cli.cl_status_cmd`) gives them heartbeat's
prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hbcore.cli.glibc_getopt import Option, getopt

OK, FAILURE, BAD_PARAMETER, TIMEOUT, UNKNOWN_ERROR = 0, 1, 11, 12, 13
ALIVE = ("active", "up", "ping")
"""Node statuses ``nodestatus`` counts as up."""
WEIGHT, SITE = 100, ""
"""Every node's weight and site: heartbeat's defaults, which its ``ha.cf`` cannot change."""
SIGNON_REASON = "hb_api_signon: Can't initiate connection to heartbeat"
RUNNING = "Heartbeat is running on this machine."
FALSE_WORDS = ("false", "off", "no", "n", "0")

HELP = (
    "Usage: cl_status <sub-command> [<options>] [<parameters>]",
    "",
    "Sub-commands:",
    "clientstatus <node-name> <client-id> [<timeout>]",
    "\tShow the status of heartbeat clients.",
    "hblinkstatus <node-name> <link-name>",
    "\tShow the status of a heartbeat link",
    "hbstatus",
    "\tIndicate if heartbeat is running on the local system.",
    "\tOptions:",
    '\t\t-v\tverbose: also add "listnodes -v" output',
    "listnodes [<option>]",
    "\tList the nodes in the cluster.",
    "\tOptions:",
    "\t\t-p\tlist only 'ping' type nodes",
    "\t\t-n\tlist only 'normal' type nodes",
    "\t\t-v\tverbose: also list type and status,",
    '\t\t\tthen add "listhblinks -v" output',
    "listhblinks <node-name>",
    "\tList the network interfaces used as hearbeat links.",
    "\tOptions:",
    "\t\t-v\tverbose: list link status as well",
    "nodestatus <node-name>",
    "\tList the node status.",
    "nodeweight <node-name>",
    "\tList the node weight.",
    "nodesite <node-name>",
    "\tList the node site.",
    "nodetype <node-name>",
    "\tList the nodes of a given type.",
    "rscstatus",
    "\tShow the status of cluster resources.",
    "hbparameter -p <parameter-name>",
    "\tRetrieve the value of a cluster parameter.",
    "\tAs for the valid parameter names, please refer to the man page.",
)
"""cl_status's help, printed for no argument or ``-h`` alone (typos and all)."""


class Logged(str):
    """A line heartbeat's cl_status writes through ``cl_log``: to standard error, after the
    date, host, ``cl_status: [PID]: ERROR: ``. A str (``hb status QUERY`` prints it bare) that
    equals only another logged line: the prefix is part of the answer."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Logged) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


@dataclass(frozen=True)
class Answer:
    """What cl_status prints on standard output and standard error, and its exit code."""

    code: int
    out: tuple[str, ...] = ()
    err: tuple[str, ...] = ()
    """Plain lines and :class:`Logged` ones."""


def is_subcommand(word: str) -> bool:
    """True when ``word`` names a sub-command (then the node's report is needed)."""
    return word == "hbstatus" or word in _SIGNED_ON


def answer(report: Mapping[str, Any] | None, query: Sequence[str], posix: bool = False) -> Answer:
    """The answer to ``cl_status QUERY...``. ``report`` is None when no node runs, or the
    node's refusal (``{"ok": false, "error": ...}``); ``posix`` is getopt's POSIXLY_CORRECT
    (the first operand ends the options)."""
    if not query or list(query) == ["-h"]:
        return Answer(OK, HELP)
    command, arguments = query[0], list(query[1:])
    if command == "hbstatus":
        options, _ = getopt(command, arguments, HBSTATUS_OPTIONS, posix)
        return _hbstatus(report, options)
    if command not in _SIGNED_ON:
        return Answer(BAD_PARAMETER, err=(Logged(f"{command}: invalid sub-command."),))
    if report is None or report.get("ok") is False:
        reason = SIGNON_REASON if report is None else str(report.get("error", ""))
        failed = Logged("Cannot signon with heartbeat")
        return Answer(FAILURE, err=(failed, Logged(f"REASON: {reason}")))
    optstring, run = _SIGNED_ON[command]
    options, operands = getopt(command, arguments, optstring, posix)
    return run(_Query(report, options, operands))


# -- the sub-commands --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    """A query to a node that answered: its report, the options and the operands."""

    report: Mapping[str, Any]
    options: list[Option]
    operands: list[str]

    def has(self, letter: str) -> bool:
        """True when option ``letter`` was given."""
        return any(option.letter == letter for option in self.options)

    @property
    def human(self) -> bool:
        """``-m``: sentences instead of bare values."""
        return self.has("m")

    @property
    def parameters(self) -> Mapping[str, str]:
        parameters: Mapping[str, str] = self.report.get("parameters", {})
        return parameters

    def node(self, name: str) -> Mapping[str, Any] | None:
        """The node called ``name``, in any case (heartbeat lowercases node names)."""
        return next((node for node in self.walk() if node["name"] == name.lower()), None)

    def walk(self) -> list[Mapping[str, Any]]:
        """The nodes as heartbeat's node walk gives them: last configured first."""
        nodes: list[Mapping[str, Any]] = self.report.get("nodes", [])
        return nodes[::-1]

    def failed_options(self, wording: str) -> Answer | None:
        """The answer when getopt complained (which ends the sub-command's option loop);
        ``wording`` is that sub-command's text for it."""
        for option in self.options:
            if option.letter == "?":
                error = Logged(f"Error: getopt returned{wording} ?.")
                return Answer(BAD_PARAMETER, err=(option.complaint, error))
        return None


def _pacemaker_enabled(value: str | None) -> bool:
    """heartbeat's reading of its ``pacemaker`` parameter: anything but a boolean false
    (``respawn``, ``minimal`` too) enables Pacemaker. (hb refuses to start with it enabled.)"""
    return value is not None and value.lower() not in FALSE_WORDS


def _hbstatus(report: Mapping[str, Any] | None, options: list[Option]) -> Answer:
    """Every option is read, getopt's complaints printed and ignored."""
    complaints = tuple(option.complaint for option in options if option.letter == "?")
    query = _Query(report or {}, options, [])
    verbose = query.has("v")
    if report is None or report.get("ok") is False:
        if report is None:
            lines = ["Heartbeat is stopped on this machine."]
            code, reason = FAILURE, SIGNON_REASON
        else:
            lines = ["Heartbeat is apparently running on this machine, but refuses my connection"]
            code, reason = OK, str(report.get("error", ""))
        if verbose and reason:
            lines.append(f"({reason})")
        return Answer(code, tuple(lines), complaints)
    if not verbose:
        return Answer(OK, (RUNNING,), complaints)
    version = query.parameters.get("hbversion")
    pacemaker = query.parameters.get("pacemaker")
    by_pacemaker = _pacemaker_enabled(pacemaker)
    if query.human:
        lines = [
            f"Heartbeat version {version}" if version else RUNNING,
            "Resources controlled by Pacemaker."
            if by_pacemaker
            else 'Resources controlled by "haresources"',
        ]
    else:
        lines = [
            f"version:\t{version or 'unknown'}",
            f"managed by:\tpacemaker\t({pacemaker})"
            if by_pacemaker
            else 'managed by:\t"haresources"',
        ]
    return Answer(OK, (*lines, *_node_lines(query, None, verbose=True)), complaints)


def _listnodes(query: _Query) -> Answer:
    """``-p`` ping nodes only, ``-n`` normal nodes only (both: every node), ``-v`` with their
    status, type and links."""
    failed = query.failed_options("character code")
    if failed is not None:
        return failed
    wanted = {(True, False): "ping", (False, True): "normal"}.get((query.has("p"), query.has("n")))
    return Answer(OK, tuple(_node_lines(query, wanted, verbose=query.has("v"))))


def _node_lines(query: _Query, wanted_type: str | None, verbose: bool) -> list[str]:
    lines = ["The nodes are as follow:"] if query.human else []
    for node in query.walk():
        if wanted_type is not None and node["type"] != wanted_type:
            continue
        if not verbose:
            lines.append(node["name"])
            continue
        lines += ["", f"{node['name']}\t{node['status']}\t(nodetype: {node['type']})"]
        lines += _link_lines(query, node, verbose=True)
    return lines


def _link_lines(query: _Query, node: Mapping[str, Any], verbose: bool) -> list[str]:
    lines = ["\tthis node has the following heartbeat links:"] if query.human else []
    for link, status in node["links"].items():
        lines.append(f"\t{link}\t{status}" if verbose else f"\t{link}")
    return lines


def _one_node(query: _Query, too_few: str, unknown: str) -> Mapping[str, Any] | Answer:
    """The node a node query names, or the answer when getopt complained, no node was named
    (``too_few``) or it is not in the cluster (``unknown``)."""
    failed = query.failed_options("character")
    if failed is not None:
        return failed
    if not query.operands:
        return Answer(BAD_PARAMETER, err=(too_few,))
    node = query.node(query.operands[0])
    return Answer(BAD_PARAMETER, err=(unknown,)) if node is None else node


def _nodestatus(query: _Query) -> Answer:
    node = _one_node(query, "Not enough parameters.", "Error. May be due to incorrect node name")
    if isinstance(node, Answer):
        return node
    status = node["status"]
    line = f"The cluster node {query.operands[0]} is {status}" if query.human else status
    return Answer(OK if status in ALIVE else FAILURE, (line,))


def _nodeweight(query: _Query) -> Answer:
    node = _one_node(query, "Not enough parameters.", "Error. Maybe due to incorrect node name.")
    if isinstance(node, Answer):
        return node
    human = f"The weight of the cluster node {query.operands[0]} is {WEIGHT}"
    return Answer(OK, (human if query.human else str(WEIGHT),))


def _nodesite(query: _Query) -> Answer:
    node = _one_node(query, "Not enough parameters.", "Error. May be due to incorrect node name")
    if isinstance(node, Answer):
        return node
    human = f"The site of the cluster node {query.operands[0]} is {SITE}"
    return Answer(OK, (human if query.human else SITE,))


def _nodetype(query: _Query) -> Answer:
    node = _one_node(query, "No enough parameter.", "Error. May be due to incorrect node name")
    if isinstance(node, Answer):
        return node
    kind = node["type"]
    return Answer(OK, (f"The node {query.operands[0]}'s type: {kind}" if query.human else kind,))


def _listhblinks(query: _Query) -> Answer:
    """``-v``: with each link's status."""
    failed = query.failed_options("character code")
    if failed is not None:
        return failed
    if not query.operands:
        return Answer(BAD_PARAMETER, err=("No enough parameter.",))
    node = query.node(query.operands[0])
    if node is None:
        walk_failed = Logged("Cannot start heartbeat link interface walk.")
        return Answer(UNKNOWN_ERROR, err=(walk_failed, Logged("REASON: EINVAL")))
    return Answer(OK, tuple(_link_lines(query, node, verbose=query.has("v"))))


def _hblinkstatus(query: _Query) -> Answer:
    failed = query.failed_options("character")
    if failed is not None:
        return failed
    if len(query.operands) < 2:
        return Answer(BAD_PARAMETER, err=("No enough parameter.",))
    name, link = query.operands[:2]
    node = query.node(name)
    status = None if node is None else node["links"].get(link)
    if status is None:
        failure = Logged("Cannot get heartbeat link status")
        return Answer(UNKNOWN_ERROR, err=(failure, Logged("REASON: ")))
    human = f"The node {name}'s heartbeat link {link} is {status}"
    return Answer(OK if status == "up" else FAILURE, (human if query.human else status,))


def _clientstatus(query: _Query) -> Answer:
    """heartbeat asks a live peer's heartbeat about its clients; an hb node knows its own only,
    and reports a peer's client offline. The timeout operand is accepted and not needed."""
    failed = query.failed_options("character")
    if failed is not None:
        return failed
    if len(query.operands) < 2:
        return Answer(BAD_PARAMETER, err=("No enough parameter.",))
    name, client = query.operands[:2]
    node = query.node(name)
    if node is None:
        failure = Logged(f"Cannot get heartbeat client {client}'s status")
        return Answer(UNKNOWN_ERROR, err=(failure, Logged("REASON: No timely response.")))
    here = node["name"] == query.report.get("node")
    if here and client in query.report.get("clients", []):
        return Answer(OK, ("online",))
    return Answer(FAILURE, ("offline",))


def _rscstatus(query: _Query) -> Answer:
    """What this node holds: none, local, foreign, all, or transition."""
    failed = query.failed_options("character")
    if failed is not None:
        return failed
    holding = str(query.report.get("resources"))
    human = f"This node is holding {holding} resources."
    return Answer(OK, (human if query.human else holding,))


def _hbparameter(query: _Query) -> Answer:
    """``-p NAME`` (the last one counts); ``crm`` is an alias of ``pacemaker``."""
    failed = query.failed_options("character code")
    if failed is not None:
        return failed
    name = next((o.argument for o in reversed(query.options) if o.letter == "p"), None)
    if name is None:
        return Answer(BAD_PARAMETER, err=(Logged("parameter name required"),))
    value = query.parameters.get("pacemaker" if name == "crm" else name)
    if value is None:
        failure = Logged(f"Cannot get parameter {name}'s value")
        return Answer(FAILURE, err=(failure, Logged("REASON: ")))
    return Answer(OK, (f"Heartbeat parameter {name}'s value: {value}" if query.human else value,))


def _test(query: _Query) -> Answer:
    """cl_status's undocumented ``test``: deadtime and keepalive (ms), node and resources."""
    timers: Mapping[str, int] = query.report.get("timers", {})
    return Answer(
        OK,
        (
            f"Dead time: {timers.get('deadtime', 0)}",
            f" keeplive time: {timers.get('keepalive', 0)}",
            f" mynodeid: {query.report.get('node')}",
            f" rsc: {query.report.get('resources')}",
        ),
    )


HBSTATUS_OPTIONS = "mv"
_SIGNED_ON: dict[str, tuple[str, Callable[[_Query], Answer]]] = {
    "listnodes": ("mpnv", _listnodes),
    "nodestatus": ("m", _nodestatus),
    "nodeweight": ("m", _nodeweight),
    "nodesite": ("m", _nodesite),
    "nodetype": ("m", _nodetype),
    "listhblinks": ("mv", _listhblinks),
    "hblinkstatus": ("m", _hblinkstatus),
    "clientstatus": ("m", _clientstatus),
    "rscstatus": ("m", _rscstatus),
    "hbparameter": ("mp:", _hbparameter),
    "test": ("", _test),
}
"""The sub-commands but ``hbstatus``, which all need a node to answer: each one's getopt
option string (cl_status.c ``cmds[]``) and its answer."""

"""``cl_status``: every query's answer from a node's status report, as heartbeat 3.0.6's
cl_status gives it. The expected texts are the real command's, recorded in the lab against a
heartbeat node in the same state (linuxha1 active holding its group, linuxha2 dead, the ping
node 10.77.1.254 answering); tests/integration/test_cl_status_interop.py compares the two
commands live."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import string
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hbcore.cli.cl_status import (
    BAD_PARAMETER,
    FAILURE,
    HELP,
    OK,
    SIGNON_REASON,
    TIMEOUT,
    UNKNOWN_ERROR,
    Answer,
    Logged,
    answer,
)
from hbcore.cli.cl_status_cmd import _time_out, log_prefix, run
from hbcore.cli.glibc_getopt import Option, getopt
from hbcore.config.timers import Timers
from hbcore.node.report import _hacf_text, heartbeat_parameters
from hypothesis import given
from hypothesis import strategies as st

LAB_HA_CF = """logfile /var/log/ha-log
debugfile /var/log/ha-debug
logfacility none
use_logd no
keepalive 100ms
deadtime 1
initdead 2
udpport 694
bcast eth1
auto_failback on
node linuxha1
node linuxha2
crm no
ping 10.77.1.254
"""
"""The lab's ha.cf (keepalive 100 ms, deadtime 1 s, initdead 2 s, a ping node)."""
LAB_TIMERS = Timers(keepalive=100, deadtime=1000, warntime=500, initdead=2000, deadping=1000)
VERSION = "3.0.6 (hb 0.1.0)"


def lab_report(**changes: Any) -> dict[str, Any]:
    """linuxha1's report: itself active, linuxha2 dead, the ping node up, its group held."""
    report: dict[str, Any] = {
        "ok": True,
        "node": "linuxha1",
        "status": "active",
        "nodes": [
            {"name": "linuxha1", "type": "normal", "status": "active", "links": {"eth1": "up"}},
            {"name": "linuxha2", "type": "normal", "status": "dead", "links": {"eth1": "dead"}},
            {
                "name": "10.77.1.254",
                "type": "ping",
                "status": "ping",
                "links": {"10.77.1.254": "up"},
            },
        ],
        "resources": "local",
        "timers": {"keepalive": 100, "deadtime": 1000},
        "parameters": heartbeat_parameters(LAB_HA_CF, LAB_TIMERS, VERSION),
        "clients": [],
    }
    return report | changes


def ask(query: str, report: dict[str, Any] | None = None) -> Answer:
    return answer(lab_report() if report is None else report, query.split())


def signon_failed(reason: str = SIGNON_REASON) -> Answer:
    failed = Logged("Cannot signon with heartbeat")
    return Answer(FAILURE, err=(failed, Logged(f"REASON: {reason}")))


# -- help and sub-commands ---------------------------------------------------------------------


@pytest.mark.parametrize("query", [[], ["-h"]])
def test_no_sub_command_or_dash_h_alone_prints_the_help(query: list[str]) -> None:
    assert answer(None, query) == Answer(OK, HELP)
    assert HELP[0] == "Usage: cl_status <sub-command> [<options>] [<parameters>]"


@pytest.mark.parametrize("word", ["--help", "bogus", "numnodes", "rsc_status", "-h x"])
def test_an_unknown_sub_command_is_a_parameter_error_running_or_not(word: str) -> None:
    first = word.split()[0]
    expected = Answer(BAD_PARAMETER, err=(Logged(f"{first}: invalid sub-command."),))
    assert answer(None, word.split()) == expected
    assert answer(lab_report(), word.split()) == expected


def test_a_logged_line_differs_from_a_printed_one() -> None:
    printed = "Not enough parameters."
    assert Logged(printed) != printed
    assert printed != Logged(printed)
    assert Logged("parameter name required") == Logged("parameter name required")


# -- a stopped node ----------------------------------------------------------------------------


def test_hbstatus_on_a_stopped_node_fails_and_says_so() -> None:
    assert answer(None, ["hbstatus"]) == Answer(FAILURE, ("Heartbeat is stopped on this machine.",))


def test_hbstatus_verbose_on_a_stopped_node_adds_why() -> None:
    expected = ("Heartbeat is stopped on this machine.", f"({SIGNON_REASON})")
    assert answer(None, ["hbstatus", "-v"]) == Answer(FAILURE, expected)


QUERIES = [
    "listnodes",
    "listnodes -p",
    "listnodes -x",
    "nodestatus linuxha2",
    "nodestatus",
    "nodeweight linuxha2",
    "nodesite linuxha2",
    "nodetype linuxha1",
    "listhblinks linuxha2",
    "hblinkstatus linuxha2 eth1",
    "clientstatus linuxha2 ipfail",
    "rscstatus",
    "hbparameter -p keepalive",
    "hbparameter",
    "test",
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_other_query_on_a_stopped_node_cannot_sign_on(query: str) -> None:
    assert answer(None, query.split()) == signon_failed()


@pytest.mark.parametrize("query", QUERIES)
def test_a_node_that_refuses_gives_its_reason(query: str) -> None:
    refusal = {"ok": False, "error": "not now"}
    assert answer(refusal, query.split()) == signon_failed("not now")


def test_hbstatus_on_a_refusing_node_says_it_runs() -> None:
    refusal = {"ok": False, "error": "not now"}
    expected = ("Heartbeat is apparently running on this machine, but refuses my connection",)
    assert answer(refusal, ["hbstatus"]) == Answer(OK, expected)
    assert answer(refusal, ["hbstatus", "-v"]) == Answer(OK, (*expected, "(not now)"))


# -- hbstatus ----------------------------------------------------------------------------------


def test_hbstatus_on_a_running_node() -> None:
    assert ask("hbstatus") == Answer(OK, ("Heartbeat is running on this machine.",))


def test_hbstatus_reports_a_bad_option_and_answers_anyway() -> None:
    complaints = ("hbstatus: invalid option -- 'x'", "hbstatus: invalid option -- 'y'")
    expected = Answer(OK, ("Heartbeat is running on this machine.",), complaints)
    assert ask("hbstatus -x -y") == expected


NODE_WALK_VERBOSE = (
    "",
    "10.77.1.254\tping\t(nodetype: ping)",
    "\t10.77.1.254\tup",
    "",
    "linuxha2\tdead\t(nodetype: normal)",
    "\teth1\tdead",
    "",
    "linuxha1\tactive\t(nodetype: normal)",
    "\teth1\tup",
)


def test_hbstatus_verbose_gives_version_manager_and_every_node_with_its_links() -> None:
    head = (f"version:\t{VERSION}", 'managed by:\t"haresources"')
    assert ask("hbstatus -v") == Answer(OK, (*head, *NODE_WALK_VERBOSE))


def test_hbstatus_verbose_for_humans() -> None:
    assert ask("hbstatus -m -v") == Answer(
        OK,
        (
            f"Heartbeat version {VERSION}",
            'Resources controlled by "haresources"',
            "The nodes are as follow:",
            "",
            "10.77.1.254\tping\t(nodetype: ping)",
            "\tthis node has the following heartbeat links:",
            "\t10.77.1.254\tup",
            "",
            "linuxha2\tdead\t(nodetype: normal)",
            "\tthis node has the following heartbeat links:",
            "\teth1\tdead",
            "",
            "linuxha1\tactive\t(nodetype: normal)",
            "\tthis node has the following heartbeat links:",
            "\teth1\tup",
        ),
    )


def test_hbstatus_verbose_names_pacemaker_when_it_manages_resources() -> None:
    parameters = {"hbversion": VERSION, "pacemaker": "respawn"}
    lines = ask("hbstatus -v", lab_report(parameters=parameters, nodes=[])).out
    assert lines == (f"version:\t{VERSION}", "managed by:\tpacemaker\t(respawn)")


# -- listnodes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "nodes"),
    [
        ("listnodes", ("10.77.1.254", "linuxha2", "linuxha1")),
        ("listnodes -p", ("10.77.1.254",)),
        ("listnodes -n", ("linuxha2", "linuxha1")),
        ("listnodes -p -n", ("10.77.1.254", "linuxha2", "linuxha1")),
        ("listnodes -pn", ("10.77.1.254", "linuxha2", "linuxha1")),
        ("listnodes extra words", ("10.77.1.254", "linuxha2", "linuxha1")),
    ],
)
def test_listnodes_walks_last_configured_first_ping_or_normal_only(
    query: str, nodes: tuple[str, ...]
) -> None:
    assert ask(query) == Answer(OK, nodes)


def test_listnodes_verbose_and_for_humans() -> None:
    assert ask("listnodes -v") == Answer(OK, NODE_WALK_VERBOSE)
    human = ("The nodes are as follow:", "10.77.1.254", "linuxha2", "linuxha1")
    assert ask("listnodes -m") == Answer(OK, human)


def test_listnodes_refuses_an_unknown_option() -> None:
    complaint = "listnodes: invalid option -- 'x'"
    error = Logged("Error: getopt returnedcharacter code ?.")
    assert ask("listnodes -x") == Answer(BAD_PARAMETER, err=(complaint, error))


# -- the node queries --------------------------------------------------------------------------


UNKNOWN_WEIGHT = Answer(BAD_PARAMETER, err=("Error. Maybe due to incorrect node name.",))
UNKNOWN_NODE = Answer(BAD_PARAMETER, err=("Error. May be due to incorrect node name",))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nodestatus linuxha1", Answer(OK, ("active",))),
        ("nodestatus linuxha2", Answer(FAILURE, ("dead",))),
        ("nodestatus LINUXHA2", Answer(FAILURE, ("dead",))),
        ("nodestatus 10.77.1.254", Answer(OK, ("ping",))),
        ("nodestatus -m linuxha1", Answer(OK, ("The cluster node linuxha1 is active",))),
        ("nodestatus linuxha2 -m", Answer(FAILURE, ("The cluster node linuxha2 is dead",))),
        (
            "nodestatus nosuch",
            Answer(BAD_PARAMETER, err=("Error. May be due to incorrect node name",)),
        ),
        ("nodestatus", Answer(BAD_PARAMETER, err=("Not enough parameters.",))),
        ("nodeweight linuxha2", Answer(OK, ("100",))),
        ("nodeweight -m linuxha2", Answer(OK, ("The weight of the cluster node linuxha2 is 100",))),
        (
            "nodeweight nosuch",
            Answer(BAD_PARAMETER, err=("Error. Maybe due to incorrect node name.",)),
        ),
        ("nodeweight", Answer(BAD_PARAMETER, err=("Not enough parameters.",))),
        ("nodesite linuxha2", Answer(OK, ("",))),
        (
            "nodesite nosuch",
            Answer(BAD_PARAMETER, err=("Error. May be due to incorrect node name",)),
        ),
        ("nodetype linuxha1", Answer(OK, ("normal",))),
        ("nodetype 10.77.1.254", Answer(OK, ("ping",))),
        ("nodetype -m linuxha2", Answer(OK, ("The node linuxha2's type: normal",))),
        (
            "nodetype nosuch",
            Answer(BAD_PARAMETER, err=("Error. May be due to incorrect node name",)),
        ),
        ("nodetype", Answer(BAD_PARAMETER, err=("No enough parameter.",))),
    ],
)
def test_node_queries(query: str, expected: Answer) -> None:
    assert ask(query) == expected


@pytest.mark.parametrize(
    "query", ["nodestatus -x linuxha1", "nodetype -q linuxha1", "rscstatus -x", "hblinkstatus -z"]
)
def test_a_bad_option_of_a_simple_query_is_a_parameter_error(query: str) -> None:
    command, option = query.split()[:2]
    complaint = f"{command}: invalid option -- '{option[1]}'"
    error = Logged("Error: getopt returnedcharacter ?.")
    assert ask(query) == Answer(BAD_PARAMETER, err=(complaint, error))


# -- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "lines"),
    [
        ("listhblinks linuxha1", ("\teth1",)),
        ("listhblinks 10.77.1.254", ("\t10.77.1.254",)),
        ("listhblinks -v linuxha2", ("\teth1\tdead",)),
        ("listhblinks -m linuxha2", ("\tthis node has the following heartbeat links:", "\teth1")),
        (
            "listhblinks -m -v 10.77.1.254",
            ("\tthis node has the following heartbeat links:", "\t10.77.1.254\tup"),
        ),
    ],
)
def test_listhblinks(query: str, lines: tuple[str, ...]) -> None:
    assert ask(query) == Answer(OK, lines)


def test_listhblinks_of_an_unknown_node_or_none() -> None:
    walk = Logged("Cannot start heartbeat link interface walk.")
    assert ask("listhblinks nosuch") == Answer(UNKNOWN_ERROR, err=(walk, Logged("REASON: EINVAL")))
    assert ask("listhblinks") == Answer(BAD_PARAMETER, err=("No enough parameter.",))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hblinkstatus linuxha1 eth1", Answer(OK, ("up",))),
        ("hblinkstatus linuxha2 eth1", Answer(FAILURE, ("dead",))),
        ("hblinkstatus 10.77.1.254 10.77.1.254", Answer(OK, ("up",))),
        (
            "hblinkstatus -m linuxha2 eth1",
            Answer(FAILURE, ("The node linuxha2's heartbeat link eth1 is dead",)),
        ),
        ("hblinkstatus linuxha2", Answer(BAD_PARAMETER, err=("No enough parameter.",))),
    ],
)
def test_hblinkstatus(query: str, expected: Answer) -> None:
    assert ask(query) == expected


@pytest.mark.parametrize("query", ["hblinkstatus linuxha2 eth9", "hblinkstatus nosuch eth1"])
def test_hblinkstatus_of_an_unknown_link_or_node_is_an_unknown_error(query: str) -> None:
    failure = Logged("Cannot get heartbeat link status")
    assert ask(query) == Answer(UNKNOWN_ERROR, err=(failure, Logged("REASON: ")))


# -- clients, resources, parameters ------------------------------------------------------------


def test_clientstatus_online_only_for_a_client_running_here() -> None:
    with_ipfail = lab_report(clients=["ipfail"])
    assert ask("clientstatus linuxha1 ipfail", with_ipfail) == Answer(OK, ("online",))
    assert ask("clientstatus linuxha1 ipfail") == Answer(FAILURE, ("offline",))
    assert ask("clientstatus linuxha2 ipfail 100", with_ipfail) == Answer(FAILURE, ("offline",))


def test_clientstatus_of_an_unknown_node_gets_no_answer() -> None:
    failure = Logged("Cannot get heartbeat client x's status")
    expected = Answer(UNKNOWN_ERROR, err=(failure, Logged("REASON: No timely response.")))
    assert ask("clientstatus nosuch x") == expected
    assert ask("clientstatus linuxha2") == Answer(BAD_PARAMETER, err=("No enough parameter.",))


@pytest.mark.parametrize("holding", ["none", "local", "foreign", "all", "transition"])
def test_rscstatus_prints_the_holding(holding: str) -> None:
    assert ask("rscstatus", lab_report(resources=holding)) == Answer(OK, (holding,))
    human = (f"This node is holding {holding} resources.",)
    assert ask("rscstatus -m", lab_report(resources=holding)) == Answer(OK, human)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("keepalive", "100ms"),
        ("deadtime", "1"),
        ("warntime", "500ms"),
        ("initdead", "2"),
        ("deadping", "1000ms"),
        ("udpport", "694"),
        ("crm", "no"),
        ("pacemaker", "no"),
        ("cluster", "linux-ha"),
        ("hopfudge", "1"),
        ("baud", "19200"),
        ("logfile", "/var/log/ha-log"),
        ("debugfile", "/var/log/ha-debug"),
        ("logfacility", "none"),
        ("auto_failback", "on"),
        ("debug", "0"),
        ("use_logd", "no"),
        ("conn_logd_time", "60"),
        ("realtime", "true"),
        ("hbgenmethod", "file"),
        ("msgfmt", "classic"),
        ("log_badpack", "true"),
        ("syslogmsgfmt", "true"),
        ("coredumps", "true"),
        ("autojoin", "none"),
        ("uuidfrom", "file"),
        ("compression", "zlib"),
        ("compression_threshold", "2"),
        ("traditional_compression", "no"),
        ("max_rexmit_delay", "250"),
        ("record_config_changes", "on"),
        ("record_pengine_inputs", "on"),
        ("enable_config_writes", "on"),
        ("memreserve", "6500"),
        ("hbversion", VERSION),
    ],
)
def test_hbparameter_answers_as_heartbeat_did_for_the_lab_ha_cf(name: str, value: str) -> None:
    assert ask(f"hbparameter -p {name}") == Answer(OK, (value,))


@pytest.mark.parametrize(
    "name", ["node", "bcast", "ping", "watchdog", "rtprio", "normalpoll", "nosuch", "respawn"]
)
def test_hbparameter_of_something_not_recorded_fails(name: str) -> None:
    failure = Logged(f"Cannot get parameter {name}'s value")
    assert ask(f"hbparameter -p {name}") == Answer(FAILURE, err=(failure, Logged("REASON: ")))


def test_hbparameter_options() -> None:
    human = Answer(OK, ("Heartbeat parameter keepalive's value: 100ms",))
    assert ask("hbparameter -m -p keepalive") == human
    assert ask("hbparameter -p keepalive -m") == human
    assert ask("hbparameter -pdeadtime") == Answer(OK, ("1",))
    assert ask("hbparameter -p deadtime -p keepalive") == Answer(OK, ("100ms",))
    assert ask("hbparameter") == Answer(BAD_PARAMETER, err=(Logged("parameter name required"),))
    missing = "hbparameter: option requires an argument -- 'p'"
    error = Logged("Error: getopt returnedcharacter code ?.")
    assert ask("hbparameter -p") == Answer(BAD_PARAMETER, err=(missing, error))


def test_test_prints_timers_node_and_resources() -> None:
    expected = ("Dead time: 1000", " keeplive time: 100", " mynodeid: linuxha1", " rsc: local")
    assert ask("test") == Answer(OK, expected)


# -- heartbeat's parameters from ha.cf ---------------------------------------------------------


def test_parameters_of_an_empty_ha_cf_are_heartbeats_defaults_and_derived_values() -> None:
    timers = Timers(keepalive=1000, deadtime=30000, warntime=15000, initdead=30000, deadping=30000)
    parameters = heartbeat_parameters("", timers, VERSION)
    assert parameters["keepalive"] == "1000ms"
    assert parameters["deadtime"] == "30000ms"
    assert parameters["warntime"] == "15000ms"
    assert parameters["initdead"] == "30000ms"
    assert parameters["auto_failback"] == "legacy"
    assert parameters["pacemaker"] == "false"
    assert parameters["use_logd"] == "yes"  # nothing else logs
    assert "logfile" not in parameters


def test_parameters_keep_the_last_value_as_written() -> None:
    text = "keepalive 2\nkeepalive 3, 4   # comment\nwarntime 2s\n  cluster   prod\n"
    parameters = heartbeat_parameters(text, LAB_TIMERS, VERSION)
    assert (parameters["keepalive"], parameters["warntime"], parameters["cluster"]) == (
        "4",
        "2s",
        "prod",
    )


def test_parameters_with_syslog_set_log_files_to_dev_null() -> None:
    parameters = heartbeat_parameters("logfacility local0\n", LAB_TIMERS, VERSION)
    assert (parameters["logfile"], parameters["debugfile"]) == ("/dev/null", "/dev/null")
    assert "use_logd" not in parameters


def test_a_fifo_or_a_missing_file_in_place_of_ha_cf_gives_no_text_and_no_wait(
    tmp_path: Path,
) -> None:
    assert _hacf_text(tmp_path) == ""
    os.mkfifo(tmp_path / "ha.cf")
    assert _hacf_text(tmp_path) == ""


# -- getopt(3) ---------------------------------------------------------------------------------


def test_getopt_moves_operands_after_the_options() -> None:
    options, operands = getopt("x", ["a", "-m", "b", "-v"], "mv")
    assert (options, operands) == ([Option("m"), Option("v")], ["a", "b"])


def test_getopt_under_posixly_correct_stops_at_the_first_operand() -> None:
    options, operands = getopt("x", ["a", "-m"], "mv", posix=True)
    assert (options, operands) == ([], ["a", "-m"])


def test_getopt_double_dash_ends_the_options_and_a_lone_dash_is_an_operand() -> None:
    assert getopt("x", ["-m", "--", "-v", "-"], "mv") == ([Option("m")], ["-v", "-"])
    assert getopt("x", ["-"], "mv") == ([], ["-"])


def test_getopt_arguments_attached_or_next_even_a_dash_word() -> None:
    assert getopt("x", ["-pkeepalive"], "mp:") == ([Option("p", "keepalive")], [])
    assert getopt("x", ["-mp", "-v"], "mp:") == ([Option("m"), Option("p", "-v")], [])


def test_getopt_complains_as_glibc_does() -> None:
    options, _ = getopt("nodestatus", ["--help", "-:"], "m")
    complaints = [option.complaint for option in options]
    assert complaints[0] == "nodestatus: invalid option -- '-'"
    assert complaints[-1] == "nodestatus: invalid option -- ':'"
    assert all(option.letter == "?" for option in options)


WORDS = st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-: ", max_size=8))


@given(WORDS)
def test_getopt_keeps_every_operand_in_order(words: list[str]) -> None:
    _, operands = getopt("x", words, "mpnv")
    if "--" not in words:
        assert operands == [w for w in words if w == "-" or not w.startswith("-")]


@given(st.sampled_from(["hbstatus", *[q.split()[0] for q in QUERIES], "x"]), WORDS)
def test_any_arguments_get_an_answer_never_an_exception(command: str, words: list[str]) -> None:
    for report in (None, lab_report()):
        reply = answer(report, [command, *words])
        assert reply.code in (OK, FAILURE, BAD_PARAMETER, UNKNOWN_ERROR)
        assert all("\n" not in line for line in reply.out)


# -- the command -------------------------------------------------------------------------------


PREFIX = re.compile(r"^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ cl_status: \[\d+\]: ERROR: ")


def test_log_prefix_is_heartbeats() -> None:
    assert PREFIX.match(log_prefix())


def test_the_command_without_a_node_prints_heartbeats_lines(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    assert run(["listnodes"], {"HB_RUN_DIR": str(tmp_path)}, out, err) == FAILURE
    lines = err.getvalue().splitlines()
    assert out.getvalue() == ""
    assert [PREFIX.sub("", line) for line in lines] == [
        "Cannot signon with heartbeat",
        f"REASON: {SIGNON_REASON}",
    ]
    assert all(PREFIX.match(line) for line in lines)


@pytest.fixture
def node_socket(tmp_path: Path) -> Iterator[Path]:
    """A control socket under ``tmp_path/hb`` answering every request with the lab report."""
    path = tmp_path / "hb" / "control.sock"
    path.parent.mkdir()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(json.dumps(lab_report()).encode() + b"\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield tmp_path
    listener.close()
    thread.join(timeout=5)


def test_the_command_asks_the_node_under_hb_run_dir(node_socket: Path) -> None:
    out, err = StringIO(), StringIO()
    environment = {"HB_RUN_DIR": str(node_socket)}
    assert run(["nodestatus", "linuxha2"], environment, out, err) == FAILURE
    assert (out.getvalue(), err.getvalue()) == ("dead\n", "")
    out = StringIO()
    assert run(["hbstatus", "-x"], environment, out, err) == OK
    assert out.getvalue() == "Heartbeat is running on this machine.\n"
    assert err.getvalue() == "hbstatus: invalid option -- 'x'\n"


def test_the_command_gives_up_as_heartbeats_does_when_its_alarm_rings() -> None:
    with pytest.raises(SystemExit) as exited:
        _time_out(signal.SIGALRM, None)
    assert exited.value.code == TIMEOUT == 12


def test_the_command_prints_help_without_asking(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    assert run([], {"HB_RUN_DIR": str(tmp_path)}, out, err) == OK
    assert out.getvalue() == "".join(f"{line}\n" for line in HELP)

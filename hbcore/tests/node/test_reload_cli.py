"""``hb reload`` against a control socket that answers as a node does: it asks for a reload,
waits for its outcome and exits 0 when the files were accepted, 1 when refused or no node
answers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hbcore.cli.main import cli
from hbcore.control.server import ControlServer
from hbcore.state.paths import NodePaths


@contextmanager
def node_answering(run_dir: Path, outcome: Mapping[str, Any], pending: int) -> Iterator[None]:
    """A control socket whose reload is ``pending`` answers long, then ``outcome``."""
    asked: list[Mapping[str, Any]] = []

    def reload(request: Mapping[str, Any]) -> Mapping[str, Any]:
        asked.append(request)
        if "wait" not in request:
            return {"reload": 7, "done": False}
        if request["wait"] != 7:
            return {"ok": False, "error": "no reload to wait for"}
        if len(asked) <= pending:
            return {"reload": 7, "done": False}
        return {"reload": 7, "done": True, **outcome}

    loop = asyncio.new_event_loop()
    server = ControlServer(NodePaths(run_dir=run_dir).control_socket, {"reload": reload})
    loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(server.stop())
        loop.close()


def test_accepted_changes_are_printed_and_exit_0(tmp_path: Path) -> None:
    outcome = {
        "accepted": True,
        "applied": ["ha.cf:3: deadtime 1000 ms -> 2000 ms: applied"],
        "not_applied": ["ha.cf:9: udpport 694 -> 695: not applied (...); running with 694"],
        "problems": [],
    }
    with node_answering(tmp_path, outcome, pending=3):
        result = CliRunner().invoke(cli, ["reload", "--run-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [*outcome["applied"], *outcome["not_applied"]]


def test_nothing_to_change_says_so(tmp_path: Path) -> None:
    outcome = {"accepted": True, "applied": [], "not_applied": [], "problems": []}
    with node_answering(tmp_path, outcome, pending=1):
        result = CliRunner().invoke(cli, ["reload", "--run-dir", str(tmp_path)])
    assert (result.exit_code, result.output) == (0, "Configuration unchanged.\n")


def test_refused_files_print_their_problems_and_exit_1(tmp_path: Path) -> None:
    problem = "ha.cf:12: unknown directive 'deadtme'; did you mean 'deadtime'?"
    outcome = {"accepted": False, "applied": [], "not_applied": [], "problems": [problem]}
    with node_answering(tmp_path, outcome, pending=0):
        result = CliRunner().invoke(cli, ["reload", "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        problem,
        "Configuration not reloaded: the node runs on with its running configuration.",
    ]


def test_no_node_is_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reload", "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Heartbeat is stopped on this machine.")

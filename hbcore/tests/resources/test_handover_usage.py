"""``hb standby``, ``hb takeover``, ``hb_standby`` and ``hb_takeover`` exit 1 on a wrong or extra
argument, as heartbeat's tools do (behaviour.md §13), and say what was wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hbcore.cli.main import cli

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", ["standby", "takeover"])
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["everything"], "'everything' is not one of 'all', 'local', 'foreign', 'failback'"),
        (["local", "foreign"], "unexpected extra argument (foreign)"),
    ],
)
def test_a_wrong_or_extra_argument_exits_1_with_the_reason(
    command: str, args: list[str], says: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(cli, [command, *args, "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert says in result.output
    assert f"Usage: cli {command} [OPTIONS] [all|local|foreign|failback]" in result.output


@pytest.mark.parametrize("tool", ["hb_standby", "hb_takeover"])
def test_the_heartbeat_named_tools_exit_1_on_a_wrong_argument(tool: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [str(BIN / tool), "nonsense", "--run-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert run.returncode == 1
    assert "'nonsense' is not one of" in run.stderr


def test_a_right_argument_with_no_node_running_still_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["standby", "local", "--run-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Heartbeat is stopped on this machine." in result.output

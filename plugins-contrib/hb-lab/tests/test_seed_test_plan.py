"""The seed's test plan as one lab command (``hb lab test-plan``), and the guide that shows it.

In the lab (root): two nodes joined by a crossover cable (bcast eth1) and a null-modem cable
(serial), linuxha1 running hb and linuxha2 running hb or the real heartbeat 3.0.6. Pull the
crossover cable: both nodes log the eth1 link dead and nothing fails over; the same with the
null-modem cable; kill the owner: the survivor takes the address and the client follows. The
printed timeline has the events docs/getting-started.md shows.

Without root: what the plan counts as misbehaviour, the log reading it relies on, the command's
exit status, and the guide's three files checking clean.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hb_lab import seed_test_plan
from hb_lab.commands import HEARTBEAT
from hb_lab.haconf import Timers
from hb_lab.logs import LogFollower, message_of
from hb_lab.seed_test_plan import (
    STEPS,
    Outcome,
    SeedPlan,
    misbehaviour,
    run_seed_test_plan,
)
from hbcore.cli.main import cli
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "getting-started.md"
STEP_NAMES = [name for name, _expected, _step in STEPS]
LAB_TIMERS = Timers(keepalive=0.2, deadtime=1.0)
"""The lab runs take half the default deadtime (each pulled cable is out two deadtimes, each
death takes one): the same steps, judged the same way, 7 s sooner a run. keepalive stays at
the default's 0.2 s: the null-modem cable carries both nodes' heartbeats at 19200 baud."""


# -- the guide -----------------------------------------------------------------------------------


def _blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block of the guide: (the line before its opening fence, its content)."""
    lines = text.splitlines()
    found = []
    index = 0
    while index < len(lines):
        if not lines[index].startswith("```"):
            index += 1
            continue
        end = lines.index("```", index + 1)
        found.append((lines[index - 1], "".join(f"{line}\n" for line in lines[index + 1 : end])))
        index = end + 1
    return found


def _block_after(text: str, marker: str) -> str:
    """The content of the guide's block whose opening fence follows the line ``marker``."""
    (content,) = [content for before, content in _blocks(text) if before == marker]
    return content


def _output_of(text: str, command: str) -> str:
    """The output the guide shows for the example that is exactly ``command``."""
    blocks = [content for _before, content in _blocks(text)]
    return blocks[blocks.index(f"{command}\n") + 1]


def _timer_texts(plan: SeedPlan) -> tuple[str, str]:
    """What the timeline says of ``plan``'s timers: its heading's and each pulled cable's."""
    timers = plan.timers
    return (
        f"keepalive {timers.keepalive:g} s, deadtime {timers.deadtime:g} s;",
        f"{plan.hold_s:g} s later:",
    )


def _guide_timeline(peer: str, timers: Timers) -> list[str]:
    """The timeline the guide shows for ``hb lab test-plan``, as ``--peer`` would print it with
    ``timers``: the guide shows the default timers' texts, replaced by those of ``timers`` (a
    guide showing other timers than the default keeps its texts, and differs)."""
    shown = _block_after(GUIDE.read_text(), "<!-- timeline of hb lab test-plan -->")
    label = seed_test_plan.PEERS[peer]
    replacements = zip(_timer_texts(SeedPlan()), _timer_texts(SeedPlan(timers=timers)), strict=True)
    for default, wanted in replacements:
        shown = shown.replace(default, wanted)
    return [
        line.replace("linuxha2 runs hb", f"linuxha2 runs {label}").replace(
            "linuxha2 (hb)", f"linuxha2 ({label})"
        )
        for line in shown.splitlines()
    ]


def _steps(lines: list[str]) -> list[list[str]]:
    """Each paragraph of a timeline: its first line, then its events without their offsets and
    with any pty as /dev/pts/N, sorted (two nodes log the same change in either order)."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            paragraphs.append([])
            continue
        text = re.sub(r"/dev/pts/\d+", "/dev/pts/N", line)
        paragraphs[-1].append(re.sub(r"^\s*[+-]\d+\.\d+ s\s+", "", text))
    return [[block[0], *sorted(block[1:])] for block in paragraphs if block]


# -- in the lab ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "peer",
    [
        "hb",
        pytest.param(
            "heartbeat",
            marks=pytest.mark.skipif(not HEARTBEAT.exists(), reason="apt-get install heartbeat"),
        ),
    ],
)
@pytest.mark.netns
@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_pulled_cables_kill_their_links_only_and_a_killed_owner_moves_the_address(
    peer: str,
) -> None:
    lines: list[str] = []
    outcomes = run_seed_test_plan(SeedPlan(peer=peer, timers=LAB_TIMERS), lines.append)
    timeline = "\n".join(lines)
    assert outcomes == [Outcome(name, True) for name in STEP_NAMES], timeline
    assert lines[-1] == f"test plan passed: {len(STEPS)} of {len(STEPS)} steps behaved"
    assert _steps(lines) == _steps(_guide_timeline(peer, LAB_TIMERS)), timeline


# -- what the plan judges ------------------------------------------------------------------------

HB_LINE = "Dec 04 20:53:15 linuxha2 heartbeat: [13304]: {level}: {text}"
SCRIPT_LINE = "2026/12/04_20:53:15  ResourceManager(default)[9851]:\tinfo: {text}"


def test_a_quiet_cluster_with_the_address_on_its_owner_behaved() -> None:
    lines = {
        "linuxha1": [HB_LINE.format(level="info", text="Link linuxha2:eth1 dead.")],
        "linuxha2": [HB_LINE.format(level="info", text="Link linuxha1:eth1 dead.")],
    }
    # A reply slower than the poller's timeout is no answer, not a failover.
    assert misbehaviour(lines, ["linuxha1", "-", "linuxha1"], "linuxha1") == []


@pytest.mark.parametrize(
    "line",
    [
        HB_LINE.format(level="WARN", text="node linuxha1: is dead"),
        HB_LINE.format(level="info", text="Taking over resource group 10.77.1.100/24/eth0"),
        SCRIPT_LINE.format(text="Acquiring resource group: linuxha1 10.77.1.100/24/eth0"),
        HB_LINE.format(level="info", text="Releasing resource group: linuxha1 10.77.1.100"),
    ],
)
def test_a_death_or_a_group_changing_hands_is_misbehaviour(line: str) -> None:
    found = misbehaviour({"linuxha1": [], "linuxha2": [line]}, ["linuxha1"], "linuxha1")
    assert found == [f"linuxha2: {message_of(line)}"]


def test_an_answer_from_another_node_is_misbehaviour() -> None:
    found = misbehaviour({"linuxha1": []}, ["linuxha1", "linuxha2"], "linuxha1")
    assert found == ["http://10.77.1.100/ answered from linuxha2"]


def test_the_message_of_a_line_is_its_text_after_the_level_in_either_format() -> None:
    assert message_of(HB_LINE.format(level="WARN", text="node linuxha1: is dead")) == (
        "node linuxha1: is dead"
    )
    assert message_of(SCRIPT_LINE.format(text="Acquiring resource group: a b")) == (
        "Acquiring resource group: a b"
    )
    assert message_of("heartbeat: udpport setting must precede media statements") == (
        "heartbeat: udpport setting must precede media statements"
    )


@given(chunks=st.lists(st.binary(max_size=40), max_size=12))
def test_a_follower_returns_each_complete_line_once_in_order(
    chunks: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("log") / "ha-log"
    path.write_bytes(b"written before the mark\n")
    follower = LogFollower(path, path.stat().st_size)
    seen: list[str] = []
    for chunk in chunks:
        with path.open("ab") as log:
            log.write(chunk)
        seen += [line for _at, line in follower.poll()]
    complete = b"".join(chunks).split(b"\n")[:-1]
    assert seen == [line.decode(errors="replace") for line in complete]


# -- the command ---------------------------------------------------------------------------------


def _fake_run(
    outcomes: list[Outcome],
) -> Callable[[SeedPlan, Callable[[str], None]], list[Outcome]]:
    """A stand-in for the plan that reports ``outcomes`` without building a lab."""

    def run(plan: SeedPlan, print_line: Callable[[str], None]) -> list[Outcome]:
        return outcomes

    return run


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ([Outcome(name, True) for name in STEP_NAMES], 0),
        ([Outcome("start both nodes", True), Outcome("pull the crossover cable", False)], 1),
        ([Outcome("start both nodes", False), Outcome("kill the owner", None)], 1),
    ],
)
def test_the_command_exits_0_only_when_every_step_behaved(
    outcomes: list[Outcome], status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed_test_plan, "run_seed_test_plan", _fake_run(outcomes))
    result = CliRunner().invoke(cli, ["lab", "test-plan", "--peer", "heartbeat"])
    assert result.exit_code == status, result.output


@pytest.mark.parametrize(
    "arguments",
    [["--peer", "keepalived"], ["--keepalive", "1", "--deadtime", "2"]],
)
def test_a_bad_peer_or_timers_are_usage_errors(arguments: list[str]) -> None:
    result = CliRunner().invoke(cli, ["lab", "test-plan", *arguments])
    assert result.exit_code == 2, result.output


# -- the guide's files -------------------------------------------------------------------------


def test_the_guides_three_files_check_clean_as_the_guide_shows(tmp_path: Path) -> None:
    guide = GUIDE.read_text()
    for name in ("ha.cf", "haresources", "authkeys"):
        (tmp_path / name).write_text(_block_after(guide, f"<!-- file: /etc/ha.d/{name} -->"))
    (tmp_path / "authkeys").chmod(0o600)
    result = CliRunner().invoke(cli, ["check", "-c", str(tmp_path), "--node-name", "linuxha1"])
    assert result.exit_code == 0, result.output
    shown = _output_of(guide, "hb check -c ha.d --node-name linuxha1")
    summary = [line for line in shown.splitlines() if line.startswith("  ")]
    printed = result.output.splitlines()
    assert summary and all(line in printed for line in summary), result.output

"""The seed's test plan ("Getting Started with Linux-HA (heartbeat)"), run in a lab.

Two nodes joined by the seed's two heartbeat paths, a crossover Ethernet cable (``bcast eth1``)
and a null-modem cable (``serial``); a cluster address with a web service, preferred on
linuxha1 (``auto_failback on``); a client on the public network that asks the address which
node serves it. linuxha1 runs hb; linuxha2 runs hb or the real heartbeat 3.0.6.

The steps, each judged from both nodes' logs and the client's answers:

0. start both nodes: each logs the other's link up on both paths; the address answers from
   linuxha1;
1. pull the crossover cable: both nodes log their eth1 link dead; for two deadtimes no node is
   declared dead, no resource group moves and the address answers from linuxha1 only; plugged
   back, the links come up again;
2. the same with the null-modem cable;
3. kill the owner (every process on linuxha1, and its public cable, as when the machine dies):
   linuxha2 declares it dead, acquires the group, and the address answers from linuxha2.

A step that misbehaves ends the run; the steps after it are not run. The run prints a timeline
(times relative to each step's first action) and the lab is always torn down.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hb_lab.commands import HbCommand, HeartbeatCommand, NodeCommand
from hb_lab.haconf import Bcast, ClusterConfig, Serial, Timers
from hb_lab.lab import Lab
from hb_lab.logs import LogFollower, message_of
from hb_lab.netns import LabCommandError
from hb_lab.node import CONSOLE_LOG, DEFAULT_LOG, Node
from hb_lab.timeline import Timeline
from hb_lab.web import NO_ANSWER, SCRIPT_NAME, Answers, install_script
from hb_lab.wiring import LabSpec

PEERS = {"hb": "hb", "heartbeat": "heartbeat 3.0.6"}
"""What linuxha2 may run, and how the timeline names it."""
OWNER, PEER = "linuxha1", "linuxha2"
ADDRESS = "10.77.1.100"
BCAST = "eth1"
DEFAULT_TIMERS = Timers(keepalive=0.2, deadtime=2.0)
START_TIMEOUT_S = 60.0
"""Both implementations wait about 10 s for a stable peer before taking their groups."""
TAKEOVER_TIMEOUT_S = 30.0
POLL_S = 0.01
RESOURCE_MOVES = (
    "Acquiring resource group",
    "Taking over resource group",
    "Releasing resource group",
)
"""Log texts of a group changing hands, in hb's and heartbeat's logs."""
DEATH = ": is dead"


@dataclass(frozen=True)
class SeedPlan:
    """How to run the test plan.

    :param peer: what linuxha2 runs, a key of :data:`PEERS`.
    :param timers: keepalive and deadtime of both nodes (initdead: heartbeat's default).
    :param baud: the null-modem cable's ``baud``.
    """

    peer: str = "hb"
    timers: Timers = DEFAULT_TIMERS
    baud: int = 19200

    def __post_init__(self) -> None:
        if self.peer not in PEERS:
            raise ValueError(f"peer must be one of {', '.join(PEERS)}, not {self.peer!r}")

    @property
    def hold_s(self) -> float:
        """How long a pulled cable stays out once its links are dead: two deadtimes."""
        return max(1.0, 2 * self.timers.deadtime)

    @property
    def link_timeout_s(self) -> float:
        """How long a link may take to be logged dead or up again."""
        return 3 * self.timers.deadtime + 5.0


@dataclass(frozen=True)
class Outcome:
    """One step of the plan: ``passed`` is None when the step was not run."""

    step: str
    passed: bool | None
    reason: str = ""


class Misbehaved(Exception):
    """A step saw something the test plan says must not happen; the message says what."""


def misbehaviour(
    lines: Mapping[str, Sequence[str]], answers: Sequence[str], owner: str
) -> list[str]:
    """What a pulled cable must not cause, from each node's log lines and the client's answers
    while it was out: a node declared dead, a group changing hands, the address answering
    from a node other than ``owner`` (no answer at all is not counted: a slow reply is not a
    failover). Empty when the cluster behaved."""
    found = [
        f"{name}: {message_of(line)}"
        for name, node_lines in lines.items()
        for line in node_lines
        if DEATH in line or any(text in line for text in RESOURCE_MOVES)
    ]
    others = sorted(set(answers) - {owner, NO_ANSWER})
    if others:
        found.append(f"http://{ADDRESS}/ answered from {', '.join(others)}")
    return found


class _Events:
    """Both nodes' log lines since a step began, each stamped when the lab first read it."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self._followers = {
            node.name: LogFollower(node.log_path(), node.log_mark()) for node in nodes
        }
        self.lines: dict[str, list[tuple[float, str]]] = {node.name: [] for node in nodes}

    def poll(self) -> None:
        for name, follower in self._followers.items():
            self.lines[name] += follower.poll()

    def wait(self, wanted: Sequence[tuple[str, str]], timeout: float) -> list[tuple[float, str]]:
        """Wait until every (node, text) has a line; return (time, "node: message") for each
        first match, in the order they were seen.

        :raises TimeoutError: naming the texts still missing.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            found = {(node, text): self._first(node, text) for node, text in wanted}
            missing = [key for key, hit in found.items() if hit is None]
            if not missing:
                events = [hit for hit in found.values() if hit is not None]
                return sorted(events)
            if time.monotonic() > deadline:
                absent = "; ".join(f"{node} never logged {text!r}" for node, text in missing)
                raise TimeoutError(f"{absent} (waited {timeout:g} s)")
            time.sleep(POLL_S)

    def _first(self, node: str, text: str) -> tuple[float, str] | None:
        for at, line in self.lines[node]:
            if text in line:
                return at, f"{node}: {message_of(line)}"
        return None


class _Run:
    """One run of the plan on a built, configured lab."""

    def __init__(self, lab: Lab, plan: SeedPlan, print_line: Callable[[str], None]) -> None:
        self.lab = lab
        self.plan = plan
        self.print_line = print_line
        self.timeline = Timeline(print_line)
        self.answers: Answers | None = None
        (cable,) = lab.cables
        self.serial = {name: cable.device_of(name) or "" for name in (OWNER, PEER)}

    def commands(self) -> dict[str, NodeCommand]:
        hb = HbCommand()
        return {OWNER: hb, PEER: HeartbeatCommand() if self.plan.peer == "heartbeat" else hb}

    def begin(self) -> tuple[_Events, float]:
        """Start a step's view of the logs and its clock; return both."""
        events = _Events(self.lab.nodes)
        self.timeline.zero = zero = time.monotonic()
        return events, zero

    def note(self, events: list[tuple[float, str]]) -> None:
        for at, text in events:
            self.timeline.note(at, text)

    def links(self, path: str, state: str) -> list[tuple[str, str]]:
        """The (node, line) pairs of both nodes logging their link to the other ``state``."""
        return [
            (OWNER, f"Link {PEER}:{self.link_name(OWNER, path)} {state}."),
            (PEER, f"Link {OWNER}:{self.link_name(PEER, path)} {state}."),
        ]

    def link_name(self, node: str, path: str) -> str:
        """What ``node`` calls its link on ``path`` (bcast: the interface; serial: its tty)."""
        return BCAST if path == "bcast" else self.serial[node]

    # -- the steps ------------------------------------------------------------------------------

    def start(self) -> None:
        events, zero = self.begin()
        peer = PEERS[self.plan.peer]
        self.timeline.note(zero, f"start {OWNER} (hb) and {PEER} ({peer})")
        for name, command in self.commands().items():
            self.lab.node(name).start(command)
        assert self.lab.client is not None
        self.answers = Answers(self.lab.client.netns, ADDRESS)
        both_paths = self.links("bcast", "up") + self.links("serial", "up")
        self.note(events.wait(both_paths, START_TIMEOUT_S))
        at = self.answers.wait_for(OWNER, zero, START_TIMEOUT_S)
        self.timeline.note(at, f"http://{ADDRESS}/ answers from {OWNER}")

    def pull_crossover(self) -> None:
        def cut() -> None:
            for name in (OWNER, PEER):
                self.lab.cut_link(name, BCAST)

        def restore() -> None:
            for name in (OWNER, PEER):
                self.lab.restore_link(name, BCAST)

        self.pull("bcast", f"pull the crossover cable ({BCAST} of both nodes)", cut, restore)

    def pull_null_modem(self) -> None:
        (cable,) = self.lab.cables
        self.pull("serial", "pull the null-modem cable", cable.cut, cable.restore)

    def pull(
        self,
        path: str,
        action: str,
        cut: Callable[[], None],
        restore: Callable[[], None],
    ) -> None:
        """Pull a cable: its links die, nothing else happens; plug it back: they come up."""
        assert self.answers is not None
        events, zero = self.begin()
        cut()
        self.timeline.note(zero, action)
        self.note(events.wait(self.links(path, "dead"), self.plan.link_timeout_s))
        time.sleep(self.plan.hold_s)
        self.judge_nothing_moved(events, zero)
        self.timeline.note(
            time.monotonic(),
            f"{self.plan.hold_s:g} s later: no node dead, no group moved, "
            f"http://{ADDRESS}/ still answers from {OWNER}",
        )
        restore()
        self.timeline.note(time.monotonic(), "plug it back in")
        self.note(events.wait(self.links(path, "up"), self.plan.link_timeout_s))
        self.judge_nothing_moved(events, zero)

    def judge_nothing_moved(self, events: _Events, since: float) -> None:
        assert self.answers is not None
        events.poll()
        lines = {name: [line for _at, line in seen] for name, seen in events.lines.items()}
        answers = [answer for _at, answer in self.answers.changes(since)]
        wrong = misbehaviour(lines, answers, OWNER)
        if wrong:
            raise Misbehaved("; ".join(wrong))

    def kill_owner(self) -> None:
        assert self.answers is not None
        events, zero = self.begin()
        self.lab.node(OWNER).kill()
        # A killed machine's address stays on its interface: without its public cable, only
        # the survivor's can answer.
        self.lab.cut_link(OWNER, "eth0")
        self.timeline.note(zero, f"kill -9 {OWNER} (every process) and pull its public cable")
        dead = events.wait([(PEER, f"node {OWNER}{DEATH}")], self.plan.link_timeout_s)
        self.note(dead)
        self.note(events.wait([(PEER, "Acquiring resource group")], TAKEOVER_TIMEOUT_S))
        at = self.answers.wait_for(PEER, zero, TAKEOVER_TIMEOUT_S)
        self.timeline.note(at, f"http://{ADDRESS}/ answers from {PEER}")

    def stop(self) -> None:
        if self.answers is not None:
            self.answers.stop()

    def show_logs(self, lines: int = 12) -> None:
        """The last lines of every node's log and console, for a step that misbehaved."""
        for node in self.lab.nodes:
            for inside in (DEFAULT_LOG, CONSOLE_LOG):
                self.print_line(f"--- last lines of {node.name}'s {inside}:")
                for line in node.read_log(inside)[-lines:]:
                    self.print_line(line)


STEPS: tuple[tuple[str, str, Callable[[_Run], None]], ...] = (
    (
        "start both nodes",
        f"each sees the other on both paths; {ADDRESS} answers from {OWNER}",
        _Run.start,
    ),
    (
        "pull the crossover cable",
        f"the {BCAST} links die, no node does, the address stays on {OWNER}",
        _Run.pull_crossover,
    ),
    (
        "pull the null-modem cable",
        f"the serial links die, no node does, the address stays on {OWNER}",
        _Run.pull_null_modem,
    ),
    (
        "kill the owner",
        f"{PEER} declares {OWNER} dead and the address answers from {PEER}",
        _Run.kill_owner,
    ),
)


def _configure(lab: Lab, plan: SeedPlan) -> None:
    lab.write_config(
        ClusterConfig(
            media=(Bcast((BCAST,)), Serial(plan.baud)),
            timers=plan.timers,
            resources=(f"{OWNER} {ADDRESS}/24/eth0 {SCRIPT_NAME}",),
            auto_failback="on",
        )
    )
    for node in lab.nodes:
        install_script(node.dirs.ha_d)


def _describe(run: _Run, print_line: Callable[[str], None]) -> None:
    plan = run.plan
    print_line(f"the seed's test plan: {OWNER} runs hb, {PEER} runs {PEERS[plan.peer]}")
    print_line(
        f"heartbeat paths: bcast {BCAST} (crossover cable) and serial "
        f"{run.serial[OWNER]} <-> {run.serial[PEER]} (null-modem cable, {plan.baud} baud)"
    )
    print_line(
        f"keepalive {plan.timers.keepalive:g} s, deadtime {plan.timers.deadtime:g} s; "
        f"{ADDRESS} with a web service, preferred on {OWNER} (auto_failback on)"
    )


def run_seed_test_plan(
    plan: SeedPlan | None = None, print_line: Callable[[str], None] = print
) -> list[Outcome]:
    """Build the lab, run every step in order until one misbehaves, print the timeline and
    return each step's outcome (``passed`` None for the steps not run)."""
    plan = plan or SeedPlan()
    outcomes: list[Outcome] = []
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=1, serial_cables=1, client=True)) as lab:
        _configure(lab, plan)
        run = _Run(lab, plan, print_line)
        _describe(run, print_line)
        try:
            for number, (name, expected, step) in enumerate(STEPS):
                title = f"{number}. {name}: {expected}"
                if outcomes and not outcomes[-1].passed:
                    outcomes.append(Outcome(name, None, "not run"))
                    continue
                print_line("")
                print_line(title)
                try:
                    step(run)
                except (Misbehaved, TimeoutError, LabCommandError) as problem:
                    print_line(f"  FAILED: {problem}")
                    run.show_logs()
                    outcomes.append(Outcome(name, False, str(problem)))
                else:
                    outcomes.append(Outcome(name, True))
        finally:
            run.stop()
    passed = sum(1 for outcome in outcomes if outcome.passed)
    verdict = "passed" if passed == len(STEPS) else "FAILED"
    print_line("")
    print_line(f"test plan {verdict}: {passed} of {len(STEPS)} steps behaved")
    return outcomes

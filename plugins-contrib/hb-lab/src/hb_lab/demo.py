"""The failover demo: what a user of the cluster address sees when its owner dies and returns.

Two hb nodes (linuxha1 preferred) share a heartbeat network; the cluster address and a web
service form one resource group; a client asks the address every 10 ms. The demo kills
linuxha1 (SIGKILL of every process, its public link pulled, as when a machine dies), waits for
linuxha2 to serve, then brings linuxha1 back and waits for the group to fail back
(``auto_failback on``). Every step is printed on one clock, relative to the kill.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hb_lab.commands import HbCommand
from hb_lab.haconf import Bcast, ClusterConfig, Timers
from hb_lab.lab import Lab
from hb_lab.node import CONSOLE_LOG
from hb_lab.timeline import Timeline
from hb_lab.web import SCRIPT_NAME, Answers, install_script
from hb_lab.wiring import LabSpec

ADDRESS = "10.77.1.100"
TIMERS = Timers(keepalive=0.1, deadtime=0.5, warntime=0.3, initdead=2.0)
STEP_TIMEOUT_S = 60.0
FAILBACK_PAUSE_S = 2.0


def run_demo(print_line: Callable[[str], None] = print) -> None:
    """Build the lab, fail over and back, print the timeline; the lab is always torn down."""
    command = HbCommand()
    timeline = Timeline(print_line)
    with Lab.create(LabSpec(nodes=2, heartbeat_nets=1)) as lab:
        lab.write_config(
            ClusterConfig(
                media=(Bcast(("eth1",)),),
                timers=TIMERS,
                resources=(f"linuxha1 {ADDRESS}/24/eth0 {SCRIPT_NAME}",),
                auto_failback="on",
            )
        )
        for node in lab.nodes:
            install_script(node.dirs.ha_d)
        assert lab.client is not None
        print_line(
            f"two hb nodes (keepalive {TIMERS.keepalive} s, deadtime {TIMERS.deadtime} s); "
            f"cluster address {ADDRESS} with a web service, preferred on linuxha1"
        )
        lab.start(command)
        answers = Answers(lab.client.netns, ADDRESS)
        try:
            at = answers.wait_for("linuxha1", 0.0, STEP_TIMEOUT_S)
            timeline.note(at, f"http://{ADDRESS}/ answers from linuxha1")
            _fail_over(lab, answers, timeline)
            _fail_back(lab, answers, timeline, command)
        except TimeoutError:
            for node in lab.nodes:
                print_line(f"--- last lines of {node.name}'s console:")
                for line in node.read_log(CONSOLE_LOG)[-15:]:
                    print_line(line)
            raise
        finally:
            answers.stop()


def _fail_over(lab: Lab, answers: Answers, timeline: Timeline) -> None:
    linuxha1, linuxha2 = lab.node("linuxha1"), lab.node("linuxha2")
    time.sleep(TIMERS.initdead or 0)
    mark = linuxha2.log_mark()
    timeline.zero = killed = time.monotonic()
    linuxha1.kill()
    lab.cut_link("linuxha1", "eth0")
    timeline.note(killed, "kill -9 linuxha1 (and pull its public cable)")
    dead = linuxha2.wait_for_log("node linuxha1: is dead", STEP_TIMEOUT_S, after=mark)
    timeline.note(dead.at, "linuxha2: node linuxha1: is dead")
    taken = linuxha2.wait_for_log("Acquiring resource group", STEP_TIMEOUT_S, after=dead.end)
    timeline.note(taken.at, "linuxha2: Acquiring resource group: " + taken.line.split(": ")[-1])
    at = answers.wait_for("linuxha2", killed, STEP_TIMEOUT_S)
    timeline.note(at, f"http://{ADDRESS}/ answers from linuxha2")


def _fail_back(lab: Lab, answers: Answers, timeline: Timeline, command: HbCommand) -> None:
    linuxha1 = lab.node("linuxha1")
    time.sleep(FAILBACK_PAUSE_S)
    # As after a reboot: the address a killed node left on its interface is gone.
    linuxha1.run(["ip", "addr", "del", f"{ADDRESS}/24", "dev", "eth0"], check=False)
    lab.restore_link("linuxha1", "eth0")
    mark = linuxha1.log_mark()
    rebooted = time.monotonic()
    timeline.note(rebooted, "linuxha1 rebooted: start hb again (auto_failback on)")
    linuxha1.start(command)
    active = linuxha1.wait_for_log("Comm_now_up", STEP_TIMEOUT_S, after=mark)
    timeline.note(active.at, "linuxha1: Comm_now_up(): updating status to active")
    at = answers.wait_for("linuxha1", rebooted, STEP_TIMEOUT_S)
    timeline.note(at, f"http://{ADDRESS}/ answers from linuxha1 again")

"""The failover demo: what a user of the cluster address sees when its owner dies and returns.

Two hb nodes (linuxha1 preferred) share a heartbeat network; the cluster address and a web
service form one resource group; a client asks the address every 10 ms. The demo kills
linuxha1 (SIGKILL of every process, its public link pulled, as when a machine dies), waits for
linuxha2 to serve, then brings linuxha1 back and waits for the group to fail back
(``auto_failback on``). Every step is printed on one clock, relative to the kill.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hbcore.demo.service import SCRIPT_NAME, script_text
from hbcore.demo.timeline import Timeline
from hbcore.lab import Bcast, ClusterConfig, Lab, LabSpec, TemplateCommand, Timers
from hbcore.lab.net.iproute import netns_exec_argv

ADDRESS = "10.77.1.100"
CONSOLE_LOG = "/var/log/hb-lab-console.log"
TIMERS = Timers(keepalive=0.1, deadtime=0.5, warntime=0.3, initdead=2.0)
STEP_TIMEOUT_S = 60.0
FAILBACK_PAUSE_S = 2.0


class Client:
    """The poller in the client namespace; its answers arrive as (time, node) on a queue."""

    def __init__(self, netns: str) -> None:
        argv = [sys.executable, "-m", "hbcore.demo.poller", ADDRESS]
        self.process = subprocess.Popen(
            netns_exec_argv(netns, argv), stdout=subprocess.PIPE, text=True
        )
        self.answers: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, answer = line.split()
            self.answers.put((float(at), answer))

    def wait_for(self, answer: str) -> float:
        """The time the address first answered ``answer`` from now on."""
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                at, seen = self.answers.get(timeout=0.5)
            except queue.Empty:
                continue
            if seen == answer:
                return at
        raise TimeoutError(f"the client never got an answer from {answer}")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def run_demo(print_line: Callable[[str], None] = print) -> None:
    """Build the lab, fail over and back, print the timeline; the lab is always torn down."""
    hb = str(Path(sys.executable).with_name("hb"))
    command = TemplateCommand(f"{hb} start --foreground")
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
            script = node.dirs.ha_d / "resource.d" / SCRIPT_NAME
            script.parent.mkdir(exist_ok=True)
            script.write_text(script_text())
            script.chmod(0o755)
        assert lab.client is not None
        print_line(
            f"two hb nodes (keepalive {TIMERS.keepalive} s, deadtime {TIMERS.deadtime} s); "
            f"cluster address {ADDRESS} with a web service, preferred on linuxha1"
        )
        lab.start(command)
        client = Client(lab.client.netns)
        try:
            timeline.note(client.wait_for("linuxha1"), f"http://{ADDRESS}/ answers from linuxha1")
            _fail_over(lab, client, timeline)
            _fail_back(lab, client, timeline, command)
        except TimeoutError:
            for node in lab.nodes:
                print_line(f"--- last lines of {node.name}'s console:")
                for line in node.read_log(CONSOLE_LOG)[-15:]:
                    print_line(line)
            raise
        finally:
            client.stop()


def _fail_over(lab: Lab, client: Client, timeline: Timeline) -> None:
    linuxha1, linuxha2 = lab.node("linuxha1"), lab.node("linuxha2")
    time.sleep(TIMERS.initdead or 0)
    mark = linuxha2.log_mark()
    timeline.zero = time.monotonic()
    linuxha1.kill()
    lab.cut_link("linuxha1", "eth0")
    timeline.note(timeline.zero, "kill -9 linuxha1 (and pull its public cable)")
    dead = linuxha2.wait_for_log("node linuxha1: is dead", STEP_TIMEOUT_S, after=mark)
    timeline.note(dead.at, "linuxha2: node linuxha1: is dead")
    taken = linuxha2.wait_for_log("Acquiring resource group", STEP_TIMEOUT_S, after=dead.end)
    timeline.note(taken.at, "linuxha2: Acquiring resource group: " + taken.line.split(": ")[-1])
    timeline.note(client.wait_for("linuxha2"), f"http://{ADDRESS}/ answers from linuxha2")


def _fail_back(lab: Lab, client: Client, timeline: Timeline, command: TemplateCommand) -> None:
    linuxha1 = lab.node("linuxha1")
    time.sleep(FAILBACK_PAUSE_S)
    # As after a reboot: the address a killed node left on its interface is gone.
    linuxha1.run(["ip", "addr", "del", f"{ADDRESS}/24", "dev", "eth0"], check=False)
    lab.restore_link("linuxha1", "eth0")
    mark = linuxha1.log_mark()
    timeline.note(time.monotonic(), "linuxha1 rebooted: start hb again (auto_failback on)")
    linuxha1.start(command)
    active = linuxha1.wait_for_log("Comm_now_up", STEP_TIMEOUT_S, after=mark)
    timeline.note(active.at, "linuxha1: Comm_now_up(): updating status to active")
    timeline.note(client.wait_for("linuxha1"), f"http://{ADDRESS}/ answers from linuxha1 again")

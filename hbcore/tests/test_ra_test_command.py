"""``hb ra test TOKEN``: a haresources token's agent, resolved as the node resolves it, run
through heartbeat's calls. A good resource.d script passes; the classic bugs (a status that lies,
a stop that fails when stopped, a coroutine that blocks the loop) fail and name the step; a
token no plugin handles exits 2 with hb check's words; a plugin fresh from ``hb new-plugin``
passes out of the box. Each run is its own ``hb`` process, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from click.testing import CliRunner
from hb_hookspecs import CONTRACT_VERSION

# Through hb, as users run them: a subcommand invoked alone makes click keep a help option
# without -h, which the man page test would then see.
from hbcore.cli.main import cli

HB = Path(sys.executable).parent / "hb"

# A well-behaved heartbeat script; its state is a file beside the configuration directory.
MAID = """\
state="$HA_DIR/../maid.$1"
case "$2" in
  start) echo "$HA_CURHOST" > "$state" ;;
  stop) rm -f "$state" ;;
  status) if [ -e "$state" ]; then echo running; else echo stopped; fi ;;
esac
"""
# The same as an LSB init script, as hb-ra-script runs one found outside resource.d.
LSB_MAID = MAID.replace("echo running; else echo stopped", "exit 0; else exit 3").replace(
    'state="$HA_DIR/../maid.$1"', 'state="$HA_DIR/../maid"'
)
# The classic bugs, one a script.
SAYS_RUNNING = 'case "$2" in status) echo running ;; esac\n'
SAYS_STOPPED = MAID.replace("echo running; else echo stopped", "echo stopped; else echo stopped")
STOP_FAILS_WHEN_STOPPED = MAID.replace(
    'stop) rm -f "$state"',
    'stop) [ -e "$state" ] || { echo "maid: not running" >&2; exit 1; }; rm -f "$state"',
)


def hb(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HB), *arguments],
        env={**os.environ, **(env or {})},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def config_dir(tmp_path: Path, scripts: dict[str, str], folder: str = "resource.d") -> Path:
    """A configuration directory holding nothing but ``folder`` with ``scripts``."""
    directory = tmp_path / "ha.d"
    (directory / folder).mkdir(parents=True)
    for name, body in scripts.items():
        script = directory / folder / name
        script.write_text(f"#!/bin/sh\n{body}")
        script.chmod(0o755)
    return directory


def steps(stdout: str) -> list[str]:
    """The step lines, number, name and verdict (the time left out)."""
    found = (STEP_LINE.match(line) for line in stdout.splitlines())
    return [" ".join(filter(None, match.groups())) for match in found if match]


STEP_LINE = re.compile(r"^\s*(\d*)\s+(\S.*?) +\d+\.\d{3} s  (.*)$")


def test_a_good_resource_d_script_passes_every_step_as_this_node(tmp_path: Path) -> None:
    directory = config_dir(tmp_path, {"maid": MAID})
    ran = hb("ra", "test", "-c", str(directory), "--node", "LinuxHA1", "maid::vacuum")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == f"maid::vacuum: {directory}/resource.d/maid vacuum (heartbeat script)"
    assert [line.split()[:2] + line.split()[-2:] for line in lines[1:8]] == [
        ["1", "status", "ok:", "stopped"],
        ["2", "start", "s", "ok"],
        ["3", "status", "ok:", "running"],
        ["4", "start", "ok:", "running"],
        ["5", "stop", "s", "ok"],
        ["6", "status", "ok:", "stopped"],
        ["7", "stop", "ok:", "stopped"],
    ]
    assert lines[8:] == ["hb ra test: maid::vacuum: passed, 7 steps"]
    assert (
        ran.stderr == f"hb ra test: note: no ha.cf in {directory}: the agent sees empty settings\n"
    )
    assert not (tmp_path / "maid.vacuum").exists()


def test_the_node_name_reaches_the_script_as_ha_curhost(tmp_path: Path) -> None:
    directory = config_dir(tmp_path, {"maid": SAYS_STOPPED})
    ran = hb("ra", "test", "-c", str(directory), "--node", "LinuxHA1", "--keep-running",
             "maid::vacuum")  # fmt: skip
    assert ran.returncode == 1
    assert "left as the failed step left it (--keep-running)" in ran.stdout
    assert (tmp_path / "maid.vacuum").read_text() == "linuxha1\n"


def test_a_status_that_always_says_running_fails_at_step_1_and_stops_nothing(
    tmp_path: Path,
) -> None:
    directory = config_dir(tmp_path, {"liar": SAYS_RUNNING})
    ran = hb("ra", "test", "-c", str(directory), "liar::x")
    assert ran.returncode == 1
    assert steps(ran.stdout) == [
        "1 status before start FAILED: status says running; it must say stopped",
    ]
    assert ran.stdout.splitlines()[-2:] == [
        "hb ra test: liar::x: FAILED at step 1 (status before start)",
        "  it may be in use: stop it first, or give --force to test it anyway (the test stops it)",
    ]
    forced = hb("ra", "test", "-c", str(directory), "--force", "liar::x")
    assert forced.returncode == 1
    assert "hb ra test: liar::x: FAILED at step 6 (status after stop)" in forced.stdout


def test_a_status_that_always_says_stopped_fails_at_step_3_and_the_start_is_undone(
    tmp_path: Path,
) -> None:
    directory = config_dir(tmp_path, {"maid": SAYS_STOPPED})
    ran = hb("ra", "test", "-c", str(directory), "maid::vacuum")
    assert ran.returncode == 1
    assert steps(ran.stdout)[2:] == [
        "3 status after start FAILED: status says stopped; it must say running",
        "stop (cleanup) ok: stopped",
    ]
    assert "FAILED at step 3 (status after start)" in ran.stdout
    assert not (tmp_path / "maid.vacuum").exists()


def test_a_stop_that_fails_when_stopped_fails_at_step_7_with_the_scripts_words(
    tmp_path: Path,
) -> None:
    directory = config_dir(tmp_path, {"maid": STOP_FAILS_WHEN_STOPPED})
    ran = hb("ra", "test", "-c", str(directory), "--json", "maid::vacuum")
    assert ran.returncode == 1
    report = json.loads(ran.stdout)
    assert (report["schema"], report["passed"], report["exit_code"]) == ("hb-ra-test/1", False, 1)
    assert report["failed_step"] == {"number": 7, "name": "stop again"}
    assert [step["passed"] for step in report["steps"]] == [True] * 6 + [False]
    assert report["steps"][-1]["failure"] == (
        f"stop failed: Return code 1 from {directory}/resource.d/maid:\nmaid: not running"
    )
    assert report["cleanup"] is None
    assert report["notes"] == [f"no ha.cf in {directory}: the agent sees empty settings"]


# A start (or a status) that hangs once it has begun, and a stop that leaves a trace.
SLOW_START = MAID.replace(
    'start) echo "$HA_CURHOST" > "$state" ;;',
    'start) echo "$HA_CURHOST" > "$state"; touch "$state.begun"; sleep 30 ;;',
)
SLOW_STATUS = MAID.replace('stop) rm -f "$state"', 'stop) touch "$state.stop-called"').replace(
    "status) ", 'status) touch "$state.begun"; sleep 30; '
)


def interrupted(arguments: list[str], begun: Path) -> subprocess.CompletedProcess[str]:
    """``hb ARGUMENTS``, sent SIGINT (Ctrl-C) once the script has created ``begun``."""
    child = subprocess.Popen(
        [str(HB), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # SIGINT as a terminal delivers it, even when this test runs where it is ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not begun.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert begun.exists(), "the script never began"
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def test_ctrl_c_during_a_slow_start_stops_what_the_test_started_and_exits_130(
    tmp_path: Path,
) -> None:
    directory = config_dir(tmp_path, {"maid": SLOW_START})
    state = tmp_path / "maid.vacuum"
    ran = interrupted(["ra", "test", "-c", str(directory), "maid::vacuum"], Path(f"{state}.begun"))
    assert ran.returncode == 130, ran.stdout + ran.stderr
    assert steps(ran.stdout) == ["stop (cleanup) ok: stopped"]
    assert ran.stdout.splitlines()[-1] == (
        "hb ra test: maid::vacuum: interrupted during start; stopped what the test started"
    )
    assert not state.exists()


def test_ctrl_c_before_the_start_stops_nothing(tmp_path: Path) -> None:
    directory = config_dir(tmp_path, {"maid": SLOW_STATUS})
    state = tmp_path / "maid.vacuum"
    arguments = ["ra", "test", "-c", str(directory), "--json", "maid::vacuum"]
    ran = interrupted(arguments, Path(f"{state}.begun"))
    assert ran.returncode == 130, ran.stdout + ran.stderr
    report = json.loads(ran.stdout)
    assert (report["exit_code"], report["passed"]) == (130, False)
    assert report["interrupted"] == {"during": "status", "started": False, "cleanup": None}
    assert not Path(f"{state}.stop-called").exists()


def test_the_token_is_resolved_with_the_settings_of_ha_cf(tmp_path: Path) -> None:
    directory = config_dir(tmp_path, {"maid": LSB_MAID}, folder="scripts")
    assert hb("ra", "test", "-c", str(directory), "maid::vacuum").returncode == 2
    (directory / "ha.cf").write_text("node linuxha1\nbcast lo\nscript_dirs scripts\n")
    ran = hb("ra", "test", "-c", str(directory), "maid::vacuum")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stderr == ""


def test_a_token_no_plugin_handles_exits_2_with_hb_checks_words(tmp_path: Path) -> None:
    directory = tmp_path / "ha.d"
    directory.mkdir()
    (directory / "ha.cf").write_text("node linuxha1\nbcast lo\n")
    (directory / "haresources").write_text("linuxha1 IPaddr::10.0.0.5 maid::vacuum\n")
    only_scripts = {"HB_PLUGINS": "ra-script"}
    checked = hb("check", "-c", str(directory), "--node-name", "linuxha1", env=only_scripts)
    at_the_line = "haresources:1: "
    problems = [
        line.removeprefix(at_the_line).removeprefix("warning: ")
        for line in checked.stderr.splitlines()
        if line.startswith(at_the_line)
    ]
    assert len(problems) == 2, checked.stderr
    for token, problem in zip(("IPaddr::10.0.0.5", "maid::vacuum"), problems, strict=True):
        ran = hb("ra", "test", "-c", str(directory), token, env=only_scripts)
        assert (ran.returncode, ran.stdout) == (2, "")
        assert ran.stderr.splitlines()[-1] == f"hb ra test: {problem}"
    assert "no installed plugin handles resource IPaddr::10.0.0.5" in problems[0]
    assert "Cannot locate resource script maid" in problems[1]
    as_json = hb("ra", "test", "-c", str(directory), "--json", "maid::vacuum", env=only_scripts)
    report = json.loads(as_json.stdout)
    assert (as_json.returncode, report["exit_code"], report["agent"]) == (2, 2, None)
    assert [f"{p['message']}; {p['fix']}" for p in report["problems"]] == problems[1:]
    assert report["steps"] == [] and report["failed_step"] is None


SLEEPY = f'''
"""A plugin whose agent's start blocks the loop: the bug hb ra test must report."""
import time

from hb_hookspecs import hookimpl

HB_CONTRACT = {CONTRACT_VERSION!r}


class Sleepy:
    name = "sleepy::x"

    def __init__(self):
        self.running = False

    async def start(self):
        time.sleep(0.4)
        self.running = True

    async def stop(self):
        self.running = False

    async def status(self):
        return self.running

    def describe(self):
        return "sleepy x"


@hookimpl
def hb_resolve_resource(token, context):
    return Sleepy() if token == "sleepy::x" else None
'''


def test_an_agent_that_blocks_the_loop_is_reported_at_its_step(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "hb_ra_sleepy-1.0.dist-info").mkdir(parents=True)
    (site / "hb_ra_sleepy-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hb-ra-sleepy\nVersion: 1.0\n"
    )
    (site / "hb_ra_sleepy-1.0.dist-info" / "entry_points.txt").write_text(
        "[hb.plugins]\nra-sleepy = hb_ra_sleepy\n"
    )
    (site / "hb_ra_sleepy.py").write_text(textwrap.dedent(SLEEPY))
    directory = config_dir(tmp_path, {})
    ran = hb("ra", "test", "-c", str(directory), "--json", "sleepy::x",
             env={"PYTHONPATH": str(site)})  # fmt: skip
    assert ran.returncode == 1, ran.stdout + ran.stderr
    report = json.loads(ran.stdout)
    assert report["failed_step"] == {"number": 2, "name": "start"}
    start = report["steps"][1]
    assert start["failure"].startswith("held the event loop for 0.")
    assert start["held_s"] >= 0.25
    assert report["cleanup"]["passed"]


def test_a_plugin_generated_by_hb_new_plugin_passes_out_of_the_box(tmp_path: Path) -> None:
    made = CliRunner().invoke(
        cli, ["new-plugin", "web-cache", "--kind", "ra", "--dir", str(tmp_path)]
    )
    assert made.exit_code == 0, made.output
    site = tmp_path / "site"  # installed beside, not into, the shared venv
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(tmp_path / "hb-ra-web-cache")],
        check=True, timeout=120,
    )  # fmt: skip
    held = tmp_path / "held"
    ran = hb("ra", "test", "-c", str(config_dir(tmp_path, {})), f"web-cache::{held}",
             env={"PYTHONPATH": str(site)})  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines()[-1] == f"hb ra test: web-cache::{held}: passed, 7 steps"
    assert not held.exists()


def test_hb_ra_list_names_the_agents_the_plugins_provide() -> None:
    listed = CliRunner().invoke(cli, ["ra", "list", "--plugins", "ra-script,ra-touchfile"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[0].split() == ["agent", "plugin", "summary"]
    assert [line.split()[:2] for line in listed.output.splitlines()[1:]] == [
        ["script", "ra-script"],
        ["touchfile", "ra-touchfile"],
    ]
    as_json = CliRunner().invoke(cli, ["ra", "list", "--json", "--plugins", "ra-script"])
    assert json.loads(as_json.output) == [
        {
            "agent": "script",
            "plugin": "ra-script",
            "summary": "heartbeat resource.d and LSB init.d scripts (script::arg1::arg2)",
        }
    ]

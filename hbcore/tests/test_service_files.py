"""``hb service``: the systemd unit and the LSB init script for this installation.

The unit runs this very hb (a virtualenv's) as a Type=notify service whose watchdog and restart
delay follow deadtime, and systemd-analyze accepts it. The init script is heartbeat's
/etc/init.d/heartbeat: its actions start, report and stop a real node on loopback, with the LSB
exit statuses.
"""

from __future__ import annotations

import configparser
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hbcore.service.installation import NoHbCommand, this_hb
from hbcore.service.unit import exec_word
from service_helpers import HB, NODE, PLUGINS, LoneNode

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def hb(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HB), *arguments], capture_output=True, text=True, check=False, timeout=60, env=env
    )


def service_file(kind: str, node: LoneNode, *more: str) -> str:
    """``hb service KIND`` for ``node``, with its paths, plugins and name."""
    printed = hb("service", kind, *node.path_options(), "--plugins", PLUGINS,
                 "--node-name", NODE, *more)  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    return printed.stdout


def parse_unit(text: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(text)
    return unit


def systemd_words(line: str) -> list[str]:
    """An ``Exec*=`` line as systemd splits it, for the quoting :func:`exec_word` uses."""
    return [word.replace("%%", "%").replace("$$", "$") for word in shlex.split(line)]


@pytest.fixture
def node(tmp_path: Path) -> LoneNode:
    return LoneNode(tmp_path)


# -- the systemd unit ---------------------------------------------------------------------------


def test_the_unit_runs_this_hb_in_the_foreground_as_a_notify_service(node: LoneNode) -> None:
    service = parse_unit(service_file("unit", node))["Service"]
    assert systemd_words(service["ExecStart"]) == [
        str(Path(sys.executable).with_name("hb")),
        "start", "--foreground", *node.path_options(), "--plugins", PLUGINS, "--node-name", NODE,
    ]  # fmt: skip
    assert (service["Type"], service["NotifyAccess"]) == ("notify", "main")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert (service["KillMode"], service["Restart"]) == ("mixed", "on-failure")


def test_the_watchdog_and_the_restart_delay_are_twice_deadtime(node: LoneNode) -> None:
    service = parse_unit(service_file("unit", node))["Service"]
    assert (service["WatchdogSec"], service["RestartSec"]) == ("2s", "2s")  # deadtime 500ms
    hacf = node.config_dir / "ha.cf"
    text = hacf.read_text().replace("deadtime 500ms", "deadtime 12")
    hacf.write_text(text.replace("initdead 1\n", "initdead 30\n"))
    service = parse_unit(service_file("unit", node))["Service"]
    assert (service["WatchdogSec"], service["RestartSec"]) == ("24s", "24s")


def test_the_unit_starts_after_the_network_and_instead_of_heartbeat(node: LoneNode) -> None:
    unit = parse_unit(service_file("unit", node))
    assert "network-online.target" in unit["Unit"]["After"].split()
    assert "network-online.target" in unit["Unit"]["Wants"].split()
    assert unit["Unit"]["Conflicts"] == "heartbeat.service"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_without_ha_cf_the_unit_says_it_took_heartbeats_default_deadtime(tmp_path: Path) -> None:
    printed = hb("service", "unit", "-c", str(tmp_path / "empty"))
    assert printed.returncode == 0
    assert parse_unit(printed.stdout)["Service"]["WatchdogSec"] == "60s"
    assert f"no ha.cf in {tmp_path / 'empty'} yet" in printed.stderr


def test_an_ha_cf_with_errors_writes_no_unit(node: LoneNode) -> None:
    hacf = node.config_dir / "ha.cf"
    hacf.write_text(hacf.read_text() + "deadtime soon\n")
    printed = hb("service", "unit", *node.path_options(), "--plugins", PLUGINS)
    assert (printed.returncode, printed.stdout) == (1, "")
    assert "ha.cf:10: " in printed.stderr
    assert printed.stderr.endswith("hb service: no service file written.\n")


def test_plugin_selection_from_the_environment_goes_into_the_unit(node: LoneNode) -> None:
    env = {**os.environ, "HB_PLUGINS": PLUGINS, "HB_DISABLE_PLUGINS": "ra-ipaddr"}
    printed = hb("service", "unit", *node.path_options(), env=env)
    assert printed.returncode == 0, printed.stderr
    lines = [line for line in printed.stdout.splitlines() if line.startswith("Environment=")]
    assert lines == [
        f'Environment="HB_PLUGINS={PLUGINS}"',
        'Environment="HB_DISABLE_PLUGINS=ra-ipaddr"',
    ]


def test_awkward_paths_are_quoted_for_systemd() -> None:
    for word in ["/etc/ha.d", "/srv/ha d", "/srv/100%", "/srv/$HOME", 'say "hi"', "back\\slash"]:
        assert systemd_words(exec_word(word)) == [word]
    assert (exec_word("/etc/ha.d"), exec_word("/srv/100%")) == ("/etc/ha.d", '"/srv/100%%"')


@pytest.mark.parametrize("config_name", ["ha.d", "ha d with 100% $HOME"])
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path, config_name: str) -> None:
    assert SYSTEMD_ANALYZE is not None, "systemd-analyze not found: apt-get install systemd"
    config_dir = tmp_path / config_name
    config_dir.mkdir()
    (config_dir / "ha.cf").write_text("deadtime 10\nbcast lo\nnode linuxha1\n")
    printed = hb("service", "unit", "-c", str(config_dir))
    assert printed.returncode == 0, printed.stderr
    unit_file = tmp_path / "hb.service"
    unit_file.write_text(printed.stdout)
    verified = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", str(unit_file)], capture_output=True, text=True, timeout=120
    )
    assert verified.returncode == 0, verified.stderr
    assert "hb.service" not in verified.stderr, verified.stderr


def test_the_hb_beside_this_python_without_resolving_a_virtualenvs_link(tmp_path: Path) -> None:
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    with pytest.raises(NoHbCommand, match="no hb command beside"):
        this_hb(str(bin_dir / "python"), "-c")
    (bin_dir / "hb").write_text("#!/bin/sh\n")
    (bin_dir / "hb").chmod(0o755)
    assert this_hb(str(bin_dir / "python"), "/usr/local/bin/hb") == bin_dir / "hb"


def test_otherwise_the_hb_running_now(tmp_path: Path) -> None:
    """pip without a virtualenv: /usr/bin/python3, and hb in /usr/local/bin or ~/.local/bin."""
    scripts = tmp_path / "local" / "bin"
    scripts.mkdir(parents=True)
    (scripts / "hb").write_text("#!/bin/sh\n")
    (scripts / "hb").chmod(0o755)
    python = str(tmp_path / "usr" / "bin" / "python3")
    assert this_hb(python, str(scripts / "hb")) == scripts / "hb"
    with pytest.raises(NoHbCommand):
        this_hb(python, str(scripts / "hb_standby"))


# -- the init script ----------------------------------------------------------------------------


def run_script(script: Path, action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(script), action], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def init_script(tmp_path: Path, node: LoneNode) -> Iterator[Path]:
    """heartbeat's init script for ``node``; whatever node it started is stopped at the end."""
    script = tmp_path / "heartbeat"
    script.write_text(service_file("init-script", node))
    script.chmod(0o755)
    try:
        yield script
    finally:
        pid_file = node.paths.pid_file
        if hb("service", "status", "--run-dir", str(node.paths.run_dir)).returncode == 0:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)  # ours: this test started it
            node.stop()


def test_the_init_script_is_valid_sh_with_an_lsb_header(init_script: Path) -> None:
    assert subprocess.run(["/bin/sh", "-n", str(init_script)]).returncode == 0
    text = init_script.read_text()
    header = text[text.index("### BEGIN INIT INFO") : text.index("### END INIT INFO")]
    for field in ["Provides:", "Required-Start:", "Required-Stop:", "Default-Start:",
                  "Default-Stop:", "Short-Description:", "Description:"]:  # fmt: skip
        assert f"# {field}" in header
    assert f"HB={HB}\n" in text


def test_with_nothing_running_status_3_stop_0_reload_7(init_script: Path) -> None:
    status = run_script(init_script, "status")
    assert (status.returncode, status.stdout) == (3, "heartbeat is stopped. No process\n")
    assert run_script(init_script, "stop").returncode == 0
    assert run_script(init_script, "reload").returncode == 7
    assert run_script(init_script, "force-reload").returncode == 7
    assert run_script(init_script, "try-restart").returncode == 0
    usage = run_script(init_script, "bounce")
    assert usage.returncode == 2 and usage.stdout.startswith("Usage: ")


def test_a_stale_pid_file_is_status_1_and_stop_0(init_script: Path, node: LoneNode) -> None:
    node.paths.run_dir.mkdir()
    node.paths.pid_file.write_text(f"{os.getpid()}\n")  # a process, but not a node
    assert run_script(init_script, "status").returncode == 1
    assert run_script(init_script, "stop").returncode == 0


def test_an_unconfigured_node_does_not_start_6(init_script: Path, node: LoneNode) -> None:
    (node.config_dir / "ha.cf").unlink()
    started = run_script(init_script, "start")
    assert started.returncode == 6
    assert f"Heartbeat not configured: {node.config_dir}/ha.cf not found." in started.stdout


def test_without_hb_installed_stop_0_status_4_start_5(init_script: Path) -> None:
    text = init_script.read_text().replace(f"HB={HB}\n", "HB=/nonexistent/hb\n")
    init_script.write_text(text)
    statuses = [
        run_script(init_script, action).returncode for action in ("stop", "status", "start")
    ]
    assert statuses == [0, 4, 5]


def test_start_status_stop_a_real_node(init_script: Path, node: LoneNode) -> None:
    started = run_script(init_script, "start")
    assert (started.returncode, started.stdout) == (
        0,
        "Starting High-Availability services: Done.\n",
    ), started.stderr
    status = run_script(init_script, "status")
    pid = int(node.paths.pid_file.read_text())
    host = os.uname().nodename.lower()
    assert (status.returncode, status.stdout) == (
        0,
        f"heartbeat OK [pid {pid} et al] is running on {host} [{NODE}]...\n",
    )
    again = run_script(init_script, "start")
    assert (again.returncode, again.stdout) == (
        0,
        "Starting High-Availability services: already running. Done.\n",
    )
    stopped = run_script(init_script, "stop")
    assert (stopped.returncode, stopped.stdout) == (
        0,
        "Stopping High-Availability services: Done.\n",
    )
    assert f"{NODE} Heartbeat shutdown complete." in node.log_text()
    assert run_script(init_script, "status").returncode == 3

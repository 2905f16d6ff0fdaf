"""``hb check`` on the seed's own /etc/ha.d: the files exactly as the seed document writes them
(``fixtures/seed-verbatim``: host-named ping nodes that do not resolve here), the tidied set
(``fixtures/seed``) and its variants; the plugins they need (disabled, failed to load, a typo
of an agent) and ``--json``.

No DNS answers here, and none is asked for what must resolve: ``localhost`` resolves from the
hosts database, ``ping1.linux-ha.org`` and ``*.invalid`` never do (the test asserts on the
names, not on the resolver's reason).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hbcore.cli.main import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed"
VERBATIM = FIXTURES / "seed-verbatim" / "ha.d"
VARIANTS = sorted(path.name for path in (SEED / "variants").iterdir())
VERBATIM_NODE = "linuxha1.linux-ha.org"
UNRESOLVABLE_PINGS = (
    "ha.cf:15: ping: unknown host: ping1.linux-ha.org: ",
    "ha.cf:15: ping: unknown host: ping2.linux-ha.org: ",
)
PROBLEM_KEYS = {"file", "path", "line", "severity", "kind", "message", "fix", "text"}


def _copy(source: Path, tmp_path: Path) -> Path:
    """``source`` copied to ``tmp_path/ha.d`` with authkeys mode 600, as the document asks."""
    config_dir = tmp_path / "ha.d"
    shutil.copytree(source, config_dir)
    (config_dir / "authkeys").chmod(0o600)
    return config_dir


def _seed_copy(tmp_path: Path, variant: str | None = None) -> Path:
    """The tidied seed's ha.d in ``tmp_path``, with one variant file swapped in."""
    config_dir = _copy(SEED / "ha.d", tmp_path)
    if variant is not None:
        target = variant.split(".")[0]
        shutil.copyfile(SEED / "variants" / variant, config_dir / target)
    return config_dir


def _check(config_dir: Path, *options: str, node: str = "linuxha1") -> Result:
    return CliRunner().invoke(cli, ["check", "-c", str(config_dir), "--node-name", node, *options])


def _json(result: Result) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# -- the seed's files as the document writes them --------------------------------------------


def test_the_verbatim_seed_checks_with_warnings_only(tmp_path: Path) -> None:
    """``ping ping1.linux-ha.org ping2.linux-ha.org`` is accepted as heartbeat accepts it; that
    the names do not resolve on this machine is a warning with heartbeat's text."""
    result = _check(_copy(VERBATIM, tmp_path), node=VERBATIM_NODE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"hb check: {tmp_path / 'ha.d'}: OK\n")
    assert "nodes:    linuxha1.linux-ha.org (this node), linuxha2.linux-ha.org" in result.stdout
    problems = [line for line in result.stdout.splitlines() if line.startswith("ha")]
    assert problems and all(": warning: " in line for line in problems), problems
    for expected in UNRESOLVABLE_PINGS:
        warned = expected.replace("ping: ", "warning: ping: ")
        assert any(line.startswith(warned) for line in problems), problems
    assert "not a numeric IPv4 address" not in result.output


def test_the_verbatim_seed_fails_strict_naming_the_unresolvable_hosts(tmp_path: Path) -> None:
    result = _check(_copy(VERBATIM, tmp_path), "--strict", node=VERBATIM_NODE)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    for expected in UNRESOLVABLE_PINGS:
        assert any(line.startswith(expected) for line in lines), lines
    assert lines[-1].startswith(f"hb check: {tmp_path / 'ha.d'}: ")


def test_hb_start_refuses_a_ping_host_that_does_not_resolve(tmp_path: Path) -> None:
    """As heartbeat ("unknown host: ..." then "Configuration error, heartbeat not started")."""
    config_dir = _copy(VERBATIM, tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            *("start", "--foreground", "-c", str(config_dir)),
            *("--state-dir", str(tmp_path / "state"), "--run-dir", str(tmp_path / "run")),
            *("--node-name", VERBATIM_NODE),
        ],
    )
    assert result.exit_code == 1
    for expected in UNRESOLVABLE_PINGS:
        assert expected in result.stderr
    assert result.stderr.rstrip().endswith("Heartbeat not started: configuration error.")


def test_a_ping_host_name_that_resolves_is_no_problem(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    with (config_dir / "ha.cf").open("a") as hacf:
        hacf.write("ping localhost\n")
    result = _check(config_dir, "--strict")
    assert "ha.cf:20" not in result.output, result.output


def test_a_group_member_that_does_not_resolve_is_left_out_as_heartbeat_does(
    tmp_path: Path,
) -> None:
    """heartbeat logs the member and pings the group without it: a warning, even strict."""
    config_dir = _seed_copy(tmp_path)
    with (config_dir / "ha.cf").open("a") as hacf:
        hacf.write("ping_group uplinks gw.invalid localhost\n")
    result = _check(config_dir, "--strict")
    assert "ha.cf:20: warning: ping_group: unknown host: gw.invalid: " in result.output
    assert "localhost" not in result.output.replace("gw.invalid localhost", "")


# -- the tidied seed and its variants -------------------------------------------------------


def test_the_seed_checks_clean_and_describes_the_cluster(tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path))
    assert result.exit_code == 0, result.output
    assert "nodes:    linuxha1 (this node), linuxha2" in result.output
    assert "media:    serial /dev/ttyS0, bcast eth1 (udpport 694)" in result.output
    assert "deadtime 30 s, initdead 120 s" in result.output
    assert "group:    192.168.85.3 on linuxha1: 192.168.85.3 httpd smb" in result.output
    assert "authkeys: auth 1 (sha1)" in result.output


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_seed_variant_checks_clean(variant: str, tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path, variant))
    assert result.exit_code == 0, result.output


def test_an_error_is_printed_with_file_line_and_fix(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    with (config_dir / "ha.cf").open("a") as hacf:
        hacf.write("deadtime 3\n")
    result = _check(config_dir)
    assert result.exit_code == 1
    assert (
        "ha.cf:20: Dead time [3000 ms] is too small compared to keepalive [2000 ms]; "
        "make deadtime more than twice keepalive (over 4000 ms)" in result.output
    )


def test_host_problems_fail_only_under_strict(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    assert _check(config_dir).exit_code == 0
    strict = _check(config_dir, "--strict")
    assert strict.exit_code == 1
    assert "haresources:1: Cannot locate resource script httpd" in strict.output


# -- coverage: the plugins the files need ---------------------------------------------------


def test_a_directive_of_a_disabled_plugin_says_how_to_enable_it(tmp_path: Path) -> None:
    result = _check(_seed_copy(tmp_path), "-p", "no:media-serial")
    assert result.exit_code == 1
    assert (
        "ha.cf:10: directive 'serial' is provided by the plugin media-serial (hb-media-serial), "
        "which is disabled; enable it: drop -p no:media-serial" in result.stderr
    )


def test_resources_no_loaded_plugin_handles_are_errors(tmp_path: Path) -> None:
    """``-p no:ra-script -p no:ra-ipaddr``: the files ask for what this node cannot do."""
    result = _check(_seed_copy(tmp_path), "-p", "no:ra-script", "-p", "no:ra-ipaddr")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("haresources:1")]
    assert [line.split(";")[0] for line in errors] == [
        "haresources:1: no installed plugin handles resource 192.168.85.3: it needs the plugin "
        "ra-ipaddr (hb-ra-ipaddr), which is disabled",
        "haresources:1: no installed plugin handles resource httpd: it needs the plugin "
        "ra-script (hb-ra-script), which is disabled",
        "haresources:1: no installed plugin handles resource smb: it needs the plugin "
        "ra-script (hb-ra-script), which is disabled",
    ]
    assert result.stderr.splitlines()[-1].endswith(": 3 error(s)")


def test_a_plugin_that_failed_to_load_is_an_error_naming_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hb-ra-ipaddr installed but broken: its import fails. The failure is an error of its
    own, and the address it would have handled says why it is not handled."""
    monkeypatch.setitem(sys.modules, "hb_ra_ipaddr", None)  # importing it now raises
    result = _check(_seed_copy(tmp_path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("plugins: ra-ipaddr (hb-ra-ipaddr ")
    assert "failed to load: ModuleNotFoundError: import of hb_ra_ipaddr halted" in lines[0]
    assert lines[0].endswith(
        "repair or reinstall it (pip install --force-reinstall hb-ra-ipaddr), or deselect it "
        "with -p no:ra-ipaddr (HB_DISABLE_PLUGINS=ra-ipaddr)"
    )
    assert any(
        line.startswith(
            "haresources:1: no installed plugin handles resource 192.168.85.3: it needs the "
            "plugin ra-ipaddr (hb-ra-ipaddr), which failed to load: ModuleNotFoundError"
        )
        for line in lines
    ), lines


def test_a_typo_of_an_installed_agent_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    (config_dir / "haresources").write_text("linuxha1 IPadr::192.168.85.3 httpd\n")
    result = _check(config_dir)
    assert result.exit_code == 1
    assert "haresources:1: Cannot locate resource script IPadr; did you mean IPaddr?" in (
        result.stderr.splitlines()
    )


def test_a_near_miss_of_a_script_here_is_suggested(tmp_path: Path) -> None:
    config_dir = _seed_copy(tmp_path)
    scripts = config_dir / "resource.d"
    scripts.mkdir()
    (scripts / "httpd").write_text("#!/bin/sh\n")
    (scripts / "httpd").chmod(0o755)
    (config_dir / "haresources").write_text("linuxha1 htpd\n")
    result = _check(config_dir)
    assert result.exit_code == 0, result.output
    assert (
        "haresources:1: warning: Cannot locate resource script htpd; did you mean httpd? "
        f"otherwise install it as an executable file in {scripts} or /etc/init.d"
    ) in result.stdout.splitlines()


# -- --json -------------------------------------------------------------------------------


def test_json_lists_every_problem_as_the_text_does(tmp_path: Path) -> None:
    config_dir = _copy(VERBATIM, tmp_path)
    text = _check(config_dir, node=VERBATIM_NODE)
    result = _check(config_dir, "--json", node=VERBATIM_NODE)
    assert result.exit_code == 0
    document = _json(result)
    assert document["schema"] == "hb-check/1"
    assert (document["passed"], document["exit_code"], document["strict"]) == (True, 0, False)
    problems = document["problems"]
    assert [problem["text"] for problem in problems] == [
        line for line in text.stdout.splitlines() if line.startswith("ha")
    ]
    assert document["summary"] == {"errors": 0, "warnings": len(problems)}
    assert document["cluster"][0] == (
        "nodes:    linuxha1.linux-ha.org (this node), linuxha2.linux-ha.org"
    )
    ping1 = next(problem for problem in problems if "ping1.linux-ha.org" in problem["message"])
    assert set(ping1) == PROBLEM_KEYS
    assert ping1["file"] == "ha.cf"
    assert ping1["path"] == str(config_dir / "ha.cf")
    assert ping1["line"] == 15
    assert (ping1["severity"], ping1["kind"]) == ("warning", "host")
    assert ping1["message"].startswith("ping: unknown host: ping1.linux-ha.org: ")
    assert ping1["fix"].startswith("write its IPv4 address")


def test_json_under_strict_fails_with_the_same_exit_status(tmp_path: Path) -> None:
    result = _check(_copy(VERBATIM, tmp_path), "--json", "--strict", node=VERBATIM_NODE)
    assert result.exit_code == 1
    assert result.stderr == ""
    document = _json(result)
    assert (document["passed"], document["exit_code"]) == (False, 1)
    errors = [problem for problem in document["problems"] if problem["severity"] == "error"]
    assert document["summary"]["errors"] == len(errors)
    unknown = [
        problem["message"].split(": ")[2]
        for problem in errors
        if problem["message"].startswith("ping: unknown host: ")
    ]
    assert unknown == ["ping1.linux-ha.org", "ping2.linux-ha.org"]


def test_json_locates_a_plugin_problem_outside_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "hb_ra_ipaddr", None)
    document = _json(_check(_seed_copy(tmp_path), "--json"))
    first = document["problems"][0]
    assert (first["file"], first["path"], first["line"]) == ("plugins", None, None)
    assert (first["severity"], first["kind"]) == ("error", "error")

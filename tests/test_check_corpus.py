"""``hb check`` against 25 real-world /etc/ha.d sets and heartbeat 3.0.6's own verdict on each.

The verdicts come from running the real daemon once per set (VERDICTS.md). Before checking, each
set gets the files the verdict run added (an ``auth 1``/``1 crc`` authkeys, a haresources naming
the first node), and hb checks it as the node name that run used. hb's verdict must equal
heartbeat's, except:

- sets rejected only because of that machine (respawn paths Debian moved, a missing user) pass
  with warnings, and fail with ``--strict``;
- sets that enable ``crm``/``pacemaker`` are rejected with hb's own message;
- a ``respawn`` line for ipfail turns hb's built-in ipfail on, so where heartbeat's binary was
  (Debian moved it) is only a warning that names the path, even under ``--strict``.

Where heartbeat rejected a set, hb names the same reason (its message, or for ipfail the path).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hbcore.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
CRM_MESSAGE = "hb manages haresources itself"


@dataclass(frozen=True)
class Verdict:
    """heartbeat's verdict on one set, and what its run added to the set."""

    name: str
    accepted: bool
    hostname: str
    classification: str
    add_authkeys: bool
    add_haresources: bool

    @property
    def needs_pacemaker(self) -> bool:
        return "pacemaker not installed" in self.classification

    @property
    def environment_only(self) -> bool:
        return self.classification.startswith("rejected only for environment-dependent")


def _verdicts() -> list[Verdict]:
    if not CORPUS.is_dir():
        raise FileNotFoundError(
            f"corpus not found at {CORPUS}: clone the shared repository beside this one"
        )
    text = (CORPUS / "VERDICTS.md").read_text()
    verdicts = []
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        name = section.split()[0]
        verdict = re.search(r"verdict: \*\*(\w+)\*\*", section)
        hostname = re.search(r"hostname used: `([^`]+)`", section)
        added = re.search(r"files added: (.*)", section)
        classification = re.search(r"classification: (.*)", section)
        assert verdict and hostname and added, f"cannot read the verdict of {name}"
        verdicts.append(
            Verdict(
                name=name,
                accepted=verdict[1] == "accepted",
                hostname=hostname[1],
                classification=classification[1] if classification else "",
                add_authkeys="authkeys (" in added[1],
                add_haresources="haresources (" in added[1],
            )
        )
    return verdicts


VERDICTS = _verdicts()


def _prepared(verdict: Verdict, tmp_path: Path) -> Path:
    """A writable copy of the set with the files heartbeat's run added, authkeys mode 600."""
    config_dir = tmp_path / "ha.d"
    shutil.copytree(CORPUS / verdict.name, config_dir)
    config_dir.chmod(0o755)
    for path in config_dir.iterdir():
        path.chmod(0o644)
    if verdict.add_authkeys:
        (config_dir / "authkeys").write_text("auth 1\n1 crc\n")
    if verdict.add_haresources:
        (config_dir / "haresources").write_text(f"{verdict.hostname}\n")
    if (config_dir / "authkeys").exists():
        (config_dir / "authkeys").chmod(0o600)
    return config_dir


def _hb_check(config_dir: Path, node_name: str, *options: str) -> Result:
    arguments = ["check", "-c", str(config_dir), "--node-name", node_name, *options]
    return CliRunner().invoke(cli, arguments)


def _heartbeat_reasons() -> dict[str, str]:
    """heartbeat's first error per set (verdicts.tsv), as hb words it: no log prefix, and
    haresources named as hb names files."""
    reasons = {}
    for line in (CORPUS / "verdicts.tsv").read_text().splitlines():
        number, _, reason = line.split("\t")
        reason = reason.removeprefix("ERROR: ").removeprefix("glib: ")
        reasons[number] = reason.replace("/etc/ha.d//haresources", "haresources")
    return reasons


REASONS = _heartbeat_reasons()
IPFAIL_PATH = re.compile(r"Client child command \[(\S+/ipfail)\] is not executable")


def test_the_corpus_is_complete() -> None:
    assert len(VERDICTS) == 25


@pytest.mark.parametrize("verdict", VERDICTS, ids=lambda verdict: verdict.name)
def test_hb_agrees_with_heartbeat(verdict: Verdict, tmp_path: Path) -> None:
    config_dir = _prepared(verdict, tmp_path)
    result = _hb_check(config_dir, verdict.hostname)
    output = result.output
    if verdict.needs_pacemaker:
        assert result.exit_code == 1, output
        assert CRM_MESSAGE in output
    elif verdict.accepted or verdict.environment_only:
        assert result.exit_code == 0, output
    else:
        assert result.exit_code == 1, output


@pytest.mark.parametrize(
    "verdict",
    [v for v in VERDICTS if not v.accepted and not v.needs_pacemaker],
    ids=lambda verdict: verdict.name,
)
def test_hb_names_heartbeats_reason(verdict: Verdict, tmp_path: Path) -> None:
    reason = REASONS[verdict.name[:2]]
    output = _hb_check(_prepared(verdict, tmp_path), verdict.hostname).output
    ipfail = IPFAIL_PATH.fullmatch(reason)
    if ipfail:
        assert f"ipfail is built into hb: {ipfail[1]} is not run" in output
    else:
        assert reason in output


@pytest.mark.parametrize(
    "verdict",
    [v for v in VERDICTS if v.environment_only and not v.needs_pacemaker],
    ids=lambda verdict: verdict.name,
)
def test_environment_rejections_fail_under_strict(verdict: Verdict, tmp_path: Path) -> None:
    config_dir = _prepared(verdict, tmp_path)
    warned = _hb_check(config_dir, verdict.hostname)
    strict = _hb_check(config_dir, verdict.hostname, "--strict")
    assert "warning: " in warned.stdout
    assert strict.exit_code == 1, strict.output

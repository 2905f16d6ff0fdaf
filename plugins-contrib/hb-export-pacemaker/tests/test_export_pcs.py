"""The ``pcs`` script, run by pcs 0.11 itself (Debian's ``pcs``) on a CIB file: it builds a
configuration crm_verify accepts, in pcs's current syntax, that crm_simulate places exactly as
it places the CIB export."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from export_helpers import (
    Source,
    empty_cib,
    export,
    fixture_sources,
    pacemaker_objections,
    same_placements,
    write_cib,
)
from hb_export_pacemaker.pcs import WORK_FILE, pcs_script

# One fixture holds every form pcs is given (pcs takes half a second a command): groups with
# parameters and timeouts, DRBD in a group and alone, a ping group, resource_monitor.
SOURCES = [source for source in fixture_sources() if source.name == "two-groups"]


def _run_pcs(script: str, work: Path) -> str:
    """The script's ``pcs -f`` commands on an empty CIB in ``work``; what pcs printed.

    ``pcs cluster cib`` and ``cib-push`` need a running cluster and are left out. The agents
    of the fixtures are not all installed here (systemd units, LINBIT's drbd, LSB scripts), and
    pcs refuses an agent it cannot find without ``--force``, as it should on a real node."""
    empty_cib(work / WORK_FILE)
    commands = [
        line.replace("pcs -f ", "pcs --force -f ", 1)
        for line in script.splitlines()
        if line.startswith("pcs -f ")
    ]
    ran = subprocess.run(
        ["/bin/sh", "-e", "-c", "\n".join(commands)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout + ran.stderr


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_pcs_builds_the_configuration_the_cib_export_is(source: Source, tmp_path: Path) -> None:
    exported = export(source.prepare(tmp_path), source.node_name)
    work = tmp_path / "work"
    work.mkdir()
    printed = _run_pcs(pcs_script(exported, "test"), work)
    assert "Deprecat" not in printed
    built = work / WORK_FILE
    assert pacemaker_objections(exported, built) == []

    ours = write_cib(exported, tmp_path / "cib.xml", with_status=True)
    assert same_placements(built, ours)

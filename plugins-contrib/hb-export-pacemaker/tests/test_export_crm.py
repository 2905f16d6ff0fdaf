"""The crm shell configuration, loaded by crmsh itself (Debian's ``crmsh``) into a CIB file:
it builds a configuration crm_verify accepts, that crm_simulate places exactly as it places
the CIB export."""

from __future__ import annotations

import os
import re
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
from hb_export_pacemaker.crm import crm_configuration

CRM = "/usr/sbin/crm"
SOURCES = [s for s in fixture_sources() if s.name in ("two-groups", "three-nodes", "seed")]
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_EXPECTED = re.compile(
    r"ERROR: (\S+: (got no meta-data, does this RA exist\?|no such resource agent)"
    r"|\(cluster_status\) \twarning: .* due to lack of quorum)"
)
"""What crmsh says of agents not installed here, and of a CIB file of three nodes with no
status (so no quorum): the rest of what it calls an error must not be there."""


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_crmsh_loads_the_configuration_the_cib_export_is(source: Source, tmp_path: Path) -> None:
    exported = export(source.prepare(tmp_path), source.node_name)
    configuration = tmp_path / "hb.crm"
    configuration.write_text(crm_configuration(exported, "test"))
    built = tmp_path / "built.xml"
    empty_cib(built)
    # -F: the fixtures' agents are not all installed here (systemd units, LINBIT's drbd, LSB
    # scripts), and crmsh refuses an agent it cannot find, as it should on a real node.
    loaded = subprocess.run(
        [CRM, "-F", "configure", "load", "update", str(configuration)],
        env={**os.environ, "CIB_file": str(built)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    printed = _COLOUR.sub("", loaded.stdout + loaded.stderr).splitlines()
    assert loaded.returncode == 0, printed
    errors = [line for line in printed if line.startswith("ERROR")]
    assert [line for line in errors if not _EXPECTED.fullmatch(line)] == []
    assert pacemaker_objections(exported, built) == []
    assert same_placements(built, write_cib(exported, tmp_path / "cib.xml", with_status=True))

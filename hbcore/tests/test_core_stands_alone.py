"""The core and its tests name no plugin (DESIGN promise 3): a plugin's tests live with the
plugin, tests that need several distributions in the workspace's tests/."""

from __future__ import annotations

import re
from pathlib import Path

HBCORE = Path(__file__).resolve().parents[1]
PLUGIN_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+hb_(?:auth|media|monitor|ra|lab|export)\w*", re.M
)


def test_no_core_module_or_core_test_imports_a_plugin() -> None:
    offenders = [
        str(path.relative_to(HBCORE))
        for folder in ("src", "tests")
        for path in sorted((HBCORE / folder).rglob("*.py"))
        if PLUGIN_IMPORT.search(path.read_text())
    ]
    assert offenders == []

"""Every bench script starts: its imports resolve and ``--help`` answers.

The benches run for minutes and are not part of the suite; this catches the cheap breakage
(a renamed helper in ``bench/labbench.py``, a moved module) at suite time instead of at the
next measurement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(path for path in BENCH.glob("*.py") if path.name != "labbench.py")


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.name for path in SCRIPTS])
def test_a_bench_script_answers_help(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()

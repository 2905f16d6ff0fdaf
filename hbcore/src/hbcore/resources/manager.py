"""Transitional: nice failback is a decision and lives in :mod:`hbcore.decisions.nice_failback`.

This name stays only while ``hbcore/tests/test_tasks.py`` imports it from here; delete the
module once that import reads ``from hbcore.decisions.nice_failback import NiceFailback``.
"""

from hbcore.decisions.nice_failback import NiceFailback as ResourceManager

__all__ = ["ResourceManager"]

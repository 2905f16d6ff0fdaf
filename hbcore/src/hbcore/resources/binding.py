"""Transitional: choosing the failback policy is a decision and lives in
:mod:`hbcore.decisions.binding`.

This name stays only while ``hbcore/tests/test_hook_relay.py`` imports it from here; delete
the module once that import reads ``from hbcore.decisions.binding import ResourceBinding``.
"""

from hbcore.decisions.binding import ResourceBinding

__all__ = ["ResourceBinding"]

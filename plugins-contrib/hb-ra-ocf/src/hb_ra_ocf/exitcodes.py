"""OCF exit codes (resource-agent API 1.1) and what each means for hb's three questions: did
the start succeed, did the stop, is the resource running here."""

from __future__ import annotations

import logging

SUCCESS = 0
NOT_RUNNING = 7
UNIMPLEMENTED = 3

NAMES: dict[int, tuple[str, str]] = {
    0: ("OCF_SUCCESS", "success"),
    1: ("OCF_ERR_GENERIC", "generic error"),
    2: ("OCF_ERR_ARGS", "invalid arguments"),
    3: ("OCF_ERR_UNIMPLEMENTED", "action not implemented"),
    4: ("OCF_ERR_PERM", "insufficient privileges"),
    5: ("OCF_ERR_INSTALLED", "not installed"),
    6: ("OCF_ERR_CONFIGURED", "not configured"),
    7: ("OCF_NOT_RUNNING", "not running"),
    8: ("OCF_RUNNING_PROMOTED", "running, promoted"),
    9: ("OCF_FAILED_PROMOTED", "failed, promoted"),
    190: ("OCF_DEGRADED", "running, degraded"),
    191: ("OCF_DEGRADED_PROMOTED", "running promoted, degraded"),
}

_RUNNING = frozenset({0, 8, 190, 191})
_DEGRADED = frozenset({190, 191})
_STOPPED_CLEANLY = frozenset({SUCCESS, NOT_RUNNING})
_VALID = frozenset({SUCCESS, UNIMPLEMENTED})


def describe(returncode: int) -> str:
    """``OCF_NOT_RUNNING (7): not running``; a code outside the API says so."""
    name, meaning = NAMES.get(returncode, (None, None))
    if name is None:
        return f"exit status {returncode} (not an OCF exit code)"
    return f"{name} ({returncode}): {meaning}"


def start_succeeded(returncode: int) -> bool:
    """A start succeeds with OCF_SUCCESS only."""
    return returncode == SUCCESS


def stop_succeeded(returncode: int) -> bool:
    """A stop succeeds with OCF_SUCCESS, and with OCF_NOT_RUNNING (as Pacemaker takes it:
    the resource is stopped either way)."""
    return returncode in _STOPPED_CLEANLY


def validation_passed(returncode: int) -> bool:
    """``validate-all`` passes with OCF_SUCCESS, and with OCF_ERR_UNIMPLEMENTED (the agent
    cannot tell, so the start will)."""
    return returncode in _VALID


def monitor_says_running(returncode: int) -> bool:
    """Running: OCF_SUCCESS, promoted, and degraded (it still serves). Everything else, the
    errors included, is not running here: a failed resource must not count as held."""
    return returncode in _RUNNING


def monitor_log_level(returncode: int) -> int:
    """How loudly a monitor result is logged: running or cleanly stopped are routine
    (debug), degraded a warning, anything else an error."""
    if returncode in (SUCCESS, NOT_RUNNING, 8):
        return logging.DEBUG
    if returncode in _DEGRADED:
        return logging.WARNING
    return logging.ERROR

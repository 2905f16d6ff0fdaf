"""``hb status rscstatus``: cl_status's answer, our holding or ``transition``, from a node's
status report."""

from __future__ import annotations

from typing import Any

import pytest
from hbcore.cli.cl_status import BAD_PARAMETER, FAILURE, OK, SIGNON_FAILED, Answer, answer


def report(resources: str) -> dict[str, Any]:
    return {"node": "linuxha1", "status": "active", "nodes": [], "resources": resources}


@pytest.mark.parametrize("holding", ["none", "local", "foreign", "all", "transition"])
def test_rscstatus_prints_the_holding_and_succeeds(holding: str) -> None:
    assert answer(report(holding), ["rscstatus"]) == Answer(OK, (holding,))


def test_rscstatus_ignores_extra_arguments_as_cl_status_does() -> None:
    assert answer(report("all"), ["rscstatus", "linuxha2"]) == Answer(OK, ("all",))


def test_rscstatus_without_a_running_node_cannot_sign_on() -> None:
    reply = answer(None, ["rscstatus"])
    assert (reply.code, reply.out) == (FAILURE, ())
    assert reply.err[0] == SIGNON_FAILED


def test_a_misspelt_rscstatus_is_a_parameter_error() -> None:
    assert answer(report("all"), ["rsc_status"]).code == BAD_PARAMETER

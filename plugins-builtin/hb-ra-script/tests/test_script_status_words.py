"""A heartbeat script's status is read from its words, exactly as ResourceManager's
we_own_resource reads them; an LSB script's from its exit code."""

from __future__ import annotations

import pytest
from hb_ra_script.status import heartbeat_says_running, lsb_says_running


@pytest.mark.parametrize(
    "output",
    [
        "running",
        "httpd (pid 1234) is running...",
        "INFO: Running OK",
        "OK",
        "Status: OK\n",
        "maid is Running",
        "Nothing to report, running",
    ],
)
def test_running_or_ok_means_running(output: str) -> None:
    assert heartbeat_says_running(output)


@pytest.mark.parametrize(
    "output",
    [
        "",
        "stopped",
        "httpd is not running",
        "INFO: Resource is stopped",
        "Not Running",
        "NOT currently running",
        "not\tdefinitely not running",
        "RUNNING",
        "ok",
        "cannot tell, running",
    ],
)
def test_not_running_and_unknown_words_mean_stopped(output: str) -> None:
    # "cannot tell, running" is stopped too: the glob sees "not " before "running".
    assert not heartbeat_says_running(output)


def test_not_before_running_wins_even_across_lines() -> None:
    assert not heartbeat_says_running("OK: not \nrunning")


@pytest.mark.parametrize(("code", "running"), [(0, True), (3, False), (1, False), (4, False)])
def test_lsb_exit_codes(code: int, running: bool) -> None:
    assert lsb_says_running(code) is running

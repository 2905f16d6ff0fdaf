"""The README's first command: the failover demo, on loopback and in network namespaces."""

from __future__ import annotations

import os
import re
import socket

import pytest
from hb_lab.loopback import run_loopback_demo


def _events(lines: list[str]) -> list[str]:
    """The timeline's texts without their offsets."""
    return [re.sub(r"^\s*[+-]\d+\.\d+ s\s+", "", line) for line in lines]


def test_loopback_demo_fails_over_and_back() -> None:
    lines: list[str] = []
    run_loopback_demo(lines.append)
    assert _events(lines)[2:] == [
        "the resource is held by linuxha1",
        "kill -9 linuxha1",
        "linuxha2: node linuxha1: is dead",
        "the resource is held by linuxha2",
        "start linuxha1 again (auto_failback on)",
        "the resource is held by linuxha1 again",
    ]


def test_loopback_demo_names_a_node_that_cannot_start_at_once() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        holder.bind(("127.0.0.1", 7001))  # another program holds linuxha1's port
        with pytest.raises(RuntimeError, match=r"hb on linuxha1 stopped \(exit status 1\): .*7001"):
            run_loopback_demo(lambda _line: None)
    finally:
        holder.close()


@pytest.mark.netns
@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_namespace_demo_client_sees_failover_and_failback() -> None:
    from hb_lab.demo import run_demo

    lines: list[str] = []
    run_demo(lines.append)
    events = _events(lines)
    assert events[1] == "http://10.77.1.100/ answers from linuxha1"
    assert events[-1] == "http://10.77.1.100/ answers from linuxha1 again"
    assert "http://10.77.1.100/ answers from linuxha2" in events
    assert "linuxha2: node linuxha1: is dead" in events

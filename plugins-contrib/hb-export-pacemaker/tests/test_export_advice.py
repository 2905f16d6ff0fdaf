"""An installed OCF agent's advised timeouts: longer than Pacemaker's 20 s default, they become
the primitive's operation timeouts unless its token sets its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hb_export_pacemaker.advice import advised, milliseconds
from hb_export_pacemaker.primitives import Primitive

META_DATA = """<?xml version="1.0"?>
<resource-agent name="Slow">
  <actions>
    <action name="start" timeout="90s"/>
    <action name="stop" timeout="20s"/>
    <action name="monitor" timeout="2min" interval="20s" depth="0"/>
    <action name="monitor" timeout="5s" role="Promoted"/>
    <action name="meta-data" timeout="5s"/>
  </actions>
</resource-agent>
"""


def _agent(tmp_path: Path, name: str, output: str) -> Path:
    root = tmp_path / "ocf" / "resource.d"
    (root / "test").mkdir(parents=True, exist_ok=True)
    agent = root / "test" / name
    agent.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}EOF\n")
    agent.chmod(0o755)
    return root


def _primitive(agent: str, timeouts: tuple[tuple[str, str], ...] = ()) -> Primitive:
    return Primitive(agent, "ocf", "test", agent, (), f"ocf:test:{agent}", "haresources:1",
                     timeouts=timeouts)  # fmt: skip


def test_the_advised_timeouts_longer_than_the_default_are_taken(tmp_path: Path) -> None:
    root = _agent(tmp_path, "Slow", META_DATA)
    assert advised(_primitive("Slow"), root).timeouts == (("start", "90s"), ("monitor", "2min"))


def test_the_tokens_own_timeout_wins(tmp_path: Path) -> None:
    root = _agent(tmp_path, "Slow2", META_DATA)
    exported = advised(_primitive("Slow2", (("start", "30s"),)), root)
    assert exported.timeouts == (("start", "30s"), ("monitor", "2min"))


@pytest.mark.parametrize("output", ["not xml", "<resource-agent/>", ""])
def test_an_agent_without_usable_meta_data_advises_nothing(tmp_path: Path, output: str) -> None:
    root = _agent(tmp_path, f"Odd{len(output)}", output + "\n")
    assert advised(_primitive(f"Odd{len(output)}"), root).timeouts == ()


def test_a_missing_agent_and_other_classes_advise_nothing(tmp_path: Path) -> None:
    assert advised(_primitive("Gone"), tmp_path).timeouts == ()
    lsb = Primitive("httpd", "lsb", None, "httpd", (), "httpd", "haresources:1")
    assert advised(lsb, tmp_path) is lsb


@pytest.mark.parametrize(
    ("text", "ms"),
    [("40s", 40_000), ("2min", 120_000), ("500ms", 500), ("30", 30_000), ("x", None)],
)
def test_pacemaker_times(text: str, ms: int | None) -> None:
    assert milliseconds(text) == ms


def test_an_agent_name_that_leaves_the_ocf_root_runs_nothing(tmp_path: Path) -> None:
    root = _agent(tmp_path, "Slow", META_DATA)
    outside = tmp_path / "outside"
    outside.write_text(f"#!/bin/sh\ntouch {tmp_path}/ran\n")
    outside.chmod(0o755)
    for provider, agent in (("test", "../../../outside"), ("..", "Slow"), ("test", "..")):
        escaping = Primitive(agent, "ocf", provider, agent, (), "token", "haresources:1")
        assert advised(escaping, root) is escaping
    assert not (tmp_path / "ran").exists()

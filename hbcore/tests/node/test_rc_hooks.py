"""rc.d hooks: run for message types hb does not handle, one at a time, with HA_ variables."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hbcore.node.rc_hooks import RcHooks
from hbcore.wire import Message

HOOK = """#!/bin/sh
echo "$1 $HA_t $HA_src $HA_x $HA_CURHOST $HA_OSTATUS $HA_NICEFAILBACK" >> {record}
sleep 0.05
echo "ran $1"
"""


def _hooks(tmp_path: Path, nice: bool = True) -> tuple[RcHooks, Path]:
    record = tmp_path / "record"
    hook = tmp_path / "rc.d" / "custom"
    hook.parent.mkdir()
    hook.write_text(HOOK.format(record=record))
    hook.chmod(0o755)
    return RcHooks(tmp_path, "linuxha1", nice, lambda: "active"), record


async def _drain(hooks: RcHooks) -> None:
    for _ in range(200):
        await asyncio.sleep(0.02)
        if hooks._worker is not None and hooks._worker.done():
            return


def test_hook_gets_the_fields_and_runs_in_order(tmp_path: Path) -> None:
    hooks, record = _hooks(tmp_path)

    async def scenario() -> None:
        for value in ("1", "2"):
            hooks.message("custom", Message.of(("t", "custom"), ("src", "linuxha2"), ("x", value)))
        await _drain(hooks)

    asyncio.run(scenario())
    assert record.read_text().splitlines() == [
        "custom custom linuxha2 1 linuxha1 active yes",
        "custom custom linuxha2 2 linuxha1 active yes",
    ]


def test_no_hook_no_run_and_legacy_mode_has_no_nicefailback(tmp_path: Path) -> None:
    hooks, record = _hooks(tmp_path, nice=False)

    async def scenario() -> None:
        hooks.message("other", Message.of(("t", "other"), ("src", "linuxha2")))
        hooks.message("custom", Message.of(("t", "custom"), ("src", "linuxha2"), ("x", "3")))
        await _drain(hooks)

    asyncio.run(scenario())
    assert record.read_text().splitlines() == ["custom custom linuxha2 3 linuxha1 active "]

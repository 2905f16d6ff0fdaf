"""A resource.d script that cannot start, in a two-node cluster (hb's pytest plugin): the node
gives the group up with the script's own output ("Giving up resources due to failure of X"),
and the peer, where the script works, ends up holding it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import hb_ra_script
import pytest
from hbcore.decisions import nice_failback
from structlog.testing import capture_logs

SCRIPT = """#!/bin/sh
# mount DIR start|stop|status; "$HA_DIR/broken" makes start fail; each action is recorded.
state="$HA_DIR/mounted"
echo "$2" >> "$HA_DIR/actions"
case "$2" in
  start)
    if [ -e "$HA_DIR/broken" ]; then echo "mount: cannot mount $1" >&2; exit 1; fi
    touch "$state" ;;
  stop) rm -f "$state" ;;
  status) if [ -e "$state" ]; then echo running; else echo stopped; fi ;;
esac
"""


def _install(config_dir: Path, broken: bool) -> Path:
    """The ``mount`` script in ``config_dir/resource.d``, failing to start when ``broken``."""
    script = config_dir / "resource.d" / "mount"
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT.replace("$HA_DIR", str(config_dir)))
    script.chmod(0o755)
    if broken:
        (config_dir / "broken").touch()
    return script


@pytest.mark.hb_plugins(hb_ra_script)
def test_a_script_that_cannot_start_is_given_up_with_its_output_and_the_peer_takes_it(
    hb_cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nice_failback, "FAILED_GROUP_STANDBY_DELAY_S", 0.5)
    home = tmp_path / "cluster"  # hb_cluster's: each node's configuration directory is home/NODE
    script = _install(home / "linuxha1", broken=True)
    _install(home / "linuxha2", broken=False)

    async def scenario() -> None:
        async with hb_cluster(["linuxha1 mount::/data"]) as cluster:
            await cluster.start()
            await cluster.wait_for(
                lambda: (
                    cluster.stable()
                    and cluster.holdings() == {"linuxha1": "none", "linuxha2": "all"}
                )
            )

    with capture_logs() as logs:
        asyncio.run(scenario())
    [giving_up] = [
        e for e in logs if e["event"] == "Giving up resources due to failure of mount::/data"
    ]
    assert f"Return code 1 from {script}" in str(giving_up["output"])
    assert "mount: cannot mount /data" in str(giving_up["output"])
    said = [str(entry["event"]) for entry in logs]
    assert f"Running {script} /data start" in said
    assert (home / "linuxha2" / "mounted").exists()
    assert not (home / "linuxha1" / "mounted").exists()
    # status before start, the failed start, then the group's stop right to left.
    assert (home / "linuxha1" / "actions").read_text().split()[:3] == ["status", "start", "stop"]

"""A heartbeat resource.d script (``maid::vacuum``, the seed's kind) run by this plugin keeps
the resource agent contract hb relies on (hbcore.testing.contracts): the plugin's subprocesses
never hold the loop, and a failing script is a ResourceError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hb_hookspecs import ResourceAgent
from hbcore.testing.contracts import ResourceAgentContract
from ra_script_helpers import Host

# A well-behaved heartbeat script: its state is a file named after its argument.
MAID = """
state="$(dirname "$0")/maid.$1"
case "$2" in
  start) touch "$state" ;;
  stop) rm -f "$state" ;;
  status) if [ -e "$state" ]; then echo running; else echo stopped; fi ;;
esac
"""


class TestAResourceDScript(ResourceAgentContract):
    @pytest.fixture
    def host(self, tmp_path: Path) -> Host:
        host = Host.make(tmp_path)
        host.script(host.resource_dir, "maid", MAID)
        host.script(host.resource_dir, "broken", 'echo "cannot start" >&2; exit 1')
        return host

    @pytest.fixture
    def agent(self, host: Host) -> ResourceAgent:
        return host.agent("maid::vacuum")

    @pytest.fixture
    def failing_agent(self, host: Host) -> ResourceAgent:
        return host.agent("broken::it")

"""pyroute2 without its package ``__init__``: the agents' netlink module imports only the
routing socket's modules, and the package is completed, in place, for any code that asks it for
a name. Each case runs in a process of its own (this one may have imported pyroute2 whole)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def run(script: str) -> object:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_netlink_module_leaves_the_rest_of_pyroute2_out() -> None:
    got = run(
        """
        import json, sys
        import hb_ra_ipaddr.netlink
        print(json.dumps([name in sys.modules for name in ("pyroute2.ndb.main", "sqlite3")]))
        """
    )
    assert got == [False, False]


def test_the_package_is_whole_for_code_that_asks_it_for_a_name() -> None:
    got = run(
        """
        import json, sys
        import hb_ra_ipaddr.netlink
        from pyroute2 import NDB, AsyncIPRoute
        import pyroute2
        same = AsyncIPRoute is hb_ra_ipaddr.netlink.AsyncIPRoute
        print(json.dumps([same, NDB.__name__, pyroute2.__version__ != "unknown"]))
        """
    )
    assert got == [True, "NDB", True]


def test_a_pyroute2_imported_whole_before_is_used_as_it_is() -> None:
    got = run(
        """
        import json, sys
        import pyroute2
        import hb_ra_ipaddr.netlink
        print(json.dumps([type(pyroute2).__name__, "pyroute2.ndb.main" in sys.modules]))
        """
    )
    assert got == ["module", True]

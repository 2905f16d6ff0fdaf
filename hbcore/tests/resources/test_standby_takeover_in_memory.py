"""``hb standby`` and ``hb takeover`` in nice mode: which groups move for each argument.

linuxha1 always asks for standby and linuxha2 always asks for takeover. With ``auto_failback
off`` the pair starts with linuxha1 holding everything (it came up alone, and linuxha2, back
later, stays secondary), so that "local" and "foreign" of linuxha1 are both running there. With
``auto_failback on`` that cannot last, so the pair starts with each group at home.

``hb takeover X`` on linuxha2 makes linuxha1 go standby for the complementary set (heartbeat's
rc.d/hb_takeover, behaviour.md §5): all→all, local→foreign, foreign→local, and ``failback``,
which that script does not map, means all. Nothing given away by standby comes back by auto
failback.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hbcore.resources.holdings import parse_hold
from hbcore.testing.cluster import World, wait_for
from nice_pair import HOME, Pair, events, holding_words, nice_pair
from structlog.testing import capture_logs

ALL_ON_2 = dict.fromkeys(HOME, "linuxha2")
ALL_ON_1 = dict.fromkeys(HOME, "linuxha1")
SWAPPED = {"10.0.0.1": "linuxha2", "httpd": "linuxha2", "10.0.0.2": "linuxha1"}

CASES = [
    # auto_failback, command, argument, what linuxha1 gives away, where everything ends
    (False, "standby", "all", "all", ALL_ON_2),
    (False, "standby", "local", "local", SWAPPED),
    (False, "standby", "foreign", "foreign", HOME),
    (False, "takeover", "all", "all", ALL_ON_2),
    (False, "takeover", "local", "foreign", HOME),
    (False, "takeover", "foreign", "local", SWAPPED),
    (False, "takeover", "failback", "all", ALL_ON_2),
    (True, "standby", "all", "all", ALL_ON_2),
    (True, "standby", "local", "local", ALL_ON_2),
    (True, "standby", "foreign", "foreign", HOME),
    (True, "takeover", "all", "all", ALL_ON_2),
    (True, "takeover", "local", "foreign", HOME),
    (True, "takeover", "foreign", "local", ALL_ON_2),
    (True, "takeover", "failback", "all", ALL_ON_2),
]


async def _settle(pair: Pair) -> None:
    """auto_failback off: linuxha1 alone takes everything, then linuxha2 joins and takes
    nothing. on: both start and each takes its own."""
    if pair.auto_failback:
        pair.start("linuxha1")
        pair.start("linuxha2")
        await wait_for(pair.world.settled(HOME))
    else:
        pair.start("linuxha1")
        await wait_for(pair.world.settled(ALL_ON_1))
        pair.start("linuxha2")
    await wait_for(pair.stable)
    assert pair.holdings() == holding_words(HOME if pair.auto_failback else ALL_ON_1)


@pytest.mark.parametrize(
    ("auto_failback", "command", "argument", "given", "ends"),
    CASES,
    ids=[f"auto_failback-{'on' if c[0] else 'off'}-{c[1]}-{c[2]}" for c in CASES],
)
def test_each_argument_moves_its_groups_and_no_others(
    tmp_path: Path,
    auto_failback: bool,
    command: str,
    argument: str,
    given: str,
    ends: dict[str, str],
) -> None:
    world = World()

    async def scenario(logs: list[dict[str, object]]) -> None:
        async with nice_pair(tmp_path, world, auto_failback) as pair:
            await _settle(pair)
            if command == "standby":
                hold = parse_hold(argument)
                assert hold is not None
                assert pair.manager("linuxha1").request_standby(hold) is None
            else:
                pair.manager("linuxha2").request_takeover(argument)
            await wait_for(lambda: "Standby resource acquisition done" in " ".join(events(logs)))
            await wait_for(pair.stable)
            assert world.settled(ends)(), world.owners
            await asyncio.sleep(0.5)  # auto failback, were it to undo the standby
            assert world.settled(ends)(), world.owners
            assert pair.holdings() == holding_words(ends)

    with capture_logs() as logs:
        asyncio.run(scenario(logs))
    assert f"linuxha1 wants to go standby [{given}]" in events(logs)
    assert f"Other node completed standby takeover of {given} resources." in events(logs)
    assert world.conflicts == []

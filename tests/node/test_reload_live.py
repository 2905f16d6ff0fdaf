"""Applying a reload to a running node (:class:`hbcore.node.reloader.Reloader`): two nodes on an
in-memory segment, linuxha1 reloading its files as edited (read as ``hb start`` reads them);
and the keyring that keeps accepting the keys in flight."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hbcore.config.configuration import Configuration
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.config.problems import Problem
from hbcore.log import LogTargets, set_debug_level
from hbcore.membership.events import NodeDied
from hbcore.membership.table import PING_NODE, Membership, MembershipTimers
from hbcore.node.daemon import Node
from hbcore.node.reload import RunningConfig
from hbcore.node.reloader import Builders, GraceKeyring, Reloader
from hbcore.node.runner import StartRefused, load_checked, log_targets
from hbcore.node.settings import settings_from
from hbcore.plugins import PluginSet, Selection, load_plugins
from hbcore.resources.groups import GroupTable
from hbcore.state.paths import NodePaths
from hbcore.testing.cluster import RunningNode, wait_for
from hbcore.testing.memory_bus import MemoryBus
from hbcore.wire import Decoded, Encoding, Keyring, Message, Rejected, decode, encode
from structlog.testing import capture_logs

HACF = """\
logfacility none
keepalive 50ms
deadtime 300ms
warntime 200ms
initdead 600ms
bcast lo
auto_failback on
node linuxha1
node linuxha2
"""
AUTHKEYS = "auth 1\n1 sha1 secret\n"
NEW_KEY = "auth 2\n1 sha1 secret\n2 sha1 another\n"


@cache
def plugins() -> PluginSet:
    return load_plugins(Selection(), CORE_DIRECTIVES)


def write(paths: NodePaths, hacf: str = HACF, authkeys: str = AUTHKEYS) -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / "ha.cf").write_text(hacf)
    (paths.config_dir / "haresources").write_text("")
    (paths.config_dir / "authkeys").write_text(authkeys)
    (paths.config_dir / "authkeys").chmod(0o600)


def check(paths: NodePaths, name: str) -> Configuration | list[Problem]:
    try:
        return load_checked(paths, plugins(), name)[0]
    except StartRefused as refused:
        return refused.problems


@dataclass
class Member:
    """A node of the segment, with its files and the reloader ``hb start`` would give it."""

    running: RunningNode
    paths: NodePaths
    reloader: Reloader
    logging: list[LogTargets]

    @property
    def node(self) -> Node:
        return self.running.node

    async def reload(self) -> dict[str, Any]:
        """Reload as ``hb reload`` asks for it, and wait for the answer."""
        number = self.reloader.request()
        await wait_for(lambda: self.reloader.answer(number)["done"])
        return self.reloader.answer(number)


def member(tmp_path: Path, name: str, bus: MemoryBus) -> Member:
    paths = NodePaths(tmp_path / name, tmp_path / name, tmp_path / name)
    write(paths)
    configuration = check(paths, name)
    assert isinstance(configuration, Configuration), configuration
    assert configuration.authkeys is not None
    node = Node(
        settings_from(configuration, paths),
        configuration.authkeys.keyring(),
        [bus.medium(name)],
    )
    logging: list[LogTargets] = []
    builders = Builders(
        check=lambda: check(paths, name),
        groups=lambda _configuration: GroupTable([], name),
        monitors=lambda _configuration: {},
        log_targets=lambda configuration: log_targets(configuration, False, None),
        configure_logging=logging.append,
    )
    running = RunningNode(node)
    reloader = Reloader(
        node,
        RunningConfig.at_start(configuration),
        GroupTable([], name),
        {},
        builders,
        paths,
        running.stopping,
    )
    return Member(running, paths, reloader, logging)


@asynccontextmanager
async def segment(tmp_path: Path) -> AsyncIterator[tuple[Member, Member]]:
    bus = MemoryBus()
    members = (member(tmp_path, "linuxha1", bus), member(tmp_path, "linuxha2", bus))
    try:
        await wait_for(lambda: all(m.node.local_status == "active" for m in members))
        yield members
    finally:
        for each in members:
            each.reloader.stop()
            each.running.kill()
        await asyncio.gather(*(m.running.task for m in members), return_exceptions=True)


def test_an_edited_deadtime_runs_at_once_and_initdead_stays(tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        async with segment(tmp_path) as (linuxha1, _linuxha2):
            write(linuxha1.paths, HACF.replace("deadtime 300ms", "deadtime 500ms"))
            answer = await linuxha1.reload()
            timers = linuxha1.node.settings.timers
            assert (timers.deadtime, timers.initdead) == (500, 600)
            assert linuxha1.node.membership.timers.deadtime_ms == 500
            assert await linuxha1.reload() == {
                "reload": answer["reload"] + 1,
                "done": True,
                "accepted": True,
                "applied": [],
                "not_applied": [],
                "problems": [],
            }
            return answer

    with capture_logs() as logs:
        answer = asyncio.run(scenario())
    assert answer["accepted"] and answer["problems"] == []
    assert answer["applied"] == [
        "ha.cf:3: deadtime 300 ms -> 500 ms: applied",
        "ha.cf: deadping 300 ms -> 500 ms: applied",
    ]
    events = [entry["event"] for entry in logs]
    assert "ha.cf:3: deadtime 300 ms -> 500 ms: applied" in events
    assert "Configuration unchanged." in events


def test_a_broken_edit_is_refused_with_its_line_and_nothing_changes(tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        async with segment(tmp_path) as (linuxha1, _linuxha2):
            write(linuxha1.paths, HACF.replace("deadtime 300ms", "deadtime 40ms"))
            answer = await linuxha1.reload()
            assert linuxha1.node.settings.timers.deadtime == 300
            assert linuxha1.node.local_status == "active"
            history = linuxha1.node.stats.history.select()
            [event] = [event for _, event in history if event.kind == "reload"]
            assert (event.message or "").startswith("reload refused: ha.cf:3: Dead time [40 ms]")
            return answer

    with capture_logs() as logs:
        answer = asyncio.run(scenario())
    assert not answer["accepted"] and answer["applied"] == []
    [problem] = answer["problems"]
    assert problem.startswith("ha.cf:3: Dead time [40 ms] is too small compared to keepalive")
    errors = [entry["event"] for entry in logs if entry["log_level"] == "error"]
    assert errors[0] == problem
    assert errors[-1].startswith("Config errors")


def test_a_new_outbound_key_signs_at_once_and_the_old_one_counts_for_deadtime(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with segment(tmp_path) as (linuxha1, linuxha2):
            write(linuxha1.paths, authkeys=NEW_KEY)
            write(linuxha2.paths, authkeys=NEW_KEY)
            await linuxha1.reload()
            assert isinstance(linuxha1.node.keyring, GraceKeyring)
            assert linuxha1.node.keyring.outbound == 2
            # linuxha2 has not reloaded: linuxha1 still takes its packets (old key)...
            await asyncio.sleep(0.2)
            assert linuxha1.node.drops.snapshot()["total"] == {}
            await linuxha2.reload()
            # ... and once both run the new keys, the old one is dropped after deadtime.
            await wait_for(lambda: not isinstance(linuxha1.node.keyring, GraceKeyring))
            await wait_for(lambda: not isinstance(linuxha2.node.keyring, GraceKeyring))
            await asyncio.sleep(0.4)
            for each in (linuxha1, linuxha2):
                peers = [s.status for s in each.node.membership.nodes.values()]
                assert peers == ["active", "active"]

    with capture_logs() as logs:
        asyncio.run(scenario())
    events = [entry["event"] for entry in logs]
    assert events.count("Rereading authentication file.") == 2
    assert not [event for event in events if "is dead" in event]


def test_requests_during_a_reload_are_answered_by_one_more_reload(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with segment(tmp_path) as (linuxha1, _linuxha2):
            reloader = linuxha1.reloader
            first = reloader.request()
            second, third = reloader.request(), reloader.request()
            assert second == third == first + 1
            assert reloader.answer(first) == {"reload": first, "done": False}
            await wait_for(lambda: reloader.answer(second)["done"])
            assert reloader.answer(first)["accepted"] and reloader.answer(second)["accepted"]
            assert reloader.answer(second + 1)["ok"] is False

    with capture_logs() as logs:
        asyncio.run(scenario())
    assert [entry["event"] for entry in logs].count("Configuration unchanged.") == 2


def test_ping_nodes_join_and_leave_the_node_table(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with segment(tmp_path) as (linuxha1, _linuxha2):
            write(linuxha1.paths, HACF + "ping 127.0.0.1\n")
            answer = await linuxha1.reload()
            assert answer["applied"] == ["ha.cf:10: ping (unset) -> 127.0.0.1: applied"]
            state = linuxha1.node.membership.nodes["127.0.0.1"]
            assert state.kind == PING_NODE and "127.0.0.1" in linuxha1.node.peers
            assert linuxha1.node.settings.ttl == 4
            write(linuxha1.paths)
            await linuxha1.reload()
            assert "127.0.0.1" not in linuxha1.node.membership.nodes
            assert "127.0.0.1" not in linuxha1.node.peers
            assert linuxha1.node.settings.ttl == 3

    asyncio.run(scenario())


def test_log_settings_reconfigure_logging_and_keep_the_signals_debug_level(
    tmp_path: Path,
) -> None:
    async def scenario() -> list[LogTargets]:
        async with segment(tmp_path) as (linuxha1, _linuxha2):
            set_debug_level(2)  # as two SIGUSR1 would
            write(linuxha1.paths, HACF.replace("logfacility none", "logfacility daemon"))
            await linuxha1.reload()
            write(linuxha1.paths, HACF + "debug 3\n")
            await linuxha1.reload()
            return linuxha1.logging

    try:
        first, second = asyncio.run(scenario())
    finally:
        set_debug_level(0)
    assert (first.facility, first.debug_level) == ("daemon", 2)
    assert (second.facility, second.debug_level) == ("none", 3)


def keyrings() -> tuple[Keyring, Keyring]:
    sha1 = plugins().registry.auth_methods["sha1"].item
    old = Keyring(1, {1: (sha1, b"secret")})
    new = Keyring(2, {1: (sha1, b"secret"), 2: (sha1, b"another")})
    return old, new


@pytest.mark.parametrize("encoding", [Encoding.NETSTRING, Encoding.CLASSIC])
def test_the_grace_keyring_takes_packets_signed_with_the_running_keys(
    encoding: Encoding,
) -> None:
    old, new = keyrings()
    message = Message.of(("t", "status"), ("src", "linuxha2"), ("seq", "1"), ("ts", "1"))
    in_flight = encode(message, old, encoding)
    assert isinstance(decode(in_flight, GraceKeyring(new, old)), Decoded)
    if encoding is Encoding.NETSTRING:  # heartbeat's trailer rule: the receiver's outbound key
        assert isinstance(decode(in_flight, new), Rejected)
    signed = encode(message, GraceKeyring(new, old), encoding)
    assert signed == encode(message, new, encoding)


def test_the_grace_keyring_answers_every_method_of_a_keyring() -> None:
    public = {name for name in dir(Keyring) if not name.startswith("_") and name != "outbound"}
    assert public <= set(vars(GraceKeyring))


# -- the node table's part -----------------------------------------------------------------------

TABLE_TIMERS = MembershipTimers(
    warntime_ms=500, deadtime_ms=1000, initdead_ms=2000, deadping_ms=1000
)


def test_new_timers_judge_the_unheard_and_ping_nodes_a_peer_keeps_its_advertised_dt() -> None:
    table = Membership("linuxha1", ["linuxha1", "linuxha2", "linuxha3"], ["gw"], TABLE_TIMERS, 0)
    table.status_arrived("linuxha2", "active", 1000, 1.0)
    table.set_timers(replace(TABLE_TIMERS, deadtime_ms=3000, deadping_ms=4000))
    intervals = {name: state.dead_interval_ms for name, state in table.nodes.items()}
    assert (intervals["linuxha2"], intervals["linuxha3"], intervals["gw"]) == (1000, 3000, 4000)


def test_a_ping_node_added_late_has_its_deadping_from_then_to_answer() -> None:
    table = Membership("linuxha1", ["linuxha1", "linuxha2"], [], TABLE_TIMERS, 0)
    table.set_comm_up()
    table.set_ping_nodes(["gw"], 100.0)
    table.heard_ourselves(None, 100.5)
    assert [e for e in table.check_timeouts(100.5) if e.node == "gw"] == []
    table.heard_ourselves(None, 101.5)
    assert NodeDied("gw", "init") in table.check_timeouts(101.5)
    table.set_ping_nodes([], 102.0)
    assert not table.knows("gw")

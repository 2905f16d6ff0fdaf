"""What a reload may change live, and what not (:func:`hbcore.node.reload.plan_reload`): the
running configuration is what the node started from, the new one the files as edited since."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.config.problems import Location
from hbcore.node.reload import (
    INITDEAD_REASON,
    IPFAIL_REASON,
    MEDIA_REASON,
    NOT_LIVE_REASONS,
    RESTART_REASON,
    TRANSITION_REASON,
    GroupLine,
    ReloadPlan,
    RunningConfig,
    plan_groups,
    plan_reload,
)
from hbcore.plugins import PluginSet, Selection, load_plugins
from hbcore.resources.holdings import Hold
from hypothesis import given
from hypothesis import strategies as st

HACF = """\
logfile {logs}/ha-log
logfacility none
keepalive 100ms
deadtime 1
initdead 10
udpport 694
bcast lo
auto_failback on
node linuxha1
node linuxha2
"""
HARESOURCES = "linuxha1 IPaddr2::10.0.0.5/24/lo\nlinuxha2 IPaddr2::10.0.0.6/24/lo\n"
AUTHKEYS = "auth 1\n1 sha1 secret\n"


@cache
def plugins() -> PluginSet:
    return load_plugins(Selection(), CORE_DIRECTIVES)


def configuration(
    directory: Path,
    hacf: str = HACF,
    haresources: str = HARESOURCES,
    authkeys: str = AUTHKEYS,
) -> Configuration:
    """The configuration of ``directory`` once the three files say this (valid, strictly);
    the log files go to its parent."""
    directory.mkdir(exist_ok=True)
    (directory / "ha.cf").write_text(hacf.format(logs=directory.parent))
    (directory / "haresources").write_text(haresources)
    (directory / "authkeys").write_text(authkeys)
    (directory / "authkeys").chmod(0o600)
    loaded = load_configuration(directory, plugins(), "linuxha1")
    assert loaded.errors(strict=True) == [], [str(p) for p in loaded.errors(strict=True)]
    return loaded


def edited(
    tmp_path: Path,
    hacf: str = HACF,
    haresources: str = HARESOURCES,
    authkeys: str = AUTHKEYS,
    held: Hold | None = Hold.LOCAL,
    ipfail: bool = False,
) -> ReloadPlan:
    """The plan for a node started from the default files, whose files now say this."""
    running = RunningConfig.at_start(configuration(tmp_path / "start"))
    return plan_reload(
        running, configuration(tmp_path / "now", hacf, haresources, authkeys), held, ipfail
    )


def messages(plan: ReloadPlan) -> list[str]:
    return [change.message() for change in plan.changes]


def test_the_same_files_change_nothing(tmp_path: Path) -> None:
    plan = edited(tmp_path)
    assert plan.changes == ()
    assert not (plan.timers or plan.keys or plan.logging or plan.ping_nodes or plan.groups)


def test_an_edited_deadtime_applies_and_warntime_that_follows_it_too(tmp_path: Path) -> None:
    plan = edited(tmp_path, HACF.replace("deadtime 1", "deadtime 3"))
    assert messages(plan) == [
        "ha.cf:4: deadtime 1000 ms -> 3000 ms: applied",
        "ha.cf: warntime 500 ms -> 1500 ms: applied",
        "ha.cf: deadping 1000 ms -> 3000 ms: applied",
    ]
    assert plan.timers
    assert (plan.running.timers.deadtime, plan.running.timers.warntime) == (3000, 1500)


def test_initdead_only_counts_at_start_and_is_reported_again_until_then(tmp_path: Path) -> None:
    plan = edited(tmp_path, HACF.replace("initdead 10", "initdead 20"))
    [change] = plan.changes
    assert change.refused == INITDEAD_REASON
    assert "running with 10000 ms" in change.message()
    assert not plan.timers
    assert plan.running.timers.initdead == 10_000
    again = plan_reload(plan.running, plan.running.configuration, Hold.LOCAL, False)
    assert [c.what for c in again.changes] == ["initdead"]


@pytest.mark.parametrize(
    ("before", "after", "directive", "reason"),
    [
        ("node linuxha2\n", "node linuxha2\nnode linuxha3\n", "node", NOT_LIVE_REASONS["node"]),
        ("udpport 694", "udpport 695", "udpport", NOT_LIVE_REASONS["udpport"]),
        ("bcast lo", "ucast lo 127.0.0.2", "bcast", MEDIA_REASON),
        ("auto_failback on", "auto_failback off", "auto_failback", RESTART_REASON),
    ],
)
def test_what_is_read_at_start_only_is_refused_and_the_running_value_kept(
    tmp_path: Path, before: str, after: str, directive: str, reason: str
) -> None:
    plan = edited(tmp_path, HACF.replace(before, after))
    refused = [change for change in plan.changes if change.what == directive]
    assert refused and all(change.refused == reason for change in refused)
    running = RunningConfig.at_start(configuration(tmp_path / "start"))
    assert plan.running.directives.get(directive) == running.directives.get(directive)
    assert not (plan.timers or plan.logging or plan.ping_nodes or plan.groups)


def test_a_new_medium_is_refused_by_its_own_directive(tmp_path: Path) -> None:
    plan = edited(tmp_path, HACF.replace("bcast lo", "bcast lo\nucast lo 127.0.0.2"))
    [change] = plan.changes
    assert (change.what, change.old, change.refused) == ("ucast", "(unset)", MEDIA_REASON)
    assert change.message().startswith("ha.cf:8: ucast (unset) -> lo 127.0.0.2: not applied")


def test_log_settings_apply_and_debug_says_it_overrides_the_signals(tmp_path: Path) -> None:
    plan = edited(tmp_path, HACF.replace("logfacility none", "logfacility none\ndebug 2"))
    assert [(c.what, c.applied) for c in plan.changes] == [("debug", True)]
    assert plan.logging and plan.debug_changed
    moved = edited(tmp_path, HACF.replace("ha-log", "other-log"))
    assert moved.logging and not moved.debug_changed
    assert moved.running.directives["logfile"] == (str(tmp_path / "other-log"),)


def test_ping_nodes_apply_unless_ipfail_runs(tmp_path: Path) -> None:
    with_ping = HACF + "ping 127.0.0.1\n"
    plan = edited(tmp_path, with_ping)
    assert [(c.what, c.applied) for c in plan.changes] == [("ping", True)]
    assert plan.ping_nodes
    refused = edited(tmp_path, with_ping, ipfail=True)
    assert [c.refused for c in refused.changes] == [IPFAIL_REASON]
    assert not refused.ping_nodes and "ping" not in refused.running.directives


def test_a_new_outbound_key_applies_and_no_key_is_ever_shown(tmp_path: Path) -> None:
    plan = edited(tmp_path, authkeys="auth 2\n1 sha1 secret\n2 md5 newsecret\n")
    [change] = plan.changes
    assert plan.keys and change.applied
    assert change.message() == (
        "authkeys:1: authkeys [auth 1 sha1; keys 1] -> [auth 2 md5; keys 1,2]: applied"
    )
    text_only = edited(tmp_path, authkeys="auth 1\n1 sha1 another\n")
    [change] = text_only.changes
    assert change.new.endswith("(new key text)") and "another" not in change.message()


def test_a_group_of_the_peer_changes_while_this_node_holds_its_own(tmp_path: Path) -> None:
    resources = "linuxha1 IPaddr2::10.0.0.5/24/lo\nlinuxha2 IPaddr2::10.0.0.7/24/lo\n"
    plan = edited(tmp_path, haresources=resources, held=Hold.LOCAL)
    assert [c.message() for c in plan.changes] == [
        "haresources:2: group IPaddr2::10.0.0.7/24/lo (none) -> "
        "linuxha2 IPaddr2::10.0.0.7/24/lo: applied",
        "haresources: group IPaddr2::10.0.0.6/24/lo linuxha2 IPaddr2::10.0.0.6/24/lo -> "
        "(none): applied",
    ]
    assert plan.groups
    assert [line.text for line in plan.running.groups] == resources.splitlines()


def test_a_held_group_is_never_changed_and_a_transition_changes_none(tmp_path: Path) -> None:
    resources = "linuxha1 IPaddr2::10.0.0.5/24/lo\nlinuxha1 IPaddr2::10.0.0.9/24/lo\n"
    plan = edited(tmp_path, haresources=resources, held=Hold.ALL)
    assert plan.changes and all(
        c.refused is not None and "holds the" in c.refused for c in plan.changes
    )
    assert not plan.groups
    moving = edited(tmp_path, haresources=resources, held=None)
    assert {c.refused for c in moving.changes} == {TRANSITION_REASON}
    assert not moving.groups


LINES = st.builds(
    GroupLine,
    node=st.sampled_from(["linuxha1", "linuxha2"]),
    tokens=st.tuples(st.sampled_from(["a", "b", "c", "d"])),
    location=st.just(Location("haresources")),
)
HELD = st.sampled_from([None, Hold.NONE, Hold.LOCAL, Hold.FOREIGN, Hold.ALL])


def of_kind(lines: list[GroupLine] | tuple[GroupLine, ...], kind: Hold) -> list[str]:
    """The lines of one kind, for linuxha1: its own (local) or the others' (foreign)."""
    return [line.text for line in lines if (line.node == "linuxha1") == (kind is Hold.LOCAL)]


@given(st.lists(LINES, max_size=5), st.lists(LINES, max_size=5), HELD)
def test_groups_of_a_held_kind_run_as_before_the_others_as_the_file_says(
    running: list[GroupLine], new: list[GroupLine], held: Hold | None
) -> None:
    lines, changes = plan_groups(tuple(running), tuple(new), "linuxha1", held)
    changed = False
    for kind in (Hold.LOCAL, Hold.FOREIGN):
        kept = held is None or kind in held
        assert of_kind(lines, kind) == of_kind(running if kept else new, kind)
        changed |= of_kind(running, kind) != of_kind(new, kind)
        refusals = {c.refused is None for c in changes if c.new in of_kind(new, kind)}
        assert refusals <= {not kept}
    assert bool(changes) == changed
    if not any(change.applied for change in changes):
        assert lines == tuple(running)

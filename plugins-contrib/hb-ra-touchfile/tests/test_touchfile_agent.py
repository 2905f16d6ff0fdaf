"""touchfile::/path: resolution, and start/stop/status on a real file."""

import asyncio
from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, ResourceContext, Settings
from hb_ra_touchfile import hb_resolve_resource

CONTEXT = ResourceContext(Settings("linuxha1", Path("/etc/ha.d"), {}), {})


def test_other_tokens_are_not_ours() -> None:
    assert hb_resolve_resource("httpd", CONTEXT) is None


def test_a_relative_path_is_refused_with_the_fix() -> None:
    with pytest.raises(ArgumentError, match="touchfile::/full/path"):
        hb_resolve_resource("touchfile::primary", CONTEXT)


def test_the_file_exists_exactly_while_held(tmp_path: Path) -> None:
    marker = tmp_path / "primary"
    agent = hb_resolve_resource(f"touchfile::{marker}", CONTEXT)
    assert agent is not None

    async def scenario() -> list[bool]:
        seen = [await agent.status()]
        await agent.start()
        seen.append(await agent.status())
        await agent.stop()
        await agent.stop()  # stopping twice is fine
        seen.append(await agent.status())
        return seen

    assert asyncio.run(scenario()) == [False, True, False]
    assert agent.describe() == f"touchfile {marker}"

"""A scratch /etc/ha.d with resource.d and an init.d beside it; the fixture scripts are tiny
sh scripts written into them."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hb_hookspecs import ResourceContext, Settings
from hb_ra_script import hb_resolve_resource
from hb_ra_script.agent import ScriptAgent, Timeouts
from hb_ra_script.lookup import locate, split_token

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def runners() -> dict[str, Runner]:
    """asyncio's loop, and uvloop's, which the node runs on when it is installed."""
    found: dict[str, Runner] = {"asyncio": asyncio.run}
    try:
        import uvloop
    except ImportError:
        return found
    found["uvloop"] = uvloop.run
    return found


@dataclass(frozen=True)
class Host:
    """``config_dir`` (with ``resource.d``) and ``init_dir``, searched in that order."""

    config_dir: Path
    init_dir: Path
    environment: Mapping[str, str]

    @classmethod
    def make(cls, root: Path, environment: Mapping[str, str] | None = None) -> Host:
        (root / "ha.d" / "resource.d").mkdir(parents=True)
        (root / "init.d").mkdir()
        return cls(root / "ha.d", root / "init.d", environment or {"HA_CURHOST": "linuxha1"})

    @property
    def resource_dir(self) -> Path:
        return self.config_dir / "resource.d"

    @property
    def settings(self) -> Settings:
        """ha.cf with ``script_dirs`` naming resource.d, then the scratch init.d."""
        directories = (str(self.resource_dir), str(self.init_dir))
        return Settings("linuxha1", self.config_dir, {"script_dirs": directories})

    @property
    def context(self) -> ResourceContext:
        return ResourceContext(self.settings, self.environment)

    def script(self, directory: Path, name: str, body: str, mode: int = 0o755) -> Path:
        """Write ``body`` (dedented) as an sh script; ``body`` may omit the #! line."""
        path = directory / name
        text = textwrap.dedent(body).lstrip("\n")
        path.write_text(text if text.startswith("#!") else "#!/bin/sh\n" + text)
        path.chmod(mode)
        return path

    def resolve(self, token: str) -> ScriptAgent | None:
        agent = hb_resolve_resource(token, self.context)
        assert agent is None or isinstance(agent, ScriptAgent)
        return agent

    def agent(self, token: str, timeouts: Timeouts | None = None) -> ScriptAgent:
        """The agent the plugin builds for ``token``, with other timeouts if given."""
        agent = self.resolve(token)
        assert agent is not None, f"{token} did not resolve"
        if timeouts is None:
            return agent
        parsed = split_token(token)
        located = locate(parsed.script, self.settings)
        assert located is not None
        return ScriptAgent(parsed, located, self.context, timeouts)

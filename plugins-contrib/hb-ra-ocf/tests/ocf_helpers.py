"""A scratch OCF_ROOT with a recording agent, and resolving tokens the way the core does.

The recording agent (provider ``hbtest``, agent ``Recorder``) prints ``DIR/meta-data.xml`` for
``meta-data``; for any other action it writes its ``OCF_*`` environment to ``DIR/ACTION.env``
and exits with the number in ``DIR/ACTION.rc`` (0 when absent). ``DIR`` is ``HBTEST_DIR``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ResourceAgent, ResourceContext, Settings
from hb_ra_ocf import hb_resolve_resource
from hb_ra_ocf.agent import OcfAgent

REAL_ROOT = Path("/usr/lib/ocf")
RECORDER_METADATA = """<?xml version="1.0"?>
<resource-agent name="Recorder" version="1.0">
<parameters>
<parameter name="path" required="1"><content type="string"/></parameter>
<parameter name="colour"><content type="string" default="blue"/></parameter>
</parameters>
<actions>
<action name="start" timeout="42s"/>
<action name="stop" timeout="7"/>
<action name="monitor" timeout="1500ms" interval="10s"/>
<action name="validate-all" timeout="5s"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
"""
RECORDER = """\
#!/bin/sh
case "$1" in
meta-data) cat "$HBTEST_DIR/meta-data.xml"; exit 0;;
esac
env | grep '^OCF_' | sort > "$HBTEST_DIR/$1.env"
if [ -f "$HBTEST_DIR/$1.sh" ]; then . "$HBTEST_DIR/$1.sh"; fi
if [ -f "$HBTEST_DIR/$1.rc" ]; then exit "$(cat "$HBTEST_DIR/$1.rc")"; fi
exit 0
"""


@dataclass(frozen=True)
class FakeRoot:
    """``root`` is an OCF_ROOT holding ``hbtest/Recorder``; ``state`` is its HBTEST_DIR."""

    root: Path
    state: Path
    config_dir: Path

    @classmethod
    def make(cls, tmp_path: Path, metadata: str = RECORDER_METADATA) -> FakeRoot:
        root, state, config_dir = tmp_path / "ocf", tmp_path / "state", tmp_path / "ha.d"
        provider = root / "resource.d" / "hbtest"
        provider.mkdir(parents=True)
        state.mkdir()
        config_dir.mkdir()
        (provider / "Recorder").write_text(RECORDER)
        (provider / "Recorder").chmod(0o755)
        (state / "meta-data.xml").write_text(metadata)
        return cls(root, state, config_dir)

    @property
    def context(self) -> ResourceContext:
        environment = {"OCF_ROOT": str(self.root), "HBTEST_DIR": str(self.state)}
        return ResourceContext(Settings("linuxha1", self.config_dir, {}), environment)

    def agent(self, token: str) -> OcfAgent:
        return resolve(token, self.context)

    def returns(self, action: str, code: int) -> None:
        (self.state / f"{action}.rc").write_text(f"{code}\n")

    def does(self, action: str, script: str) -> None:
        """Run ``script`` (sh) in the agent before it exits for ``action``."""
        (self.state / f"{action}.sh").write_text(textwrap.dedent(script))

    def seen(self, action: str) -> dict[str, str]:
        """The ``OCF_*`` variables the agent saw for ``action``."""
        lines = (self.state / f"{action}.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines)


def real_context(config_dir: Path) -> ResourceContext:
    """The real agents of /usr/lib/ocf, with ``config_dir`` as the configuration directory."""
    return ResourceContext(
        Settings("linuxha1", config_dir, {}),
        {"OCF_ROOT": str(REAL_ROOT), "HA_CURHOST": "linuxha1"},
    )


def resolve(token: str, context: ResourceContext) -> OcfAgent:
    agent: ResourceAgent | None = hb_resolve_resource(token, context)
    assert isinstance(agent, OcfAgent), token
    return agent

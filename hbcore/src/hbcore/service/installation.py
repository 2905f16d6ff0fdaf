"""What a service file needs to know about this installation: where this ``hb`` is, how to call
it, and the timers of the configuration it will run."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hbcore.config.hacf import read_hacf
from hbcore.config.problems import Problem
from hbcore.plugins import ENV_ALLOW, ENV_DENY, PluginSet
from hbcore.state.paths import DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, NodePaths

DEFAULT_DEADTIME_MS = 30_000
"""heartbeat's deadtime when ha.cf gives none (or cannot be read yet)."""


class NoHbCommand(Exception):
    """No ``hb`` executable beside this Python: the service could not run it."""


def this_hb(executable: str = sys.executable, argv0: str = sys.argv[0]) -> Path:
    """The absolute path of this installation's ``hb`` script: the one beside this Python (a
    virtualenv's ``bin/hb`` when run from one), or else the ``hb`` running now (``argv0``: pip
    puts scripts in ``/usr/local/bin`` or ``~/.local/bin`` beside a ``/usr/bin/python3``).
    Symlinks are kept, not resolved: a virtualenv's ``bin/python`` links to the system's, and
    the service must run the virtualenv's ``hb``.

    :raises NoHbCommand: when there is none (hbcore run without its console scripts).
    """
    beside = Path(os.path.abspath(executable)).with_name("hb")
    candidates = [beside]
    if os.path.basename(argv0) == "hb":
        candidates.append(Path(os.path.abspath(argv0)))
    for hb in candidates:
        if os.access(hb, os.X_OK) and hb.is_file():
            return hb
    raise NoHbCommand(
        f"{beside}: no hb command beside {executable}; install hbcore with pip so that it has one"
    )


@dataclass(frozen=True)
class Installation:
    """One node as a service would start it."""

    hb: Path
    paths: NodePaths
    deadtime_ms: int
    plugins: str | None = None
    """``--plugins`` as given (None: not given)."""
    disables: tuple[str, ...] = ()
    """Each ``-p`` value as given."""
    node_name: str | None = None
    environment: tuple[tuple[str, str], ...] = ()
    """Variables of the environment hb reads that were set here (``HB_PLUGINS`` ...)."""

    @property
    def deadtime_s(self) -> int:
        """deadtime in whole seconds, rounded up (never 0)."""
        return max(1, math.ceil(self.deadtime_ms / 1000))

    @property
    def watchdog_s(self) -> int:
        """systemd's ``WatchdogSec``: twice deadtime, in whole seconds.

        Longer than deadtime, so that a node stalled past its dead interval that comes back
        recovers as heartbeat does (``No local heartbeat. Forcing restart.``, giving up what
        its peers took over) before systemd would kill it; only a node that stays hung for two
        dead intervals is killed and restarted.
        """
        return 2 * self.deadtime_s

    def path_arguments(self) -> list[str]:
        """``-c``, ``--state-dir`` and ``--run-dir`` where they are not heartbeat's defaults."""
        arguments: list[str] = []
        for option, value, default in (
            ("-c", self.paths.config_dir, DEFAULT_CONFIG_DIR),
            ("--state-dir", self.paths.state_dir, DEFAULT_STATE_DIR),
            ("--run-dir", self.paths.run_dir, DEFAULT_RUN_DIR),
        ):
            if value != default:
                arguments += [option, str(value)]
        return arguments

    def start_arguments(self) -> list[str]:
        """The arguments of ``hb start`` after the paths: plugin selection and node name."""
        arguments: list[str] = []
        if self.plugins is not None:
            arguments += ["--plugins", self.plugins]
        for disable in self.disables:
            arguments += ["-p", disable]
        if self.node_name is not None:
            arguments += ["--node-name", self.node_name]
        return arguments


def hb_environment(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The plugin-selection variables set in ``environ``, which the service must set too."""
    return tuple((name, environ[name]) for name in (ENV_ALLOW, ENV_DENY) if name in environ)


def configured_deadtime(config_dir: Path, plugins: PluginSet) -> tuple[int | None, list[Problem]]:
    """deadtime in ms from ``config_dir/ha.cf`` (None when there is no ha.cf yet: service files
    are often written first), and ha.cf's errors, which make the deadtime unreliable."""
    path = config_dir / "ha.cf"
    if not path.exists():
        return None, []
    hacf, problems = read_hacf(path, plugins.registry.directives)
    return hacf.timers.deadtime, [problem for problem in problems if problem.is_error(False)]

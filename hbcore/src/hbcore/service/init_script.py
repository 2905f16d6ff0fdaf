"""``hb service init-script``: heartbeat's ``/etc/init.d/heartbeat`` for this ``hb``.

The same actions, messages and hooks as heartbeat 3.0.6's script (``start``, ``stop``,
``status``, ``restart``, ``reload``, ``force-reload``, ``standby``, ``resource.d/startstop``),
with the LSB exit statuses, plus ``try-restart``. The text is ``heartbeat.init.in`` beside this
module, with ``@NAME@`` placeholders filled in shell-quoted.
"""

from __future__ import annotations

import re
import shlex
from importlib.resources import files

from hbcore import __version__
from hbcore.service.installation import Installation
from hbcore.state.paths import DEFAULT_RUN_DIR

TEMPLATE = "heartbeat.init.in"
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")


def _words(words: list[str]) -> str:
    return " ".join(shlex.quote(word) for word in words)


def render_init_script(installation: Installation) -> str:
    """The text of ``/etc/init.d/heartbeat`` for ``installation``."""
    paths = installation.paths
    environment = "".join(
        f"{name}={shlex.quote(value)}; export {name}\n" for name, value in installation.environment
    )
    run_arguments = [] if paths.run_dir == DEFAULT_RUN_DIR else ["--run-dir", str(paths.run_dir)]
    values = {
        "@VERSION@": __version__,
        "@HB@": shlex.quote(str(installation.hb)),
        "@CONFIG_DIR@": shlex.quote(str(paths.config_dir)),
        "@PID_FILE@": shlex.quote(str(paths.pid_file)),
        "@DEADTIME_S@": str(installation.deadtime_s),
        "@ENVIRONMENT@": environment,
        "@START_ARGS@": _words([*installation.path_arguments(), *installation.start_arguments()]),
        "@RUN_ARGS@": _words(run_arguments),
    }
    template = files("hbcore.service").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda match: values[match.group()], template)

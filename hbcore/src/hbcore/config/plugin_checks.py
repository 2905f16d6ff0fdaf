"""Plugin coverage: the plugins the files need must be loaded, and no plugin may have failed.

A plugin that failed to load (its import raised, it implements a hook that does not exist, its
registration raised or clashed) is an error: what it would have provided is unknown, since its
registrations never ran, so hb cannot tell that the files do not need it. When a directive or a
resource needs a built-in plugin that provides nothing here, :func:`absent_plugin` says why (its
load error, its deselection, or its absence) and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from hbcore.config.directive_hints import install_hint
from hbcore.config.problems import Location, Problem
from hbcore.plugins import ENV_ALLOW, ENV_DENY, PluginRecord

PLUGINS = "plugins"
"""The "file" of a problem of the installed plugin set rather than of a configuration file."""


def absent_plugin(distribution: str, records: Sequence[PluginRecord]) -> tuple[str, str]:
    """Why the distribution ``distribution`` provides nothing here, and the fix: ``(why,
    fix)``, ``why`` reading after "the plugin ..."."""
    record = next((record for record in records if record.distribution == distribution), None)
    if record is None:
        return f"{distribution}, which is not installed", install_hint(distribution)
    name = f"{record.name} ({distribution})"
    if record.status == "failed":
        return f"{name}, which failed to load: {record.error}", _repair(record)
    if record.status == "active":
        return (
            f"{name}, which is loaded but declined it",
            f"hb plugins list shows what {record.name} provides",
        )
    return (
        f"{name}, which is disabled",
        f"enable it: drop -p no:{record.name} (and its {ENV_DENY} entry), or add it to "
        f"--plugins ({ENV_ALLOW})",
    )


def failed_plugins(records: Sequence[PluginRecord]) -> list[Problem]:
    """One error per plugin that failed to load, with its error."""
    return [
        Problem(
            Location(PLUGINS),
            f"{record.name} ({record.distribution} {record.version}) failed to load: "
            f"{record.error}",
            _repair(record),
        )
        for record in records
        if record.status == "failed"
    ]


def _repair(record: PluginRecord) -> str:
    if record.error.startswith("ContractError:"):
        return (
            f"install a release of {record.distribution} built for this hb's plugin contract, "
            f"or deselect it with -p no:{record.name} ({ENV_DENY}={record.name})"
        )
    return (
        f"repair or reinstall it (pip install --force-reinstall {record.distribution}), or "
        f"deselect it with -p no:{record.name} ({ENV_DENY}={record.name})"
    )

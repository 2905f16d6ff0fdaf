"""The OCF agents installed here: where they are (``OCF_ROOT/resource.d/PROVIDER/AGENT``) and
what a missing one is probably a typo of. Looks at files, runs nothing."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from hb_hookspecs import ArgumentError, HostError
from hb_hookspecs.suggest import closest

DEFAULT_ROOT = Path("/usr/lib/ocf")
"""``OCF_ROOT`` unless the environment names another (Debian's resource-agents installs here)."""
MOST_ENTRIES_LOOKED_AT = 4096
"""Entries read per directory for suggestions, so a huge directory cannot stall a check."""
INSTALL_HINT = "install the package that provides it (Debian: apt-get install resource-agents)"


def ocf_root(environment: Mapping[str, str]) -> Path:
    """``OCF_ROOT`` of the agents' environment, else of hb's, else :data:`DEFAULT_ROOT`."""
    return Path(environment.get("OCF_ROOT") or os.environ.get("OCF_ROOT") or DEFAULT_ROOT)


def agent_file(root: Path, provider: str, agent: str) -> Path | None:
    """The executable of ``ocf:provider:agent``, or None when it is not installed."""
    path = root / "resource.d" / provider / agent
    return path if _is_executable_file(path) else None


def providers(root: Path) -> list[str]:
    """The providers installed under ``root``, sorted (``heartbeat``, ``pacemaker``)."""
    directory = root / "resource.d"
    return sorted(name for name in _names(directory) if (directory / name).is_dir())


def agents(root: Path, provider: str) -> list[str]:
    """The agents of ``provider`` (hidden files such as ``.ocf-shellfuncs`` are not)."""
    directory = root / "resource.d" / provider
    return sorted(
        name
        for name in _names(directory)
        if not name.startswith(".") and _is_executable_file(directory / name)
    )


def wrapper_agent(root: Path, agent: str) -> tuple[str, Path] | None:
    """heartbeat's OCF wrapper looks an agent up as ``ls OCF_AGENTS/*/TYPE | head -n 1``: the
    first provider, in name order, that has it. Returns ``(provider, path)``."""
    for provider in providers(root):
        path = agent_file(root, provider, agent)
        if path is not None:
            return provider, path
    return None


def missing(root: Path, provider: str, agent: str) -> ArgumentError | HostError:
    """What to say of ``ocf:provider:agent`` that is not installed here.

    A near miss of an installed provider or agent is a typo in the file (``ArgumentError``);
    otherwise the file may be right for another machine: a fact of this host (``HostError``).
    """
    installed = providers(root)
    if provider not in installed:
        near = closest(provider, installed)
        if near is not None:
            return ArgumentError(f"unknown OCF provider '{provider}'", f"did you mean {near}?")
        listed = ", ".join(installed) or "none"
        return HostError(
            f"OCF provider {provider} is not installed in {root / 'resource.d'} "
            f"(providers: {listed})",
            INSTALL_HINT,
        )
    near = closest(agent, agents(root, provider))
    if near is not None:
        return ArgumentError(
            f"unknown OCF agent ocf:{provider}:{agent}", f"did you mean ocf:{provider}:{near}?"
        )
    return HostError(
        f"OCF agent ocf:{provider}:{agent} is not installed "
        f"(no executable {root / 'resource.d' / provider / agent})",
        INSTALL_HINT,
    )


def missing_wrapper_agent(root: Path, agent: str) -> ArgumentError | HostError:
    """What to say of ``OCF::agent::...`` when no provider has the agent."""
    everywhere = [name for provider in providers(root) for name in agents(root, provider)]
    near = closest(agent, everywhere)
    if near is not None:
        return ArgumentError(f"unknown OCF resource type {agent}", f"did you mean {near}?")
    return HostError(
        f"OCF resource type {agent} is not installed under {root / 'resource.d'}", INSTALL_HINT
    )


def _names(directory: Path) -> list[str]:
    names: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for count, entry in enumerate(entries):
                if count == MOST_ENTRIES_LOOKED_AT:
                    break
                names.append(entry.name)
    except (OSError, ValueError):
        pass
    return names


def _is_executable_file(path: Path) -> bool:
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except (OSError, ValueError):
        return False

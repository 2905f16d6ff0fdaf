"""The two names the agents use from pyroute2, ``AsyncIPRoute`` and ``NetlinkError``, imported
without the rest of pyroute2.

pyroute2's package ``__init__`` imports every part of the library (NDB with sqlite3, IPDB,
conntrack, ethtool, nftables, WireGuard...), and Python runs a package's ``__init__`` before
any of its submodules: ``from pyroute2.iproute.linux import AsyncIPRoute`` costs what
``import pyroute2`` costs, some 9 MB resident, against 3 MB for the parts used here. So when
nothing has imported pyroute2 yet, :func:`import_parts` creates the package module from its
spec without running its ``__init__`` (its submodules import from its ``__path__`` as usual),
and the first attribute asked of the package itself (``from pyroute2 import IPRoute``, by any
code in the process) runs the ``__init__`` then, in place: the package is whole for whoever
needs it whole; a name that is one of its submodules is imported as such, without it.
Nothing is blocked or replaced: the module is pyroute2's own, created by
importlib as an import would create it, only completed later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

PACKAGE = "pyroute2"

_lock = threading.RLock()
_completed: set[str] = set()


class DeferredPackage(types.ModuleType):
    """A package module whose ``__init__`` runs at the first attribute it lacks."""

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes the module lacks: before completion, nearly all of them.
        if not name.startswith("__") and _is_submodule(f"{self.__name__}.{name}"):
            # ``from pyroute2 import config`` (pyroute2's own modules do it) asks for the
            # attribute before importing the submodule: that needs no __init__.
            return importlib.import_module(f"{self.__name__}.{name}")
        # Reentrant: an __init__ that asks its own package for a name it has not defined yet
        # gets an AttributeError, as in any circular import.
        with _lock:
            if self.__name__ not in _completed:
                _completed.add(self.__name__)
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                spec.loader.exec_module(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None


def _is_submodule(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def defer_package() -> None:
    """Put pyroute2's package module, ``__init__`` not run, in ``sys.modules``, unless
    pyroute2 is imported already (or is not installed: the import then says so)."""
    with _lock:
        if PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return
        module = importlib.util.module_from_spec(spec)
        module.__class__ = DeferredPackage
        sys.modules[PACKAGE] = module


def import_parts() -> tuple[Any, Any]:
    """``AsyncIPRoute`` and ``NetlinkError``, importing only the modules they need."""
    defer_package()
    linux = importlib.import_module("pyroute2.iproute.linux")
    exceptions = importlib.import_module("pyroute2.netlink.exceptions")
    return linux.AsyncIPRoute, exceptions.NetlinkError

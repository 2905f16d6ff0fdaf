"""Shared fixtures of the wire tests: the installed auth methods, the captured vectors, and a
spy on the parsers.

The vectors live in the shared spec beside the repository (``../shared/spec/vectors`` from
the repository root, as CI clones it). A missing vector folder fails the tests, never skips.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from hb_hookspecs import AuthMethod
from hbcore.config.authkeys import read_authkeys
from hbcore.config.problems import Severity
from hbcore.plugins import Selection, load_plugins
from hbcore.registry import Owned
from hbcore.wire import Keyring
from parser_spy import ParserCalls

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS = REPO_ROOT.parent / "shared" / "spec" / "vectors"
VECTOR_FOLDERS = {"bcast-crc": 40, "bcast-sha1": 41, "serial-sha1": 181}
"""Each folder of captured packets we replay, and how many packets it holds."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test taking ``vector_path`` once per captured packet.

    A missing folder yields a path that does not exist, so the test fails instead of vanishing.
    """
    if "vector_path" not in metafunc.fixturenames:
        return
    files: list[Path] = []
    for folder in VECTOR_FOLDERS:
        found = sorted((VECTORS / folder).glob("*.bin"))
        files.extend(found or [VECTORS / folder / "missing.bin"])
    metafunc.parametrize("vector_path", files, ids=[f"{p.parent.name}/{p.name}" for p in files])


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The folder of captured packets, one subfolder per capture."""
    return VECTORS


@pytest.fixture(scope="session")
def vector_counts() -> dict[str, int]:
    """How many packets each capture folder must hold."""
    return VECTOR_FOLDERS


@pytest.fixture(scope="session")
def auth_methods() -> Mapping[str, Owned[AuthMethod]]:
    """The auth methods of the installed plugins (crc, md5 and sha1 must be there)."""
    methods = load_plugins(Selection.from_options(None, (), environ={})).registry.auth_methods
    assert {"crc", "md5", "sha1"} <= set(methods), "install the hb-auth-* plugins (make dev)"
    return methods


@pytest.fixture(scope="session")
def vector_keyrings(auth_methods: Mapping[str, Owned[AuthMethod]]) -> dict[str, Keyring]:
    """The keyring of each vector folder, from its authkeys (mode 0444, hence the warning)."""
    return {
        folder: read_authkeys(
            VECTORS / folder / "authkeys", auth_methods, permissions=Severity.WARNING
        ).keyring()
        for folder in VECTOR_FOLDERS
    }


@pytest.fixture(scope="session")
def sha1_keyring(vector_keyrings: dict[str, Keyring]) -> Keyring:
    """``auth 3`` / ``3 sha1 steering-anchor-key``, the key of the sha1 captures."""
    return vector_keyrings["bcast-sha1"]


@pytest.fixture()
def parsers(monkeypatch: pytest.MonkeyPatch) -> ParserCalls:
    """Counts of the per-field parsing done by ``decode`` during the test."""
    calls = ParserCalls()
    calls.install(monkeypatch)
    return calls

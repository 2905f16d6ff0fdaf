"""The runtime interfaces are documented in docs/plugins.md with their docstrings, word for
word, so that the page an author reads is the contract the code states."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from hb_hookspecs import Authenticator, HealthMonitor, Medium, ResourceAgent, ResourceError

PLUGINS_DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
INTERFACES = [ResourceAgent, ResourceError, Medium, Authenticator, HealthMonitor]


def _words(text: str) -> str:
    return " ".join(text.split())


def _documented(cls: type) -> list[tuple[str, str]]:
    """(what, docstring) for the class and each of its public methods."""
    found = [(cls.__name__, inspect.getdoc(cls) or "")]
    for name, member in vars(cls).items():
        if callable(member) and not name.startswith("_") and inspect.getdoc(member):
            found.append((f"{cls.__name__}.{name}", inspect.getdoc(member) or ""))
    return found


@pytest.mark.parametrize("cls", INTERFACES, ids=lambda cls: cls.__name__)
def test_the_interface_is_documented_with_its_docstrings(cls: type) -> None:
    page = _words(PLUGINS_DOC.read_text())
    assert f"class {cls.__name__}" in page
    for what, docstring in _documented(cls):
        assert _words(docstring) in page, f"docs/plugins.md lacks the docstring of {what}"

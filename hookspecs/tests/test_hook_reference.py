"""The hookspecs are the contract: each one documented in its docstring and in docs/hooks.md."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from hb_hookspecs import HbHookSpecs

HOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
HOOK_NAMES = sorted(name for name in vars(HbHookSpecs) if name.startswith("hb_"))


def rendered_signature(name: str) -> str:
    """``hb_x(a: T) -> R`` as docs/hooks.md writes it (no ``self``)."""
    signature = inspect.signature(getattr(HbHookSpecs, name))
    parameters = [
        f"{p.name}: {p.annotation}" for p in signature.parameters.values() if p.name != "self"
    ]
    return f"{name}({', '.join(parameters)}) -> {signature.return_annotation}"


def test_there_are_hooks_for_every_kind_and_event() -> None:
    assert HOOK_NAMES == [
        "hb_cluster_event",
        "hb_link_status_changed",
        "hb_node_status_changed",
        "hb_register_authenticators",
        "hb_register_commands",
        "hb_register_directives",
        "hb_register_health_monitors",
        "hb_register_resource_agents",
        "hb_resolve_resource",
        "hb_resources_acquired",
        "hb_resources_released",
        "hb_statistics_ready",
    ]


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hookspec_docstring_states_its_contract(name: str) -> None:
    doc = inspect.getdoc(getattr(HbHookSpecs, name)) or ""
    for section in ("**When called:**", "**Concurrency:**", "**Result:**"):
        assert section in doc, f"{name} docstring lacks {section}"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hookspec_is_documented_with_its_exact_signature(name: str) -> None:
    assert f"`{rendered_signature(name)}`" in HOOKS_DOC.read_text()


def test_only_resolution_is_firstresult() -> None:
    firstresult = [name for name in HOOK_NAMES if getattr(HbHookSpecs, name).hb_spec["firstresult"]]
    assert firstresult == ["hb_resolve_resource"]

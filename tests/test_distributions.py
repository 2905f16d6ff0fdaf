"""Every plugin is its own distribution: install any subset, and a third party needs only
hb-hookspecs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HB = Path(sys.executable).with_name("hb")


def _hb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HB), *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def _write_third_party_agent(root: Path) -> Path:
    """A resource-agent distribution written the way a third party would, against the
    hookspecs alone."""
    source = root / "hb-ra-example"
    package = source / "src" / "hb_ra_example"
    package.mkdir(parents=True)
    (source / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "hb-ra-example"
            version = "1.2.3"
            dependencies = ["hb-hookspecs"]

            [project.entry-points."hb.plugins"]
            ra-example = "hb_ra_example"

            [tool.hatch.build.targets.wheel]
            packages = ["src/hb_ra_example"]
            """
        )
    )
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from hb_hookspecs import ResourceAgentType, hookimpl


            class ExampleAgent:
                name = "example"

                async def start(self): pass
                async def stop(self): pass
                async def status(self): return False
                def describe(self): return "example agent"


            @hookimpl
            def hb_register_resource_agents(register):
                register(ResourceAgentType(name="example", summary="a third-party agent"))


            @hookimpl
            def hb_resolve_resource(token, context):
                return ExampleAgent() if token == "example" else None
            """
        )
    )
    return source


def test_third_party_agent_built_on_hookspecs_alone_is_listed_selected_and_used(
    tmp_path: Path,
) -> None:
    source = _write_third_party_agent(tmp_path)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        timeout=120,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}

    listed = json.loads(_hb("plugins", "list", "--json", env=env).stdout)
    example = next(p for p in listed if p["name"] == "ra-example")
    assert example["distribution"] == "hb-ra-example"
    assert example["version"] == "1.2.3"
    assert example["status"] == "active"
    assert example["provides"] == ["agent:example"]
    assert sorted(example["hooks"]) == ["hb_register_resource_agents", "hb_resolve_resource"]

    only = json.loads(_hb("plugins", "list", "--json", "--plugins", "ra-example", env=env).stdout)
    assert {p["name"]: p["status"] for p in only}["ra-example"] == "active"
    assert all(p["status"] == "disabled" for p in only if p["name"] != "ra-example")

    off = json.loads(_hb("plugins", "list", "--json", "-p", "no:ra-example", env=env).stdout)
    assert {p["name"]: p["status"] for p in off}["ra-example"] == "disabled"

    resolve = textwrap.dedent(
        """
        from pathlib import Path
        from hb_hookspecs import ResourceContext
        from hbcore.plugins import Selection, load_plugins
        plugins = load_plugins(Selection())
        context = ResourceContext(Path("/etc/ha.d"), (), {})
        print(plugins.resolve_resource("example", context).describe())
        """
    )
    used = subprocess.run(
        [sys.executable, "-c", resolve], capture_output=True, text=True, env=env, check=True
    )
    assert used.stdout.strip() == "example agent"


def test_fresh_venv_with_one_plugin_lists_exactly_that_plugin(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            str(REPO / "hookspecs"),
            str(REPO / "hbcore"),
            str(REPO / "plugins-builtin" / "hb-auth-sha1"),
        ],
        check=True,
        timeout=600,
    )
    listed = subprocess.run(
        [str(venv / "bin" / "hb"), "plugins", "list", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    plugins = json.loads(listed.stdout)
    assert [(p["name"], p["distribution"], p["status"]) for p in plugins] == [
        ("auth-sha1", "hb-auth-sha1", "active")
    ]


def test_listing_plugins_imports_nothing_heavy() -> None:
    probe = textwrap.dedent(
        """
        import sys
        from hbcore.cli.main import cli
        try:
            cli(["plugins", "list"], standalone_mode=False)
        finally:
            heavy = sorted(m for m in ("scapy", "pyroute2", "serial", "asyncio")
                           if m in sys.modules)
            print("HEAVY", heavy, file=sys.stderr)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert "HEAVY []" in run.stderr


def test_version_names_the_plugins() -> None:
    run = _hb("--version")
    assert run.returncode == 0
    assert run.stdout.startswith("hb 0.1.0 (plugins: ")
    assert "auth-sha1 0.1.0" in run.stdout

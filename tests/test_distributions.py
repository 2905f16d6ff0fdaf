"""Every plugin is its own distribution: install any subset, and a third party needs only
hb-hookspecs. A plugin may add commands to ``hb``; the lab is such a plugin, absent from a
node without it."""

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
        from hb_hookspecs import ResourceContext, Settings
        from hbcore.plugins import Selection, load_plugins
        plugins = load_plugins(Selection())
        context = ResourceContext(Settings("linuxha1", Path("/etc/ha.d"), {}), {})
        print(plugins.resolve_resource("example", context).describe())
        """
    )
    used = subprocess.run(
        [sys.executable, "-c", resolve], capture_output=True, text=True, env=env, check=True
    )
    assert used.stdout.strip() == "example agent"


def _write_command_plugin(root: Path) -> Path:
    """A third-party distribution that adds ``hb hello`` (and tries to take ``hb status``).
    Its command module refuses to be imported while ``HB_EXAMPLE_NO_IMPORT`` is set."""
    source = root / "hb-cmd-example"
    package = source / "src" / "hb_cmd_example"
    package.mkdir(parents=True)
    (source / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "hb-cmd-example"
            version = "0.2.0"
            dependencies = ["hb-hookspecs", "click"]

            [project.entry-points."hb.plugins"]
            cmd-example = "hb_cmd_example"

            [tool.hatch.build.targets.wheel]
            packages = ["src/hb_cmd_example"]
            """
        )
    )
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from hb_hookspecs import CliCommand, hookimpl


            @hookimpl
            def hb_register_commands(register):
                register(CliCommand("hello", "hb_cmd_example.cli:hello", "Greet the cluster."))
                register(CliCommand("status", "hb_cmd_example.cli:hello", "Not hb's status."))
            """
        )
    )
    (package / "cli.py").write_text(
        textwrap.dedent(
            """
            import os

            import click

            if os.environ.get("HB_EXAMPLE_NO_IMPORT"):
                raise ImportError("hb_cmd_example.cli imported")


            @click.command("hello")
            @click.option("--name", default="cluster")
            def hello(name):
                "Greet the cluster."
                click.echo(f"hello {name}")
            """
        )
    )
    return source


def test_a_plugin_adds_a_command_listed_unimported_run_on_demand_and_deselectable(
    tmp_path: Path,
) -> None:
    source = _write_command_plugin(tmp_path)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        check=True, timeout=120,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    unimportable = {**env, "HB_EXAMPLE_NO_IMPORT": "1"}

    helped = _hb("--help", env=unimportable)
    assert helped.returncode == 0, helped.stderr
    assert "  hello     Greet the cluster.\n" in helped.stdout
    assert "hb: plugin cmd-example: command 'status' ignored, hbcore has it" in helped.stderr

    assert _hb("hello", "--name", "linuxha1", env=env).stdout == "hello linuxha1\n"
    broken = _hb("hello", env=unimportable)
    assert broken.returncode == 1
    assert "plugin cmd-example: command 'hello' cannot be loaded from hb_cmd_example.cli:hello" in (
        broken.stderr
    )

    status = _hb("status", env=unimportable)  # hb's own: no plugin is even loaded
    assert "Heartbeat is stopped on this machine." in status.stdout + status.stderr
    assert "cmd-example" not in status.stderr

    for deselect in (("-p", "no:cmd-example"), ("--plugins", "auth-sha1")):
        gone = _hb(*deselect, "hello", env=env)
        assert gone.returncode == 2
        assert "No such command 'hello'" in gone.stderr
        assert "hello" not in _hb(*deselect, "--help", env=unimportable).stdout


def test_the_lab_is_a_plugin_that_adds_hb_lab_and_hb_demo() -> None:
    listed = json.loads(_hb("plugins", "list", "--json").stdout)
    lab = next(p for p in listed if p["name"] == "lab")
    assert (lab["distribution"], lab["status"]) == ("hb-lab", "active")
    assert lab["hooks"] == ["hb_register_commands"]
    helped = _hb("--help").stdout
    assert "  demo      Fail a two-node cluster over and back" in helped
    assert "  lab       Run cluster nodes in network namespaces" in helped
    assert "Usage: hb lab [OPTIONS] COMMAND" in _hb("lab", "--help").stdout

    off = json.loads(_hb("-p", "no:lab", "plugins", "list", "--json").stdout)
    assert {p["name"]: p["status"] for p in off}["lab"] == "disabled"
    for command in ("lab", "demo"):
        gone = _hb("-p", "no:lab", command, "--help")
        assert (gone.returncode, gone.stderr.splitlines()[-1]) == (
            2,
            f"Error: No such command '{command}'.",
        )
    assert " lab " not in _hb("-p", "no:lab", "--help").stdout


def test_hbs_own_commands_load_no_plugin_and_help_imports_no_plugin_command() -> None:
    probe = textwrap.dedent(
        """
        import sys
        from hbcore.cli.main import cli
        for argv in (["wire", "--help"], ["--help"]):
            try:
                cli(argv, standalone_mode=False)
            finally:
                plugins = sorted(m for m in sys.modules if m.startswith("hb_")
                                 and m.split(".")[0] != "hb_hookspecs")
                print(argv[0], plugins, file=sys.stderr)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    wire, helped = run.stderr.splitlines()[-2:]
    assert wire == "wire []"
    assert "'hb_lab'" in helped and "hb_lab.cli" not in helped


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

    # A production node: no lab, so no hb lab and no hb demo.
    hb = str(venv / "bin" / "hb")
    assert " lab " not in _run([hb, "plugins", "list"]).stdout
    assert " lab " not in _run([hb, "--help"]).stdout
    missing = _run([hb, "lab", "up"])
    assert (missing.returncode, missing.stderr.splitlines()[-1]) == (
        2,
        "Error: No such command 'lab'.",
    )
    # Installing hb-lab adds them.
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps",
         str(REPO / "plugins-contrib" / "hb-lab")],
        check=True, timeout=600,
    )  # fmt: skip
    listed_now = json.loads(_run([hb, "plugins", "list", "--json"]).stdout)
    assert [(p["name"], p["distribution"]) for p in listed_now] == [
        ("auth-sha1", "hb-auth-sha1"),
        ("lab", "hb-lab"),
    ]
    assert "Usage: hb lab [OPTIONS] COMMAND" in _run([hb, "lab", "--help"]).stdout
    assert "Usage: hb demo [OPTIONS]" in _run([hb, "demo", "--help"]).stdout


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)


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

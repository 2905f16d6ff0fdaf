"""Integration test: the distributions install by name into empty virtual environments, offline.

The wheels are built from this checkout (.ci/dist.py, as `make dist` does); the third-party
wheels they need come from the wheelhouse `make dev` fills (.venv/wheelhouse). pip runs with
``--no-index`` and no configuration file, so nothing is fetched from the network: what installs
here installs the same way from dist/ or a private index. Each environment is created without
pip and installed into by this venv's pip (``pip --python``), which keeps the three of them to a
few seconds each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
sys.path.insert(0, str(ROOT / ".ci"))
import dist  # noqa: E402  (.ci/dist.py: the build `make dist` runs)

VERSION = tomllib.loads((ROOT / "hbcore" / "pyproject.toml").read_text())["project"]["version"]
# What the tests install: the core, the built-ins, the umbrella, and the lab (built, so that its
# absence from a node means nothing pulled it in, not that pip could not find it).
BUILT = [
    ROOT / "hookspecs",
    ROOT / "hbcore",
    *sorted(ROOT.glob("plugins-builtin/hb-*")),
    ROOT / "plugins-contrib" / "hb-lab",
]
DEFAULT_SET = [
    "auth-crc",
    "auth-md5",
    "auth-sha1",
    "media-bcast",
    "media-mcast",
    "media-ucast",
    "ra-ipaddr",
    "ra-script",
]
EXTRAS = ["media-serial", "monitor-ping", "monitor-watchdog"]

pytestmark = pytest.mark.dist


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory of this checkout's wheels."""
    if not WHEELHOUSE.is_dir():
        pytest.fail(f"no wheelhouse at {WHEELHOUSE}: `make dev` fills it with third-party wheels")
    outdir = tmp_path_factory.mktemp("dist")
    for member in BUILT:
        dist.build(member, outdir, wheels_only=True)
    yield outdir


class Venv:
    """An empty virtual environment that pip fills from the wheels and the wheelhouse only."""

    def __init__(self, path: Path, wheels: Path) -> None:
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=60
        )
        self.path = path
        self.wheels = wheels

    def install(self, *requirements: str) -> None:
        environ = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
        environ.pop("PIP_FIND_LINKS", None)
        environ.pop("PIP_INDEX_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.path / "bin" / "python"),
             "install", "--quiet", "--disable-pip-version-check", "--no-index",
             "--find-links", str(self.wheels), "--find-links", str(WHEELHOUSE), *requirements],
            capture_output=True, text=True, env=environ, check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    def hb(self, *args: str) -> subprocess.CompletedProcess[str]:
        environ = {
            key: value
            for key, value in os.environ.items()
            if key not in {"HB_PLUGINS", "HB_DISABLE_PLUGINS", "PYTHONPATH"}
        }
        return subprocess.run(
            [str(self.path / "bin" / "hb"), *args],
            capture_output=True, text=True, env=environ, check=False, timeout=60,
        )  # fmt: skip

    def plugins(self) -> dict[str, tuple[str, str, str]]:
        listed = self.hb("plugins", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        return {
            plugin["name"]: (plugin["distribution"], plugin["version"], plugin["status"])
            for plugin in json.loads(listed.stdout)
        }


def _config(directory: Path, *lines: str) -> Path:
    """A two-node configuration whose ha.cf holds ``lines``, signed with crc."""
    directory.mkdir()
    (directory / "ha.cf").write_text("node linuxha1\nnode linuxha2\nauto_failback on\n")
    with (directory / "ha.cf").open("a") as ha_cf:
        ha_cf.writelines(f"{line}\n" for line in lines)
    (directory / "haresources").write_text("")
    (directory / "authkeys").write_text("auth 1\n1 crc\n")
    (directory / "authkeys").chmod(0o600)
    return directory


def _check(venv: Venv, config: Path) -> dict[str, object]:
    checked = venv.hb("check", "--json", "--node-name", "linuxha1", "-c", str(config))
    verdict: dict[str, object] = json.loads(checked.stdout)
    return verdict


def test_one_plugin_by_name_gives_a_working_hb_with_that_plugin_and_no_lab(
    wheels: Path, tmp_path: Path
) -> None:
    node = Venv(tmp_path / "venv", wheels)
    node.install("hb-media-serial")

    version = node.hb("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"hb {VERSION} (plugins: media-serial {VERSION})\n"
    assert node.plugins() == {"media-serial": ("hb-media-serial", VERSION, "active")}

    # The serial line is the plugin's: the only error left is the missing authkeys method.
    config = _config(tmp_path / "ha.d", "serial /dev/ttyS0", "baud 19200")
    verdict = _check(node, config)
    assert "media:    serial /dev/ttyS0 (udpport 694)" in verdict["cluster"]  # type: ignore[operator]
    errors = [p for p in verdict["problems"] if p["severity"] == "error"]  # type: ignore[attr-defined]
    assert [(e["file"], e["message"]) for e in errors] == [("authkeys", "Invalid authtype [crc]")]
    assert "pip install hb-auth-crc" in errors[0]["fix"]

    # A production node: no lab. Installing hb-lab by name adds hb lab and hb demo.
    assert " lab " not in node.hb("--help").stdout
    assert node.hb("lab", "up").stderr.splitlines()[-1] == "Error: No such command 'lab'."
    node.install("hb-lab")
    assert node.plugins()["lab"] == ("hb-lab", VERSION, "active")
    assert "Usage: hb demo [OPTIONS]" in node.hb("demo", "--help").stdout


def test_the_umbrella_installs_heartbeats_default_set_and_its_extras(
    wheels: Path, tmp_path: Path
) -> None:
    default = Venv(tmp_path / "default", wheels)
    default.install("hb-cluster")
    assert default.plugins() == {name: (f"hb-{name}", VERSION, "active") for name in DEFAULT_SET}

    every = Venv(tmp_path / "all", wheels)
    every.install("hb-cluster[all]")
    plugins = every.plugins()
    assert plugins == {name: (f"hb-{name}", VERSION, "active") for name in DEFAULT_SET + EXTRAS}
    assert "lab" not in plugins

    config = _config(tmp_path / "ha.d", "bcast lo", "serial /dev/ttyS0", "ping 127.0.0.1")
    verdict = _check(every, config)
    assert verdict["passed"] is True, verdict["problems"]


def test_plugins_list_requirements_rebuild_the_node_in_an_empty_environment(
    wheels: Path, tmp_path: Path
) -> None:
    original = Venv(tmp_path / "original", wheels)
    original.install("hb-cluster[serial,ping]")
    requirements = original.hb("plugins", "list", "--requirements")
    assert requirements.returncode == 0, requirements.stderr
    lines = requirements.stdout.splitlines()
    assert lines[0] == f"hbcore=={VERSION}"
    assert "hb-cluster" not in requirements.stdout  # the plugins themselves, not the umbrella

    (tmp_path / "requirements.txt").write_text(requirements.stdout)
    copy = Venv(tmp_path / "copy", wheels)
    copy.install("--requirement", str(tmp_path / "requirements.txt"))
    assert copy.plugins() == original.plugins()
    assert copy.hb("--version").stdout == original.hb("--version").stdout
    assert copy.hb("plugins", "list", "--requirements").stdout == requirements.stdout

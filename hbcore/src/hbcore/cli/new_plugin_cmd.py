"""``hb new-plugin NAME --kind ra|media|auth|monitor``: write a new plugin distribution.

The distribution has the shape of every one in the workspace (``hb-<kind>-<name>/`` with
``pyproject.toml``, ``README.md``, ``src/hb_<kind>_<name>/`` and ``tests/``); its plugin works
as written and its tests, hb's contract tests, pass before the author changes a line. The
templates are in ``new_plugin_templates/``: ``common/`` for every kind, one folder per kind.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

KINDS = {
    "ra": (
        "the $name resource agent (haresources token $name::/path)",
        "linuxha1 192.168.85.3 $name::/run/$name.held",
    ),
    "media": ("the $name heartbeat path (ha.cf: $name IFACE PEER)", "$name eth1 10.0.0.2"),
    "auth": ("the $name authkeys method (HMAC-SHA256)", "auth 1\n1 $name SECRET"),
    "monitor": ("the $name health monitor (ha.cf: $name /path)", "$name /run/uplink.ok"),
}
"""Each kind: what the plugin provides, and the configuration line that uses it."""

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Names:
    """Every spelling of a new plugin's name."""

    kind: str
    name: str
    """As written in configuration: ``myservice``."""

    @property
    def dist(self) -> str:
        return f"hb-{self.kind}-{self.name}"

    @property
    def entry(self) -> str:
        return f"{self.kind}-{self.name}"

    @property
    def identifier(self) -> str:
        return self.name.replace("-", "_")

    @property
    def package(self) -> str:
        return f"hb_{self.kind}_{self.identifier}"

    @property
    def cls(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("-"))


def render(names: Names) -> dict[str, str]:
    """The files of the new distribution, by path relative to its folder."""
    from hb_hookspecs import CONTRACT_VERSION

    summary, usage = KINDS[names.kind]
    values = {
        "dist": names.dist,
        "entry": names.entry,
        "package": names.package,
        "name": names.name,
        "identifier": names.identifier,
        "upper": names.identifier.upper(),
        "cls": names.cls,
        "contract": repr(CONTRACT_VERSION),
        "hookspecs_version": _version("hb-hookspecs"),
        "hbcore_version": _version("hbcore"),
    }
    values["summary"] = string.Template(summary).substitute(values)
    values["usage"] = string.Template(usage).substitute(values)
    templates = resources.files("hbcore.cli").joinpath("new_plugin_templates")
    files: dict[str, str] = {}
    for folder, target in (("common", ""), (names.kind, f"src/{names.package}/")):
        for template in sorted(templates.joinpath(folder).iterdir(), key=lambda t: t.name):
            name = template.name.removesuffix(".tmpl")
            path = f"tests/test_{names.package}.py" if name == "test.py" else target + name
            files[path] = string.Template(template.read_text(encoding="utf-8")).substitute(values)
    return files


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.1.0"


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(sorted(KINDS)),
    required=True,
    help="ra: resource agent; media: heartbeat path; auth: authkeys method; monitor: health "
    "monitor.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the distribution's folder.",
)
def new_plugin(name: str, kind: str, directory: Path) -> None:
    """Write a new plugin distribution, hb-KIND-NAME, ready to test and build.

    NAME is what configuration will say (lowercase letters, digits and hyphens): the agent's
    token prefix (NAME::...), the ha.cf directive of a medium or a monitor, the authkeys method.
    The plugin works as written, and its tests (hb's contract tests, from hbcore's pytest
    plugin) pass; change the implementation module, then the tests. Refuses to write into a
    folder that exists.
    """
    if not _NAME.match(name):
        raise click.BadParameter(
            f"'{name}' is not lowercase letters, digits and hyphens (e.g. myservice)",
            param_hint="NAME",
        )
    names = Names(kind, name)
    root = directory / names.dist
    if root.exists():
        raise click.ClickException(f"{root} exists: choose another NAME or --dir")
    for path, text in render(names).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {root}/ (entry point {names.entry} = {names.package})")
    click.echo(f"next: cd {root} && pip install -e '.[test]' && pytest")

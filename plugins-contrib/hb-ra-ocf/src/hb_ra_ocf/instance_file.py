"""heartbeat's OCF instance files: ``CONFIG_DIR/conf/OCF/TYPE/INSTANCE``, read for an
``OCF::TYPE::INSTANCE`` token.

heartbeat's wrapper (``resource.d/OCF``) sources the file in sh and exports every name it
assigns (lines holding ``=``, after ``#`` comments and leading blanks are removed). hb reads
the same lines without a shell: ``NAME=value`` with sh quoting (``'a b'``, ``"a b"``,
``a\\ b``) and an optional ``export``. ``OCF_RESKEY_name`` lines are the agent's parameters,
other names are exported as they are. A value using an expansion (``$VAR``, a backquote) is
refused: hb would not give it the value sh would.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ArgumentError, HostError

PARAMETER_PREFIX = "OCF_RESKEY_"
SIZE_LIMIT = 64 * 1024
"""An instance file larger than this is refused rather than read."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPANSION = re.compile(r"[$`]")


@dataclass(frozen=True)
class InstanceSettings:
    """What an instance file sets."""

    path: Path
    parameters: tuple[tuple[str, str], ...]
    """``(name, value)`` of the ``OCF_RESKEY_name`` lines, ``OCF_RESKEY_`` removed."""
    environment: tuple[tuple[str, str], ...]
    """Every other assignment, exported as it is."""


def instance_path(config_dir: Path, agent: str, instance: str) -> Path:
    """Where heartbeat's wrapper reads the instance: ``CONFIG_DIR/conf/OCF/TYPE/INSTANCE``."""
    return config_dir / "conf" / "OCF" / agent / instance


def read_instance(path: Path) -> InstanceSettings:
    """The settings of the instance file ``path``.

    Raises ``HostError`` when it does not exist or cannot be read, ``ArgumentError`` (naming
    the file and line) for a line hb cannot read as heartbeat would.
    """
    try:
        with path.open("rb") as file:
            data = file.read(SIZE_LIMIT + 1)
    except FileNotFoundError:
        raise HostError(
            f"OCF instance file {path} does not exist",
            "create it: one NAME=value line per parameter (OCF_RESKEY_ip=10.0.0.1), as "
            "heartbeat's OCF wrapper reads it",
        ) from None
    except (OSError, ValueError) as error:
        raise HostError(
            f"cannot read OCF instance file {path}: {error}", "fix its permissions"
        ) from None
    if len(data) > SIZE_LIMIT:
        raise ArgumentError(
            f"OCF instance file {path} is larger than {SIZE_LIMIT} bytes", "trim it"
        )
    return parse_instance(path, data.decode("utf-8", "surrogateescape"))


def parse_instance(path: Path, text: str) -> InstanceSettings:
    """The settings of an instance file's ``text``; ``path`` is for messages."""
    parameters: dict[str, str] = {}
    environment: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        where = f"{path}:{number}"
        name, _, value = line.removeprefix("export ").lstrip().partition("=")
        if not _NAME.fullmatch(name):
            raise ArgumentError(
                f"{where}: '{name}' is not a variable name",
                "write NAME=value, e.g. OCF_RESKEY_ip=10.0.0.1",
            )
        word = _value(where, value)
        if name.startswith(PARAMETER_PREFIX) and len(name) > len(PARAMETER_PREFIX):
            parameters[name.removeprefix(PARAMETER_PREFIX)] = word
        else:
            environment[name] = word
    return InstanceSettings(path, tuple(parameters.items()), tuple(environment.items()))


def _value(where: str, value: str) -> str:
    if _EXPANSION.search(value) or "\0" in value:
        raise ArgumentError(
            f"{where}: the value {value!r} uses a shell expansion or a NUL byte",
            "write the value itself: hb reads instance files without a shell",
        )
    try:
        words = shlex.split(value)
    except ValueError as error:
        raise ArgumentError(f"{where}: {error}", "close the quote") from None
    if len(words) > 1:
        raise ArgumentError(
            f"{where}: the value {value!r} is several words", "quote it: NAME='several words'"
        )
    return words[0] if words else ""

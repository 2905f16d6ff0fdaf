"""``authkeys``: which key signs outgoing packets, and every key accepted on incoming ones.

The rules are heartbeat 3.0.6's (``parse_authfile``), including its quirks:

- Blank lines and lines starting with ``#`` (after leading blanks) are ignored.
- A line starting with ``a`` must read ``auth N`` (``sscanf "auth %d"``); it names the
  outbound key.
- Any other line is ``N METHOD [KEY]`` (``sscanf "%d%s%s"``): N from 0 to 15, METHOD a loaded
  auth method, KEY the token up to the first blank. A method that forbids a key (crc) must
  have none; one that requires a key (md5, sha1) must have one.
- The outbound key is bound when a key line with the index of the most recent ``auth N`` is
  read, so ``auth N`` must come before line N. A later ``auth M`` with no line M after it does
  not unbind it (we warn).
- A second line for an index replaces the first (we warn).
- The file must not be readable by group or others (S_IRGRP|S_IROTH); only those two bits are
  checked. heartbeat accepts a file writable by group or others (0620, 0602): we warn, since
  whoever can write it can replace the keys.
- A NUL byte ends a line for heartbeat (fgets, then C strings), so a key would silently lose its
  end: an error. A key index of more digits than an int holds is refused before conversion.

Every problem is collected, then raised together as one ``ConfigError``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from hb_hookspecs import AuthMethod, KeyRule

from hbcore.config.problems import (
    NUL_FIX,
    NUL_IN_LINE,
    ConfigError,
    Located,
    Location,
    Problem,
    Severity,
)
from hbcore.registry import Owned
from hbcore.wire.keyring import Keyring

MAXAUTH = 16
"""Key indexes run from 0 to MAXAUTH - 1."""

MAX_LINE = 5118
"""The longest line heartbeat reads whole (its buffer is 5120 bytes: line, newline, NUL)."""

MAX_INDEX_DIGITS = 10
"""Significant digits of the largest C int: a longer index is out of range unconverted."""

BUILTIN_METHODS = ("crc", "md5", "sha1")
"""Methods hb ships as plugins, each in the distribution ``hb-auth-<method>``."""

# sscanf "auth %d": the literal, any blanks, a signed integer; the rest of the line is ignored.
_AUTH_LINE = re.compile(rb"auth\s*([+-]?\d++)")
# sscanf "%d%s%s": an integer, then one or two blank-free tokens (no backtracking, like sscanf).
_KEY_LINE = re.compile(rb"([+-]?\d++)\s*(\S+)(?:\s+(\S+))?\s*(.*)")


@dataclass(frozen=True)
class AuthKey:
    """One key line: ``3 sha1 secret``."""

    index: int
    method: Owned[AuthMethod]
    key: bytes = field(repr=False)
    """The key text as bytes (empty for a method without a key). Never shown in a repr."""


@dataclass(frozen=True)
class AuthKeys:
    """A valid authkeys file.

    ``outbound`` is the index of the key that signs outgoing packets, located at its ``auth``
    line; ``keys`` holds every configured key by index, each located at its line (the last
    line wins for a repeated index). ``warnings`` are the problems that did not stop it.
    """

    outbound: Located[int]
    keys: Mapping[int, Located[AuthKey]]
    warnings: tuple[Problem, ...] = ()

    def keyring(self) -> Keyring:
        """The keyring the wire codec signs and verifies with."""
        return Keyring(
            self.outbound.value,
            {
                index: (located.value.method.item, located.value.key)
                for index, located in self.keys.items()
            },
        )


def read_authkeys(
    path: Path,
    auth_methods: Mapping[str, Owned[AuthMethod]],
    display_name: str | None = None,
    permissions: Severity = Severity.ERROR,
) -> AuthKeys:
    """Read and check the authkeys file at ``path``.

    ``auth_methods`` is the registry's methods by name; problems are located in
    ``display_name`` (default: ``path``). A file readable by group or others is a problem of
    severity ``permissions``: an error for a node, as in heartbeat; a tool reading someone
    else's capture may pass ``Severity.WARNING``.

    Raises ``ConfigError`` with every problem when the file cannot be opened or has an error.
    """
    name = display_name if display_name is not None else str(path)
    try:
        with path.open("rb") as keyfile:
            mode = os.fstat(keyfile.fileno()).st_mode
            data = keyfile.read()
    except OSError as error:
        raise ConfigError(
            [
                Problem(
                    Location(name),
                    f"Cannot open keyfile [{path}]: {error.strerror}",
                    "create it with the lines `auth 1` and `1 sha1 <secret>`, mode 600"
                    if isinstance(error, FileNotFoundError)
                    else "make it a file that the user running hb (root) can read",
                )
            ]
        ) from None
    return _checked(data, auth_methods, name, _mode_problems(mode, path, name, permissions))


def _mode_problems(mode: int, path: Path, name: str, readable: Severity) -> list[Problem]:
    """heartbeat's refusal of a keyfile others can read (severity ``readable``), else our
    warning for one others can write."""
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return [
            Problem(
                Location(name),
                f"Bad permissions on keyfile [{path}], 600 recommended",
                f"chmod 600 {path}",
                readable,
            )
        ]
    writers = [
        who for who, bit in (("group", stat.S_IWGRP), ("others", stat.S_IWOTH)) if mode & bit
    ]
    if writers:
        return [
            Problem(
                Location(name),
                f"keyfile [{path}] is writable by {' and '.join(writers)} (mode "
                f"{stat.S_IMODE(mode):04o}): heartbeat accepts it, but whoever can write it "
                "can replace the cluster's keys",
                f"chmod 600 {path}",
                Severity.WARNING,
            )
        ]
    return []


def parse_authkeys(
    text: str | bytes,
    auth_methods: Mapping[str, Owned[AuthMethod]],
    display_name: str = "authkeys",
) -> AuthKeys:
    """Check the content of an authkeys file (no permission check: there is no file).

    A ``str`` is taken as the file's bytes decoded with UTF-8 and surrogateescape. Raises
    ``ConfigError`` with every problem when there is an error.
    """
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return _checked(data, auth_methods, display_name, [])


def _checked(
    data: bytes,
    auth_methods: Mapping[str, Owned[AuthMethod]],
    name: str,
    problems: list[Problem],
) -> AuthKeys:
    parser = _Parser(auth_methods, name, problems)
    for number, line in enumerate(data.split(b"\n"), start=1):
        parser.line(number, line)
    outbound = parser.finish()
    ordered = sorted(problems, key=lambda problem: problem.location)
    if outbound is None or any(problem.severity is Severity.ERROR for problem in ordered):
        raise ConfigError(ordered)
    return AuthKeys(outbound, MappingProxyType(dict(parser.keys)), tuple(ordered))


class _Parser:
    """heartbeat's line-by-line state: the latest ``auth N`` and the bound outbound key."""

    def __init__(
        self,
        auth_methods: Mapping[str, Owned[AuthMethod]],
        name: str,
        problems: list[Problem],
    ) -> None:
        self.methods = auth_methods
        self.name = name
        self.problems = problems
        self.keys: dict[int, Located[AuthKey]] = {}
        self.auth: Located[int] | None = None
        self.bound: Located[int] | None = None
        """The outbound key index, located at the ``auth`` line that selected it."""
        self.bad_line_for_auth = False
        """A line with the index of the latest ``auth N`` was refused (already reported)."""

    def problem(
        self, number: int, text: str, fix: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.problems.append(Problem(Location(self.name, number), text, fix, severity))

    def line(self, number: int, raw: bytes) -> None:
        if len(raw) > MAX_LINE:
            self.problem(
                number,
                f"line of {len(raw)} bytes is longer than heartbeat reads ({MAX_LINE})",
                "shorten it: heartbeat would read the rest as another line",
            )
        text = raw.lstrip()
        if not text or text.startswith(b"#"):
            return
        if b"\0" in text:
            self.problem(number, NUL_IN_LINE, NUL_FIX)
            return
        if text.startswith(b"a"):
            self.auth_line(number, text)
        else:
            self.key_line(number, text)

    def auth_line(self, number: int, text: bytes) -> None:
        match = _AUTH_LINE.match(text)
        if match is None:
            self.problem(
                number,
                f"Invalid auth line [{_show(text)}]",
                "write `auth N`, N the index of the key that signs outgoing packets",
            )
            return
        index = _index(match[1])
        if index is None:
            self.problem(
                number,
                f"Invalid auth line [{_show(text)}]: the key index is out of range",
                f"write `auth N` with N from 0 to {MAXAUTH - 1}",
            )
            return
        self.auth = Located(index, Location(self.name, number))
        self.bad_line_for_auth = False

    def key_line(self, number: int, text: bytes) -> None:
        match = _KEY_LINE.match(text)
        if match is None:
            self.problem(
                number,
                f"Auth line [{_show(text)}] is invalid",
                "write a key line as `N METHOD [KEY]` (`1 sha1 SomeSecret`), a comment with #",
            )
            return
        index = _index(match[1])
        if index is None:
            self.problem(
                number,
                f"Invalid authnum [{_show(match[1])}]",
                f"use a key index from 0 to {MAXAUTH - 1}",
            )
            return
        method_name = match[2].decode("utf-8", "backslashreplace")
        key = match[3] or b""
        selecting = self.auth if self.auth is not None and self.auth.value == index else None
        if not self.key_is_valid(number, index, method_name, key):
            self.bad_line_for_auth |= selecting is not None
            return
        if match[4]:
            self.problem(
                number,
                f"only `{_show(key)}` is the key: heartbeat ignores `{_show(match[4])}` "
                "after the first blank",
                "remove the blanks from the key, on every node",
                Severity.WARNING,
            )
        if index in self.keys:
            self.problem(
                number,
                f"key {index} was already defined on line {self.keys[index].location.line}; "
                "this line replaces it",
                "keep one line per key index",
                Severity.WARNING,
            )
        location = Location(self.name, number)
        method = self.methods[method_name]
        self.keys[index] = Located(AuthKey(index, method, key), location)
        if selecting is not None:
            self.bound = Located(index, selecting.location)

    def key_is_valid(self, number: int, index: int, method_name: str, key: bytes) -> bool:
        if not 0 <= index < MAXAUTH:
            self.problem(
                number, f"Invalid authnum [{index}]", f"use a key index from 0 to {MAXAUTH - 1}"
            )
            return False
        owned = self.methods.get(method_name)
        if owned is None:
            self.problem(number, f"Invalid authtype [{method_name}]", self.install_fix(method_name))
            return False
        if key and owned.item.key is KeyRule.FORBIDDEN:
            self.problem(
                number,
                f"Auth method [{method_name}] doesn't use a key",
                f"remove the key: `{index} {method_name}`",
            )
            return False
        if not key and owned.item.key is KeyRule.REQUIRED:
            self.problem(
                number,
                f"Auth method [{method_name}] requires a key",
                f"add the shared secret: `{index} {method_name} <secret>`",
            )
            return False
        return True

    def install_fix(self, method_name: str) -> str:
        if method_name in BUILTIN_METHODS:
            dist = f"hb-auth-{method_name}"
            return f"install its plugin: pip install {dist} (from source: ./plugins-builtin/{dist})"
        loaded = ", ".join(sorted(self.methods)) or "none"
        return f"use a loaded method ({loaded}) or install the plugin that provides it"

    def finish(self) -> Located[int] | None:
        """The outbound key, after reporting why there is none (or why it is surprising)."""
        if self.auth is None:
            self.problems.append(
                Problem(
                    Location(self.name),
                    "Missing auth directive in keyfile",
                    "add `auth N` before the key line N that signs outgoing packets",
                )
            )
            return None
        if self.bound is None:
            if not self.bad_line_for_auth:
                index = self.auth.value
                self.problems.append(
                    Problem(
                        self.auth.location,
                        f"Auth Key [{index}] not found in keyfile",
                        f"add a key line `{index} METHOD [KEY]` after `auth {index}`"
                        if 0 <= index < MAXAUTH
                        else f"point `auth` at a key index from 0 to {MAXAUTH - 1}",
                    )
                )
            return None
        if self.bound.value != self.auth.value:
            self.problem(
                self.auth.location.line,
                f"`auth {self.auth.value}` has no key line after it and is ignored: "
                f"key {self.bound.value} still signs outgoing packets",
                f"add the key line {self.auth.value} after it, or remove it",
                Severity.WARNING,
            )
        return self.bound


def _index(digits: bytes) -> int | None:
    """sscanf's ``%d`` of ``digits``; None when it has more digits than an int can hold."""
    if len(digits.lstrip(b"+-").lstrip(b"0")) > MAX_INDEX_DIGITS:
        return None
    return int(digits)


def _show(text: bytes) -> str:
    shown = text.rstrip().decode("utf-8", "backslashreplace")
    return shown if len(shown) <= 40 else shown[:40] + "..."

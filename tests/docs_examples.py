"""The shell examples of the documentation, as tests/test_docs_examples.py runs them.

A fenced ``sh`` (or ``shell``, ``bash``) block is marked by an HTML comment on the line just
before its opening fence:

- ``<!-- runnable -->``: run it; it must exit 0. ``<!-- runnable: exit N -->``: it must exit N.
- ``<!-- not runnable: REASON -->``: left alone, for the reason given (root, a running cluster,
  the network, a synopsis ...).

A runnable block may be followed (blank lines between are allowed) by a fenced ``text`` block:
the output it must print, standard output and standard error together as a terminal shows
them. A line ``...`` stands for any number of lines (none included); ``...`` inside a line
stands for any text on that line. Trailing spaces are ignored. See docs/plugins.md, "Examples
that run".
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SHELL_LANGUAGES = frozenset({"sh", "shell", "bash"})
ELLIPSIS = "..."
TIMEOUT_S = 60

_FENCE = re.compile(r"^\s*(?P<fence>```+|~~~+)\s*(?P<language>[\w+-]*)")
_MARKER = re.compile(r"^<!--\s*(?P<body>(?:not )?runnable\b.*?)\s*-->\s*$")
_RUNNABLE = re.compile(r"^runnable(?::\s*exit\s+(?P<status>\d+))?$")
_NOT_RUNNABLE = re.compile(r"^not runnable:\s*(?P<reason>\S.*)$")


class MarkerError(ValueError):
    """A marker comment that is not one of the three forms; the message has FILE:LINE."""


@dataclass(frozen=True)
class Block:
    """One fenced code block: its language, text and where it starts."""

    line: int
    """The line number of the opening fence (from 1)."""
    language: str
    text: str
    marker: str | None
    """The marker comment's body on the line before the fence, if any."""


@dataclass(frozen=True)
class Example:
    """One shell block of a document, with what the marker asks of it."""

    where: str
    """``FILE:LINE`` of its opening fence."""
    script: str
    runnable: bool
    reason: str | None
    """Why it does not run (``not runnable: REASON``); None when unmarked or runnable."""
    exit_status: int = 0
    expected: str | None = None
    """The output it must print, if the document shows one."""

    @property
    def marked(self) -> bool:
        return self.runnable or self.reason is not None


def blocks(text: str) -> list[Block]:
    """Every fenced code block of a Markdown text, in order (an unclosed fence runs to the end)."""
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening["fence"]
        end = index + 1
        while end < len(lines) and not lines[end].lstrip().startswith(fence):
            end += 1
        previous = lines[index - 1].strip() if index > 0 else ""
        marker = _MARKER.match(previous)
        found.append(
            Block(
                line=index + 1,
                language=opening["language"],
                text=textwrap.dedent("".join(f"{line}\n" for line in lines[index + 1 : end])),
                marker=marker["body"] if marker else None,
            )
        )
        index = end + 1
    return found


def examples(text: str, name: str) -> list[Example]:
    """The shell examples of a document called ``name``, each with its expected output.

    Raises :class:`MarkerError` for a marker of another form, on a block that is not a shell
    block, or a runnable block whose output block is not ``text``.
    """
    all_blocks = blocks(text)
    lines = text.splitlines()
    found: list[Example] = []
    for position, block in enumerate(all_blocks):
        where = f"{name}:{block.line}"
        if block.language not in SHELL_LANGUAGES:
            if block.marker is not None:
                raise MarkerError(f"{where}: a marker on a {block.language or 'plain'} block")
            continue
        if block.marker is None:
            found.append(Example(where, block.text, runnable=False, reason=None))
            continue
        not_runnable = _NOT_RUNNABLE.match(block.marker)
        if not_runnable is not None:
            found.append(Example(where, block.text, False, not_runnable["reason"]))
            continue
        runnable = _RUNNABLE.match(block.marker)
        if runnable is None:
            raise MarkerError(
                f"{where}: unknown marker '<!-- {block.marker} -->'; use '<!-- runnable -->', "
                "'<!-- runnable: exit N -->' or '<!-- not runnable: REASON -->'"
            )
        following = all_blocks[position + 1] if position + 1 < len(all_blocks) else None
        expected = None
        if following is not None and _only_blank_between(lines, block, following):
            if following.language != "text":
                raise MarkerError(
                    f"{where}: the block after a runnable example is its output and must be "
                    f"a 'text' block, not '{following.language or 'plain'}'"
                )
            expected = following.text
        status = int(runnable["status"] or 0)
        found.append(Example(where, block.text, True, None, status, expected))
    return found


def _only_blank_between(lines: list[str], block: Block, following: Block) -> bool:
    """True when only blank lines separate ``block``'s closing fence from ``following``."""
    closing = block.line + block.text.count("\n")  # index of the closing fence line
    return all(not line.strip() for line in lines[closing + 1 : following.line - 1])


def output_matches(expected: str, actual: str) -> bool:
    """True when ``actual`` is what ``expected`` shows, ``...`` eliding as documented."""
    pattern = []
    for line in _lines(expected):
        if line == ELLIPSIS:
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            parts = (re.escape(part) for part in line.split(ELLIPSIS))
            pattern.append("[^\\n]*".join(parts) + "\n")
    text = "".join(f"{line}\n" for line in _lines(actual))
    return re.fullmatch("".join(pattern), text) is not None


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def difference(expected: str, actual: str) -> str:
    """A unified diff of the shown and the printed output, for a failure message."""
    return "\n".join(
        difflib.unified_diff(
            _lines(expected), _lines(actual), "shown in the document", "printed", lineterm=""
        )
    )


@dataclass(frozen=True)
class Ran:
    status: int
    output: str


def prepare_workdir(workdir: Path, config_dir: Path) -> None:
    """Put a copy of ``config_dir`` in ``workdir`` as ``ha.d``, its authkeys mode 0600."""
    shutil.copytree(config_dir, workdir / "ha.d")
    (workdir / "ha.d" / "authkeys").chmod(0o600)


def run(example: Example, workdir: Path, environ: Mapping[str, str]) -> Ran:
    """Run the example's script with ``sh -e`` in ``workdir``, stderr merged into stdout."""
    done = subprocess.run(
        ["/bin/sh", "-e", "-c", example.script],
        cwd=workdir,
        env=dict(environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return Ran(done.returncode, done.stdout)

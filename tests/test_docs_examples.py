"""The documentation's shell examples run and print what the documentation shows.

Every ``sh`` block of README.md and docs/*.md is marked ``<!-- runnable -->`` (this test runs
it and compares its output with the ``text`` block that follows, if any) or
``<!-- not runnable: REASON -->``. The rules are in tests/docs_examples.py and in
docs/plugins.md, "Examples that run". Each example runs in its own temporary directory holding
``ha.d/`` (the seed's configuration, authkeys mode 0600), with this venv's ``bin`` first on
PATH and no HB_PLUGINS or HB_DISABLE_PLUGINS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from docs_examples import (
    Example,
    MarkerError,
    blocks,
    difference,
    examples,
    output_matches,
    prepare_workdir,
    run,
)
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed" / "ha.d"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _collect() -> tuple[list[Example], list[str]]:
    found: list[Example] = []
    errors: list[str] = []
    for path in DOCUMENTS:
        try:
            found += examples(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        except MarkerError as error:
            errors.append(str(error))
    return found, errors


EXAMPLES, MARKER_ERRORS = _collect()
RUNNABLE = [example for example in EXAMPLES if example.runnable]


def _environment(home: Path) -> dict[str, str]:
    """What an example sees: this venv's hb first on PATH, a plain terminal, no selection."""
    path = os.environ.get("PATH", os.defpath)
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{path}",
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
        "COLUMNS": "80",
        "TERM": "dumb",
        "PYTHONUNBUFFERED": "1",
    }


def test_the_markers_are_well_formed() -> None:
    assert MARKER_ERRORS == []


def test_every_shell_example_is_marked_runnable_or_says_why_not() -> None:
    unmarked = [example.where for example in EXAMPLES if not example.marked]
    assert unmarked == [], (
        "put '<!-- runnable -->' or '<!-- not runnable: REASON -->' on the line before each "
        "of these sh blocks (docs/plugins.md, 'Examples that run'): " + ", ".join(unmarked)
    )


@pytest.mark.parametrize("example", RUNNABLE, ids=[example.where for example in RUNNABLE])
def test_the_example_runs_as_documented(example: Example, tmp_path: Path) -> None:
    prepare_workdir(tmp_path, SEED)
    ran = run(example, tmp_path, _environment(tmp_path))
    assert ran.status == example.exit_status, (
        f"{example.where}: exit status {ran.status}, documented {example.exit_status}:\n"
        f"{ran.output}"
    )
    if example.expected is not None:
        assert output_matches(example.expected, ran.output), (
            f"{example.where}: the output differs from the document:\n"
            f"{difference(example.expected, ran.output)}"
        )


# -- the rules themselves ----------------------------------------------------------------------

DOCUMENT = """\
Intro.

<!-- runnable -->
```sh
hb --version
```

```text
hb ...
```

<!-- runnable: exit 2 -->
```sh
hb --plugins nosuch plugins list
```

<!-- not runnable: needs root -->
```sh
hb start
```

```sh
hb stop
```

```python
print("not a shell block")
```
"""


def test_markers_decide_what_runs_and_what_it_must_print() -> None:
    found = examples(DOCUMENT, "doc.md")
    assert [(e.where, e.runnable, e.reason, e.exit_status, e.expected) for e in found] == [
        ("doc.md:4", True, None, 0, "hb ...\n"),
        ("doc.md:13", True, None, 2, None),
        ("doc.md:18", False, "needs root", 0, None),
        ("doc.md:22", False, None, 0, None),
    ]
    assert found[0].script == "hb --version\n"
    assert [e.marked for e in found] == [True, True, True, False]


def test_output_is_only_the_text_block_right_after_the_example() -> None:
    document = "<!-- runnable -->\n```sh\ntrue\n```\nSome prose.\n```text\nx\n```\n"
    (example,) = examples(document, "doc.md")
    assert example.expected is None


@pytest.mark.parametrize(
    "document",
    [
        "<!-- runnable: exit two -->\n```sh\ntrue\n```\n",
        "<!-- runnable -->\n```python\npass\n```\n",
        "<!-- runnable -->\n```sh\ntrue\n```\n\n```json\n{}\n```\n",
        "<!-- not runnable -->\n```sh\ntrue\n```\n",
    ],
)
def test_a_malformed_marker_is_an_error_naming_its_line(document: str) -> None:
    with pytest.raises(MarkerError, match=r"^doc\.md:2: "):
        examples(document, "doc.md")


def test_fences_in_a_list_item_are_found_and_dedented() -> None:
    (block,) = blocks("- step:\n  <!-- runnable -->\n  ```sh\n  hb --version\n  ```\n")
    assert (block.line, block.language, block.text, block.marker) == (
        3,
        "sh",
        "hb --version\n",
        "runnable",
    )


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        ("a\nb\n", "a\nb\n", True),
        ("a\nb\n", "a\nc\n", False),
        ("a  \n", "a\n", True),  # trailing spaces are ignored
        ("a\n", "a\nb\n", False),  # nothing more than shown
        ("hb ... (plugins: ...)\n", "hb 0.1.0 (plugins: auth-sha1 0.1.0)\n", True),
        ("hb ...\n", "hb 0.1.0\nmore\n", False),  # ... in a line stays on that line
        ("a\n...\nz\n", "a\nb\nc\nz\n", True),
        ("a\n...\nz\n", "a\nz\n", True),  # ... may stand for no line
        ("a\n...\n", "a\n", True),
        ("...\nz\n", "a\nb\n", False),
        ("a.b\n", "axb\n", False),  # no other pattern syntax
    ],
)
def test_elision_rules(expected: str, actual: str, matches: bool) -> None:
    assert output_matches(expected, actual) is matches


@given(st.text())
def test_any_output_matches_itself_and_an_ellipsis(text: str) -> None:
    assert output_matches(text, text)
    assert output_matches("...", text)

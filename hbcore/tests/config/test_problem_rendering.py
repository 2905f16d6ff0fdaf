"""A problem prints as one line of printable text, whatever bytes the files held."""

from __future__ import annotations

import pytest
from hbcore.config.problems import Location, Problem, Severity, printable
from hypothesis import given
from hypothesis import strategies as st


def _shown(problem: str, fix: str = "fix it") -> str:
    return Problem(Location("ha.cf", 3), problem, fix).render()


def test_a_byte_that_is_not_utf8_shows_as_its_hex_escape() -> None:
    name = b"keep\xe9live".decode("utf-8", "surrogateescape")
    assert _shown(f"unknown directive '{name}'") == (
        "ha.cf:3: unknown directive 'keep\\xe9live'; fix it"
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("\0", "\\x00"), ("\x1b[31m", "\\x1b[31m"), ("\t", "\\t"), ("\u2028", "\\u2028")],
)
def test_control_characters_show_escaped(raw: str, shown: str) -> None:
    assert _shown(f"node [{raw}]") == f"ha.cf:3: node [{shown}]; fix it"


def test_utf8_text_shows_as_it_is() -> None:
    assert _shown("node [nœud]") == "ha.cf:3: node [nœud]; fix it"


def test_a_long_word_shows_its_start_and_length_and_keeps_the_fix() -> None:
    shown = _shown(f"time '{'1' * 5000}' is too large", "give at most 2147483647 ms")
    assert shown == (
        f"ha.cf:3: time '{'1' * 60}...(5000 characters)' is too large; give at most 2147483647 ms"
    )


def test_a_path_of_usual_length_is_kept_whole() -> None:
    path = "/var/lib/" + "d" * 150 + "/authkeys"
    assert path in _shown(f"Bad permissions on keyfile [{path}]", f"chmod 600 {path}")


def test_warnings_keep_their_prefix() -> None:
    problem = Problem(Location("authkeys"), "x\0", "y", Severity.WARNING)
    assert problem.render() == "authkeys: warning: x\\x00; y"


@given(st.text(), st.binary())
def test_any_text_renders_as_one_printable_line(text: str, data: bytes) -> None:
    value = text + data.decode("utf-8", "surrogateescape")
    shown = Problem(Location("ha.cf", 1), f"bad [{value}]", f"fix [{value}]").render()
    assert shown.isprintable()
    shown.encode("utf-8")
    assert printable(shown) == shown

"""heartbeat's OCF instance files read without a shell: ``NAME=value`` lines with sh quoting,
comments and blanks ignored; what hb cannot read as sh would is refused with file and line."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError
from hb_ra_ocf.exitcodes import describe
from hb_ra_ocf.instance_file import parse_instance
from hypothesis import given
from hypothesis import strategies as st

PATH = Path("/etc/ha.d/conf/OCF/IPaddr2/vip")


def test_parameters_and_other_variables_are_read_as_the_wrapper_exports_them() -> None:
    text = (
        "# the service address\n"
        "  OCF_RESKEY_ip=10.0.0.5   # comment\n"
        "export OCF_RESKEY_nic='eth0'\n"
        'OCF_RESKEY_iflabel="a b"\n'
        "HA_LOGTAG=vip\n"
        "not an assignment\n"
        "OCF_RESKEY_broadcast=\n"
    )
    settings = parse_instance(PATH, text)
    assert settings.parameters == (
        ("ip", "10.0.0.5"),
        ("nic", "eth0"),
        ("iflabel", "a b"),
        ("broadcast", ""),
    )
    assert settings.environment == (("HA_LOGTAG", "vip"),)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("OCF_RESKEY_ip=$IP", "the value '$IP' uses a shell expansion or a NUL byte"),
        ("OCF_RESKEY_ip=`hostname`", "the value '`hostname`' uses a shell expansion or a NUL byte"),
        ("OCF_RESKEY_ip=a b", "the value 'a b' is several words"),
        ("OCF_RESKEY_ip='a", "No closing quotation"),
        ("my-var=1", "'my-var' is not a variable name"),
    ],
)
def test_what_sh_would_read_differently_is_refused_at_its_line(line: str, problem: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_instance(PATH, f"# first\n{line}\n")
    assert raised.value.problem == f"{PATH}:2: {problem}"


@given(st.text())
def test_no_text_raises_anything_but_an_argument_error(text: str) -> None:
    with contextlib.suppress(ArgumentError):
        parse_instance(PATH, text)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (0, "OCF_SUCCESS (0): success"),
        (7, "OCF_NOT_RUNNING (7): not running"),
        (190, "OCF_DEGRADED (190): running, degraded"),
        (127, "exit status 127 (not an OCF exit code)"),
    ],
)
def test_exit_codes_are_logged_by_name(code: int, text: str) -> None:
    assert describe(code) == text

"""script_dirs DIR...: registered by this plugin, every directory kept in file order."""

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, Repeat
from hb_ra_script import hb_register_directives
from hb_ra_script.directives import SCRIPT_DIRS


def test_registers_script_dirs_accumulating_token_by_token() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [SCRIPT_DIRS]
    assert SCRIPT_DIRS.name == "script_dirs"
    assert (SCRIPT_DIRS.form, SCRIPT_DIRS.repeat) == (Form.PER_TOKEN, Repeat.ACCUMULATE)
    assert SCRIPT_DIRS.default is None and not SCRIPT_DIRS.is_medium


@pytest.mark.parametrize("text", ["resource.d", "/etc/rc.d/init.d", "scripts/lsb"])
def test_absolute_and_relative_directories_are_taken_as_written(text: str) -> None:
    assert SCRIPT_DIRS.parse(text) == text


@pytest.mark.parametrize("text", ["~/scripts", "~hacluster", "$HA_DIR/resource.d"])
def test_what_only_a_shell_would_expand_is_an_error(text: str) -> None:
    with pytest.raises(ArgumentError, match="would not be expanded"):
        SCRIPT_DIRS.parse(text)


def test_a_directory_with_a_name_over_255_bytes_is_refused() -> None:
    with pytest.raises(ArgumentError, match="longer than 255 bytes"):
        SCRIPT_DIRS.parse("/etc/" + "d" * 256)
    assert SCRIPT_DIRS.parse("/etc/" + "d" * 255) == "/etc/" + "d" * 255

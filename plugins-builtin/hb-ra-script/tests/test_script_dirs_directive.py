"""script_dirs DIR...: registered by this plugin, every directory kept in file order."""

from pathlib import Path

import pytest
from hb_hookspecs import ArgumentError, Directive, Form, Repeat, Settings
from hb_ra_script import hb_register_directives
from hb_ra_script.directives import SCRIPT_DIRS
from hb_ra_script.lookup import INIT_DIR, search_path


def test_registers_script_dirs_accumulating_token_by_token() -> None:
    registered: list[Directive] = []
    hb_register_directives(registered.append)
    assert registered == [SCRIPT_DIRS]
    assert SCRIPT_DIRS.name == "script_dirs"
    assert (SCRIPT_DIRS.form, SCRIPT_DIRS.repeat) == (Form.PER_TOKEN, Repeat.ACCUMULATE)
    assert SCRIPT_DIRS.default is None and SCRIPT_DIRS.medium is None


def test_without_script_dirs_scripts_are_searched_where_heartbeat_searches() -> None:
    settings = Settings("linuxha1", Path("/etc/ha.d"), {})
    assert search_path(settings) == (Path("/etc/ha.d/resource.d"), INIT_DIR)


def test_script_dirs_in_order_relative_ones_in_the_configuration_directory() -> None:
    given = {"script_dirs": ("resource.d", "/etc/rc.d/init.d", "lsb")}
    settings = Settings("linuxha1", Path("/srv/ha.d"), given)
    assert search_path(settings) == (
        Path("/srv/ha.d/resource.d"),
        Path("/etc/rc.d/init.d"),
        Path("/srv/ha.d/lsb"),
    )


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

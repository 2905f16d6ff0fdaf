"""Choosing plugins: --plugins, -p no:x, HB_PLUGINS and HB_DISABLE_PLUGINS."""

from hbcore.plugins import Selection


def test_no_options_selects_every_plugin() -> None:
    selection = Selection.from_options(None, (), environ={})
    assert selection.admits("auth-sha1", "hb-auth-sha1")


def test_plugins_option_is_an_allow_list_by_name_or_distribution() -> None:
    selection = Selection.from_options("auth-sha1,hb-auth-md5", (), environ={})
    assert selection.admits("auth-sha1", "hb-auth-sha1")
    assert selection.admits("auth-md5", "hb-auth-md5")
    assert not selection.admits("auth-crc", "hb-auth-crc")


def test_empty_allow_list_selects_nothing() -> None:
    selection = Selection.from_options(None, (), environ={"HB_PLUGINS": ""})
    assert not selection.admits("auth-sha1", "hb-auth-sha1")


def test_option_replaces_environment_allow_list() -> None:
    selection = Selection.from_options("auth-crc", (), environ={"HB_PLUGINS": "auth-sha1"})
    assert selection.admits("auth-crc", "hb-auth-crc")
    assert not selection.admits("auth-sha1", "hb-auth-sha1")


def test_disable_option_and_environment_add_up() -> None:
    selection = Selection.from_options(
        None, ("no:auth-crc",), environ={"HB_DISABLE_PLUGINS": "auth-md5"}
    )
    assert not selection.admits("auth-crc", "hb-auth-crc")
    assert not selection.admits("auth-md5", "hb-auth-md5")
    assert selection.admits("auth-sha1", "hb-auth-sha1")


def test_disable_wins_over_allow() -> None:
    selection = Selection.from_options("auth-crc", ("no:hb-auth-crc",), environ={})
    assert not selection.admits("auth-crc", "hb-auth-crc")


def test_plain_p_option_extends_an_allow_list() -> None:
    selection = Selection.from_options("auth-crc", ("auth-md5",), environ={})
    assert selection.admits("auth-md5", "hb-auth-md5")

"""authkeys: heartbeat's rules, quirks included, every problem located and fixable."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from hb_hookspecs import AuthMethod, KeyRule
from hbcore.config.authkeys import AuthKeys, parse_authkeys, read_authkeys
from hbcore.config.problems import ConfigError, Severity
from hbcore.registry import Owned


class _Hmac:
    def __init__(self, key: bytes) -> None:
        self.key = key

    def sign(self, data: bytes) -> str:
        return hmac.new(self.key, data, hashlib.sha1).hexdigest()

    def verify(self, data: bytes, token: str) -> bool:
        return self.sign(data) == token


def _method(name: str, rule: KeyRule) -> Owned[AuthMethod]:
    return Owned(AuthMethod(name, rule, _Hmac, f"test {name}"), f"auth-{name}")


METHODS = {
    "crc": _method("crc", KeyRule.FORBIDDEN),
    "md5": _method("md5", KeyRule.REQUIRED),
    "sha1": _method("sha1", KeyRule.REQUIRED),
}


def parsed(text: str, methods: dict[str, Owned[AuthMethod]] = METHODS) -> AuthKeys:
    return parse_authkeys(text, methods)


def problems(text: str, methods: dict[str, Owned[AuthMethod]] = METHODS) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_authkeys(text, methods)
    return [str(problem) for problem in raised.value.problems]


# --- valid files ----------------------------------------------------------------------------


def test_the_textbook_file_selects_its_only_key() -> None:
    keys = parsed("auth 1\n1 sha1 SomeSecret\n")

    assert keys.outbound.value == 1
    assert str(keys.outbound.location) == "authkeys:1"
    assert keys.keys[1].value.method.item.name == "sha1"
    assert keys.keys[1].value.key == b"SomeSecret"
    assert str(keys.keys[1].location) == "authkeys:2"
    assert keys.warnings == ()


def test_comments_blank_lines_and_leading_blanks_are_ignored() -> None:
    keys = parsed("# keys\n\n   \n\t auth 2\n  # 1 md5 old\n  2 crc\r\n")

    assert keys.outbound.value == 2
    assert keys.keys[2].value.key == b""
    assert set(keys.keys) == {2}


def test_every_configured_index_is_kept_for_incoming_packets() -> None:
    keys = parsed("1 md5 one\nauth 3\n3 sha1 three\n15 crc\n0 md5 zero\n")

    assert sorted(keys.keys) == [0, 1, 3, 15]
    assert keys.outbound.value == 3


def test_auth_parses_like_sscanf_auth_percent_d() -> None:
    assert parsed("auth1 trailing words\n1 crc\n").outbound.value == 1
    assert parsed("auth +2\n2 crc\n").outbound.value == 2


def test_a_key_line_parses_like_sscanf_percent_d_percent_s_percent_s() -> None:
    keys = parsed("auth 4\n4sha1 secret\n")
    assert keys.keys[4].value.key == b"secret"


def test_the_key_stops_at_the_first_blank_and_the_rest_is_ignored_with_a_warning() -> None:
    keys = parsed("auth 1\n1 sha1 my secret words\n")

    assert keys.keys[1].value.key == b"my"
    assert [str(w) for w in keys.warnings] == [
        "authkeys:2: warning: only `my` is the key: heartbeat ignores `secret words` after the "
        "first blank; remove the blanks from the key, on every node"
    ]


def test_a_key_is_its_exact_bytes() -> None:
    keys = parse_authkeys(b"auth 1\n1 sha1 s\xc3\xa9cr\xffet\n", METHODS)
    assert keys.keys[1].value.key == b"s\xc3\xa9cr\xffet"


def test_a_repeated_index_is_replaced_by_the_later_line_with_a_warning() -> None:
    keys = parsed("auth 1\n1 sha1 first\n1 md5 second\n")

    assert keys.keys[1].value.key == b"second"
    assert keys.keys[1].value.method.item.name == "md5"
    assert [str(w) for w in keys.warnings] == [
        "authkeys:3: warning: key 1 was already defined on line 2; this line replaces it; "
        "keep one line per key index"
    ]


def test_the_outbound_key_follows_the_latest_auth_line_that_has_its_key_after_it() -> None:
    keys = parsed("auth 1\n1 sha1 one\nauth 2\n2 md5 two\n")
    assert keys.outbound.value == 2
    assert str(keys.outbound.location) == "authkeys:3"


def test_a_later_auth_line_without_its_key_after_it_is_ignored_as_heartbeat_does() -> None:
    keys = parsed("auth 1\n1 sha1 one\nauth 2\n")

    assert keys.outbound.value == 1
    assert [str(w) for w in keys.warnings] == [
        "authkeys:3: warning: `auth 2` has no key line after it and is ignored: key 1 still "
        "signs outgoing packets; add the key line 2 after it, or remove it"
    ]


def test_the_keyring_signs_with_the_outbound_key_and_verifies_every_key() -> None:
    keyring = parsed("1 sha1 one\nauth 2\n2 sha1 two\n").keyring()

    assert keyring.sign(b"data") == "2 " + _Hmac(b"two").sign(b"data")
    assert keyring.verify(1, b"data", _Hmac(b"one").sign(b"data"))
    assert not keyring.verify(7, b"data", "00")


def test_the_key_never_shows_in_a_repr() -> None:
    keys = parsed("auth 1\n1 sha1 TopSecret\n")
    assert "TopSecret" not in repr(keys)


# --- errors, one per heartbeat message ------------------------------------------------------


def test_a_missing_auth_directive() -> None:
    assert problems("1 sha1 secret\n") == [
        "authkeys: Missing auth directive in keyfile; "
        "add `auth N` before the key line N that signs outgoing packets"
    ]


def test_an_empty_file_has_no_auth_directive() -> None:
    assert problems("") == problems("# nothing\n\n")
    assert "Missing auth directive" in problems("")[0]


def test_the_auth_key_is_not_in_the_file() -> None:
    assert problems("auth 2\n1 sha1 secret\n") == [
        "authkeys:1: Auth Key [2] not found in keyfile; add a key line `2 METHOD [KEY]` after "
        "`auth 2`"
    ]


def test_the_auth_key_line_must_come_after_the_auth_line() -> None:
    assert problems("1 sha1 secret\nauth 1\n") == [
        "authkeys:2: Auth Key [1] not found in keyfile; add a key line `1 METHOD [KEY]` after "
        "`auth 1`"
    ]


def test_auth_naming_an_impossible_index() -> None:
    assert problems("auth 20\n1 crc\n") == [
        "authkeys:1: Auth Key [20] not found in keyfile; point `auth` at a key index from 0 to 15"
    ]


@pytest.mark.parametrize("line", ["auth", "auth x", "authority 1", "a 1"])
def test_an_invalid_auth_line(line: str) -> None:
    assert problems(f"{line}\nauth 1\n1 crc\n") == [
        f"authkeys:1: Invalid auth line [{line}]; "
        "write `auth N`, N the index of the key that signs outgoing packets"
    ]


@pytest.mark.parametrize("line", ["x crc", "1", "sha1 1 key", "Auth 1", "-"])
def test_any_other_line_is_invalid(line: str) -> None:
    assert problems(f"auth 1\n1 crc\n{line}\n") == [
        f"authkeys:3: Auth line [{line}] is invalid; "
        "write a key line as `N METHOD [KEY]` (`1 sha1 SomeSecret`), a comment with #"
    ]


@pytest.mark.parametrize("index", ["16", "-1", "99999999999"])
def test_a_key_index_out_of_range(index: str) -> None:
    assert problems(f"auth 1\n1 crc\n{index} crc\n") == [
        f"authkeys:3: Invalid authnum [{int(index)}]; use a key index from 0 to 15"
    ]


def test_a_builtin_method_whose_plugin_is_not_installed() -> None:
    without_md5 = {name: method for name, method in METHODS.items() if name != "md5"}
    assert problems("auth 1\n1 md5 secret\n", without_md5) == [
        "authkeys:2: Invalid authtype [md5]; install its plugin: pip install hb-auth-md5 "
        "(from source: ./plugins-builtin/hb-auth-md5)"
    ]


def test_an_unknown_method() -> None:
    assert problems("auth 1\n1 rot13 secret\n") == [
        "authkeys:2: Invalid authtype [rot13]; use a loaded method (crc, md5, sha1) or install "
        "the plugin that provides it"
    ]


def test_crc_must_not_have_a_key() -> None:
    assert problems("auth 1\n1 crc secret\n") == [
        "authkeys:2: Auth method [crc] doesn't use a key; remove the key: `1 crc`"
    ]


@pytest.mark.parametrize("method", ["md5", "sha1"])
def test_md5_and_sha1_require_a_key(method: str) -> None:
    assert problems(f"auth 3\n3 {method}\n") == [
        f"authkeys:2: Auth method [{method}] requires a key; "
        f"add the shared secret: `3 {method} <secret>`"
    ]


def test_an_overlong_line() -> None:
    assert problems("auth 1\n1 sha1 " + "k" * 5200 + "\n") == [
        "authkeys:2: line of 5207 bytes is longer than heartbeat reads (5118); "
        "shorten it: heartbeat would read the rest as another line"
    ]


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    found = problems("auth x\n1 crc key\n2 sha1\n99 md5 k\nnonsense\n")

    assert found[0].startswith("authkeys: Missing auth directive")
    assert [line.split(":")[1] for line in found[1:]] == ["1", "2", "3", "4", "5"]


# --- hostile content: numbers no int holds, NUL bytes -------------------------------------


@pytest.mark.parametrize("digits", [41, 4301, 5000])
def test_a_key_index_of_absurd_length_is_an_invalid_authnum(digits: int) -> None:
    found = problems("auth 1\n" + "1" * digits + " crc\n1 crc\n")

    assert found == [f"authkeys:2: Invalid authnum [{'1' * 40}...]; use a key index from 0 to 15"]


def test_an_auth_line_of_absurd_length_is_refused() -> None:
    found = problems("auth " + "2" * 5000 + "\n1 crc\n")

    assert found[0] == "authkeys: Missing auth directive in keyfile; " + (
        "add `auth N` before the key line N that signs outgoing packets"
    )
    assert found[1].startswith("authkeys:1: Invalid auth line [auth 22222")
    assert found[1].endswith(
        "...]: the key index is out of range; write `auth N` with N from 0 to 15"
    )


def test_ten_significant_digits_are_still_read_as_heartbeat_reads_them() -> None:
    assert parsed("auth 1\n00000000001 crc\n").outbound.value == 1
    assert problems("auth 1\n1 crc\n1234567890 crc\n")[0].startswith(
        "authkeys:3: Invalid authnum [1234567890]"
    )


@pytest.mark.parametrize("line", ["1 sha1 sec\0ret", "auth 1\0", "\x001 crc"])
def test_a_nul_byte_makes_the_line_an_error(line: str) -> None:
    found = problems(f"auth 1\n1 crc\n{line}\n")

    assert found[-1].startswith("authkeys:3: NUL byte in the line; remove it")


def test_a_nul_byte_in_a_comment_is_harmless() -> None:
    assert parsed("# a \0 in a comment\nauth 1\n1 crc\n").outbound.value == 1


# --- the file and its permissions -----------------------------------------------------------


def _keyfile(tmp_path: Path, mode: int, text: str = "auth 1\n1 sha1 secret\n") -> Path:
    path = tmp_path / "authkeys"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o620, 0o602, 0o700, 0o200])
def test_a_file_unreadable_by_group_and_others_is_accepted(tmp_path: Path, mode: int) -> None:
    assert read_authkeys(_keyfile(tmp_path, mode), METHODS).outbound.value == 1


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700, 0o200])
def test_a_file_only_its_owner_can_write_has_no_warning(tmp_path: Path, mode: int) -> None:
    assert read_authkeys(_keyfile(tmp_path, mode), METHODS).warnings == ()


@pytest.mark.parametrize(
    ("mode", "writers"), [(0o620, "group"), (0o602, "others"), (0o622, "group and others")]
)
def test_a_file_others_can_write_is_accepted_with_a_warning(
    tmp_path: Path, mode: int, writers: str
) -> None:
    path = _keyfile(tmp_path, mode)

    keys = read_authkeys(path, METHODS, display_name="authkeys")

    assert keys.outbound.value == 1
    assert [str(p) for p in keys.warnings] == [
        f"authkeys: warning: keyfile [{path}] is writable by {writers} (mode {mode:04o}): "
        f"heartbeat accepts it, but whoever can write it can replace the cluster's keys; "
        f"chmod 600 {path}"
    ]
    assert keys.warnings[0].severity is Severity.WARNING


def test_a_file_others_can_read_and_write_gets_heartbeats_refusal_only(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        read_authkeys(_keyfile(tmp_path, 0o666), METHODS)

    assert [p.problem.split(" [")[0] for p in raised.value.problems] == [
        "Bad permissions on keyfile"
    ]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o444])
def test_a_file_readable_by_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = _keyfile(tmp_path, mode)

    with pytest.raises(ConfigError) as raised:
        read_authkeys(path, METHODS, display_name="authkeys")

    assert [str(p) for p in raised.value.problems] == [
        f"authkeys: Bad permissions on keyfile [{path}], 600 recommended; chmod 600 {path}"
    ]


def test_bad_permissions_are_reported_with_the_other_problems(tmp_path: Path) -> None:
    path = _keyfile(tmp_path, 0o644, "auth 1\n1 crc key\n")

    with pytest.raises(ConfigError) as raised:
        read_authkeys(path, METHODS)

    assert [p.location.line for p in raised.value.problems] == [0, 2]
    assert str(raised.value.problems[0].location) == str(path)


def test_a_tool_may_only_warn_about_permissions(tmp_path: Path) -> None:
    path = _keyfile(tmp_path, 0o444)

    keys = read_authkeys(path, METHODS, permissions=Severity.WARNING)

    assert keys.outbound.value == 1
    assert [p.severity for p in keys.warnings] == [Severity.WARNING]
    assert "Bad permissions on keyfile" in str(keys.warnings[0])


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "authkeys"

    with pytest.raises(ConfigError) as raised:
        read_authkeys(path, METHODS, display_name="authkeys")

    assert [str(p) for p in raised.value.problems] == [
        f"authkeys: Cannot open keyfile [{path}]: No such file or directory; "
        "create it with the lines `auth 1` and `1 sha1 <secret>`, mode 600"
    ]

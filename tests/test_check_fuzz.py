"""``hb check`` never raises: mutated real-world configurations and arbitrary text only ever give
problems (``file:line: what; fix``).

The mutation fuzzer takes the real-world corpus (``../shared/corpus/realworld`` beside the
clone, as ``test_check_corpus.py``), applies one to four seeded mutations to one of the files of
a set (byte flips, Latin-1 bytes, NULs, huge numbers, long DNS labels and names, duplicated or
deleted lines, truncation, token swaps, tokens known to be awkward) and runs the check in
process, with the safety net of ``hb check`` turned off so that a crash is seen where it
happens. ``bench/check_fuzz.py`` runs the same cases longer and counts crashes by place.

The hypothesis tests feed each parser arbitrary text: ``ha.cf`` lines of every registered
directive, ``haresources`` lines (parsed and resolved by the installed resource plugins) and
``authkeys`` lines.

Host names are looked up with ``AI_NUMERICHOST`` (Python still encodes the name exactly as for a
real lookup, which is where names fail), so the fuzzer never queries DNS.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import tempfile
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hb_hookspecs import ResourceContext, Settings
from hbcore.cli.check_cmd import CheckReport, run_check
from hbcore.cli.main import cli
from hbcore.cli.options import load_selected
from hbcore.config.authkeys import parse_authkeys
from hbcore.config.core_directives import CORE_DIRECTIVES
from hbcore.config.directive_hints import PLUGIN_DIRECTIVES
from hbcore.config.hacf import parse_hacf
from hbcore.config.haresources import parse_haresources
from hbcore.config.host_checks import check_host
from hbcore.config.plugin_checks import PLUGINS as PLUGIN_PROBLEMS
from hbcore.config.problems import ConfigError, Problem
from hbcore.config.resource_checks import check_resources
from hbcore.config.safety_net import SafetyNet
from hbcore.plugins import PluginSet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
FILES = ("ha.cf", "haresources", "authkeys")
CI_CASES = 3000
CI_SEED = 8

HUGE_DIGITS = (20, 310, 4300, 4301, 5000, 20_000)
"""Digit counts around the limits: 2**64, float overflow, Python's int-to-str limit."""
AWKWARD_TOKENS = (
    b"-1", b"0", b"+7", b"18446744073709551616", b"1e999", b"inf", b"nan", b"0x10", b"1.5.3",
    b"::", b"/", b"\\", b"..", b"~root", b"$HOME", b"%s%n", b"\xc3\xa9", b"\xff\xfe",
    b"\xed\xa0\x80", b"\x1b[31m", b"\r", b"\t", b"#", b"a::b::c", b"IPaddr::", b"IPaddr2::",
    b"IPaddr2::fd00::1/64/eth0", b"10.0.0.1/33", b"10.0.0.1//eth0:", b"255.255.255.255",
    b"1.2.3.4/24/eth0/1.2.3.255/x", b"auth", b"node", b"ucast", b"bcast", b"mcast", b"serial",
    b"ping", b"ping_group", b"respawn", b"apiauth", b"script_dirs", b"watchdog", b"/dev/null",
    b"/nonexistent/dir/ha-log", b"/proc/self", b"lo", b"eth0:0", b"hacluster",
    b"/usr/lib/heartbeat/ipfail", b"uid=", b"gid=a,,b", b"a=b", b"crc", b"md5", b"sha1",
)  # fmt: skip
DIRECTIVE_NAMES = tuple(
    name.encode() for name in (*(d.name for d in CORE_DIRECTIVES), *PLUGIN_DIRECTIVES)
)
_TOKEN = re.compile(rb"[^\s#]+")
_DIGITS = re.compile(rb"[0-9]+")
_LABEL = b"abcdefghijklmnopqrstuvwxyz0123456789-"


@dataclass(frozen=True)
class ConfigSet:
    """One set of the corpus, completed as heartbeat's verdict run completed it."""

    name: str
    files: dict[str, bytes]
    node_name: str


@dataclass(frozen=True)
class Case:
    """One mutated set: the files to write, the authkeys mode and the node to check as."""

    origin: str
    files: dict[str, bytes]
    authkeys_mode: int
    node_name: str
    mutations: tuple[str, ...]
    """What was done, in order, to reproduce or describe the case."""


@dataclass(frozen=True)
class Crash:
    """An exception that escaped the check: its type and the innermost place it was raised."""

    kind: str
    place: str
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Crash:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = "/".join(Path(frame.filename).parts[-2:])
        message = repr(error)
        return cls(type(error).__name__, f"{where}:{frame.lineno}", message[:160])


def load_corpus(corpus: Path = CORPUS) -> list[ConfigSet]:
    """Every set of the corpus, with the authkeys and haresources heartbeat's run added."""
    if not corpus.is_dir():
        raise FileNotFoundError(
            f"corpus not found at {corpus}: clone the shared repository beside this one"
        )
    hostnames = dict(
        re.findall(r"^### (\S+).*?hostname used: `([^`]+)`", _verdicts(corpus), re.M | re.S)
    )
    sets = []
    for directory in sorted(path for path in corpus.iterdir() if path.is_dir()):
        hostname = hostnames[directory.name]
        files = {
            name: (directory / name).read_bytes() for name in FILES if (directory / name).is_file()
        }
        files.setdefault("authkeys", b"auth 1\n1 crc\n")
        files.setdefault("haresources", hostname.encode() + b"\n")
        sets.append(ConfigSet(directory.name, files, hostname))
    return sets


def _verdicts(corpus: Path) -> str:
    return (corpus / "VERDICTS.md").read_text()


# --- mutations: each takes the generator and a file's bytes and returns new bytes ---------------


def _tokens(data: bytes) -> list[tuple[int, int]]:
    return [match.span() for match in _TOKEN.finditer(data)]


def _replace_token(rng: random.Random, data: bytes, new: bytes) -> bytes:
    spans = _tokens(data)
    if not spans:
        return data + new
    start, end = rng.choice(spans)
    return data[:start] + new + data[end:]


def _insert_in_token(rng: random.Random, data: bytes, new: bytes) -> bytes:
    spans = _tokens(data)
    if not spans:
        return new + data
    start, end = rng.choice(spans)
    at = rng.randint(start, end)
    return data[:at] + new + data[at:]


def flip_bit(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def random_byte(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


def latin1_byte(rng: random.Random, data: bytes) -> bytes:
    return _insert_in_token(rng, data, bytes([rng.randrange(0x80, 0x100)]))


def nul_byte(rng: random.Random, data: bytes) -> bytes:
    return _insert_in_token(rng, data, b"\0")


def huge_number(rng: random.Random, data: bytes) -> bytes:
    digits = b"1" + bytes(rng.choice(b"0123456789") for _ in range(rng.choice(HUGE_DIGITS) - 1))
    spans = [match.span() for match in _DIGITS.finditer(data)]
    if not spans or rng.random() < 0.2:
        return _replace_token(rng, data, digits)
    start, end = rng.choice(spans)
    return data[:start] + digits + data[end:]


def long_label(rng: random.Random, data: bytes) -> bytes:
    label = bytes(rng.choice(_LABEL[:26]) for _ in range(rng.randint(64, 300)))
    return _replace_token(rng, data, rng.choice((label, label + b".example.com", b"a." + label)))


def long_name(rng: random.Random, data: bytes) -> bytes:
    length = rng.choice((100, 256, 300, 4097, 5000))
    name = bytes(rng.choice(_LABEL) for _ in range(length))
    return _replace_token(rng, data, rng.choice((name, b"/" + name, b"IPaddr::" + name)))


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    lines[at:at] = [lines[at]] * rng.choice((1, 2, 50))
    return b"\n".join(lines)


def delete_line(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def swap_tokens(rng: random.Random, data: bytes) -> bytes:
    spans = _tokens(data)
    if len(spans) < 2:
        return data
    first, second = sorted(rng.sample(spans, 2))
    return (
        data[: first[0]]
        + data[second[0] : second[1]]
        + data[first[1] : second[0]]
        + data[first[0] : first[1]]
        + data[second[1] :]
    )


def awkward_token(rng: random.Random, data: bytes) -> bytes:
    return _replace_token(rng, data, rng.choice(AWKWARD_TOKENS))


def random_line(rng: random.Random, data: bytes) -> bytes:
    """A new line of words from the file, awkward tokens and directive names (directives the
    corpus never uses get their turn)."""
    words = [data[start:end] for start, end in _tokens(data)]
    pool = (*words, *AWKWARD_TOKENS, *DIRECTIVE_NAMES)
    first = rng.choice(DIRECTIVE_NAMES) if rng.random() < 0.5 else rng.choice(pool)
    line = b" ".join([first, *(rng.choice(pool) for _ in range(rng.randint(0, 5)))])
    lines = data.split(b"\n")
    lines.insert(rng.randint(0, len(lines)), line)
    return b"\n".join(lines)


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    flip_bit,
    random_byte,
    latin1_byte,
    nul_byte,
    huge_number,
    long_label,
    long_name,
    duplicate_line,
    delete_line,
    truncate,
    swap_tokens,
    awkward_token,
    random_line,
)
AUTHKEYS_MODES = (0o600, 0o600, 0o600, 0o400, 0o644, 0o640, 0o620, 0o602, 0o666, 0o700)


def splice_line(rng: random.Random, data: bytes, donor: bytes) -> bytes:
    """Insert a line of another set's file of the same kind."""
    lines, donors = data.split(b"\n"), donor.split(b"\n")
    lines.insert(rng.randint(0, len(lines)), rng.choice(donors))
    return b"\n".join(lines)


def make_case(rng: random.Random, corpus: list[ConfigSet]) -> Case:
    """One mutated set: one to four mutations of ha.cf, haresources, authkeys or the node name."""
    origin = rng.choice(corpus)
    files = dict(origin.files)
    node_name = origin.node_name
    done = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        target = rng.choices((*FILES, "node-name"), weights=(50, 25, 20, 5))[0]
        if target == "node-name":
            node_name = rng.choice(("é", "\udce9", "\0", "x" * 300, "Node1", ""))
            done.append(f"node-name {node_name[:10]!r}")
            continue
        if rng.random() < 0.1:
            files[target] = splice_line(rng, files[target], rng.choice(corpus).files[target])
            done.append(f"{target}: splice_line")
            continue
        mutation = rng.choice(MUTATIONS)
        files[target] = mutation(rng, files[target])
        done.append(f"{target}: {mutation.__name__}")
    return Case(origin.name, files, rng.choice(AUTHKEYS_MODES), node_name, tuple(done))


def cases(seed: int, count: int, corpus: list[ConfigSet]) -> Iterator[Case]:
    """``count`` cases from ``seed``: the same seed always gives the same cases."""
    rng = random.Random(seed)
    for _ in range(count):
        yield make_case(rng, corpus)


# --- running a case ----------------------------------------------------------------------------


_REAL_GETADDRINFO = socket.getaddrinfo


def _offline_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    """``socket.getaddrinfo`` that never asks DNS: names fail as unresolvable."""
    family, kind, proto, flags = (*args, 0, 0, 0, 0)[:4]
    flags = kwargs.pop("flags", flags) | socket.AI_NUMERICHOST
    return _REAL_GETADDRINFO(host, port, family, kind, proto, flags)


@contextlib.contextmanager
def offline_lookups() -> Iterator[None]:
    """Host lookups stay numeric while the fuzzer runs."""
    socket.getaddrinfo = _offline_getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = _REAL_GETADDRINFO


def write_case(case: Case, config_dir: Path) -> None:
    """Write the case's files into ``config_dir`` (created if needed)."""
    config_dir.mkdir(exist_ok=True)
    for name, data in case.files.items():
        (config_dir / name).write_bytes(data)
    (config_dir / "authkeys").chmod(case.authkeys_mode)


def check_case(case: Case, config_dir: Path, plugins: PluginSet) -> Crash | None:
    """Run ``hb check`` (plain and ``--strict``) on the case; the crash, or None.

    Also holds the report to its promise: every line it prints is one line of printable text,
    and every problem names its file.
    """
    write_case(case, config_dir)
    try:
        for strict in (False, True):
            report = run_check(config_dir, plugins, case.node_name, strict, catch_bugs=False)
            assert_printable(report)
    except Exception as error:
        return Crash.of(error)
    return None


def assert_printable(report: CheckReport) -> None:
    """Every line is printable and encodable; every problem starts with one of the files (or
    the plugins); ``--json`` encodes and says the same."""
    for line in (*report.stdout, *report.stderr):
        line.encode("utf-8")
        assert line.isprintable(), f"unprintable output: {line[:200]!r}"
    for line in report.problems:
        assert line.startswith((*FILES, PLUGIN_PROBLEMS)), f"no file named: {line[:200]!r}"
        assert "; " in line, f"no fix given: {line[:200]!r}"
    document = json.loads(json.dumps(report.to_json()).encode("utf-8"))
    assert [problem["text"] for problem in document["problems"]] == list(report.problems)
    assert document["exit_code"] == (0 if report.passed else 1)


def fuzz(seed: int, count: int) -> Iterator[tuple[Case, Crash | None]]:
    """Every case of ``seed`` with its crash (or None), in a temporary directory."""
    corpus = load_corpus()
    plugins = load_selected(None, ())
    with tempfile.TemporaryDirectory() as temp, offline_lookups():
        config_dir = Path(temp) / "ha.d"
        for case in cases(seed, count, corpus):
            yield case, check_case(case, config_dir, plugins)


# --- tests -------------------------------------------------------------------------------------


@pytest.mark.fuzz
def test_mutated_real_world_configurations_never_crash_hb_check() -> None:
    crashes = [(case, crash) for case, crash in fuzz(CI_SEED, CI_CASES) if crash is not None]
    shown = "\n".join(
        f"{crash.kind} at {crash.place} ({case.origin}: {', '.join(case.mutations)}): "
        f"{crash.message}"
        for case, crash in crashes[:10]
    )
    assert not crashes, f"{len(crashes)} of {CI_CASES} cases crashed:\n{shown}"


@pytest.mark.parametrize("seed", range(3))
def test_the_cases_depend_only_on_the_seed(seed: int) -> None:
    corpus = load_corpus()
    assert list(cases(seed, 20, corpus)) == list(cases(seed, 20, corpus))


# --- the crashing inputs found so far, each with the problem the user now sees ------------------

BASE_HACF = b"node alpha\nnode beta\nbcast lo\nauto_failback on\nlogfacility daemon\n"
BASE_FILES = {
    "ha.cf": BASE_HACF,
    "haresources": b"alpha 10.0.0.10\n",
    "authkeys": b"auth 1\n1 crc\n",
}


@dataclass(frozen=True)
class Regression:
    """A crashing input of the audit or the fuzzer: what to change in a clean set, and the
    problem (as printed) that must appear instead of a traceback."""

    name: str
    file: str
    content: bytes
    expected: str
    strict_only: bool = False


REGRESSIONS = (
    Regression(
        "node name with a Latin-1 byte",
        "ha.cf",
        BASE_HACF + b"node gamm\xe9\n",
        "ha.cf:6: node: node name 'gamm\\xe9' holds bytes that are not UTF-8 text",
    ),
    Regression(
        "ucast host label over 63 characters",
        "ha.cf",
        BASE_HACF + b"ucast lo " + b"a" * 64 + b".example.com\n",
        "ha.cf:6: ucast: host name '" + "a" * 64 + ".example.com' has a label of 64 characters",
    ),
    Regression(
        "ucast host name of 300 characters",
        "ha.cf",
        BASE_HACF + b"ucast lo " + b"a" * 300 + b"\n",
        "is longer than 253 characters",
    ),
    Regression(
        "ping_group member label over 63 characters",
        "ha.cf",
        BASE_HACF + b"ping_group net " + b"b" * 70 + b"\n",
        "has a label of 70 characters",
    ),
    Regression(
        "script name over 255 bytes",
        "haresources",
        b"alpha " + b"s" * 256 + b"\n",
        "haresources:1: " + "s" * 60 + "...(256 characters): resource script name",
    ),
    Regression(
        "key index of 4301 digits",
        "authkeys",
        b"auth 1\n" + b"1" * 4301 + b" crc\n1 crc\n",
        "authkeys:2: Invalid authnum [" + "1" * 40 + "...]",
    ),
    Regression(
        "auth line of 5000 digits",
        "authkeys",
        b"auth " + b"1" * 5000 + b"\n1 crc\n",
        "the key index is out of range; write `auth N` with N from 0 to 15",
    ),
    Regression(
        "keepalive of 5000 digits",
        "ha.cf",
        BASE_HACF + b"keepalive " + b"1" * 5000 + b"\n",
        "ha.cf:6: keepalive: time '" + "1" * 60 + "...(5000 characters)' is too large",
    ),
    Regression(
        "udpport of 5000 digits",
        "ha.cf",
        BASE_HACF + b"udpport " + b"9" * 5000 + b"\n",
        "is out of range; use a value in 1..65535",
    ),
    Regression(
        "NUL in an interface name",
        "ha.cf",
        BASE_HACF + b"bcast l\0o\n",
        "ha.cf:6: NUL byte in the line; remove it",
    ),
    Regression(
        "NUL in a user name",
        "ha.cf",
        BASE_HACF + b"respawn hac\0luster /bin/true\n",
        "ha.cf:6: NUL byte in the line",
    ),
    Regression(
        "NUL in a key",
        "authkeys",
        b"auth 1\n1 sha1 sec\0ret\n",
        "authkeys:2: NUL byte in the line",
    ),
    Regression(
        "netmask of 5000 digits",
        "haresources",
        b"alpha 10.0.0.10/" + b"2" * 5000 + b"\n",
        "is not a netmask",
    ),
    Regression(
        "ucast port in superscript digits",
        "ha.cf",
        BASE_HACF + "ucast lo 10.0.0.2:²\n".encode(),
        "has no valid port",
    ),
    Regression(
        "a directive name with a Latin-1 byte",
        "ha.cf",
        BASE_HACF + b"keep\xe9live 2\n",
        "ha.cf:6: unknown directive 'keep\\xe9live'",
    ),
    Regression(
        "an escape sequence in a node name",
        "haresources",
        b"\x1b[31malpha 10.0.0.10\n",
        "haresources:1: Bad nodename in haresources [\\x1b[31malpha]",
    ),
    Regression(
        "logfile in a missing directory",
        "ha.cf",
        BASE_HACF + b"logfile /nonexistent/hb/ha-log\n",
        "ha.cf:6: logfile /nonexistent/hb/ha-log: the directory /nonexistent/hb does not "
        "exist; create it (mkdir -p /nonexistent/hb)",
        strict_only=True,
    ),
)


@pytest.mark.parametrize("regression", REGRESSIONS, ids=lambda regression: regression.name)
def test_a_crashing_input_is_now_a_problem(regression: Regression, tmp_path: Path) -> None:
    case = Case("base", {**BASE_FILES, regression.file: regression.content}, 0o600, "alpha", ())
    plugins = load_selected(None, ())
    with offline_lookups():
        assert check_case(case, tmp_path / "ha.d", plugins) is None
        plain = run_check(tmp_path / "ha.d", plugins, "alpha", strict=False, catch_bugs=False)
        strict = run_check(tmp_path / "ha.d", plugins, "alpha", strict=True, catch_bugs=False)
    assert any(regression.expected in line for line in strict.problems), strict.problems
    assert not strict.passed
    assert plain.passed is regression.strict_only, plain.problems


def test_the_command_prints_every_crashing_input_as_lines_and_exits_1(tmp_path: Path) -> None:
    config_dir = tmp_path / "ha.d"
    hacf = b"".join(r.content.removeprefix(BASE_HACF) for r in REGRESSIONS if r.file == "ha.cf")
    write_case(
        Case("all", {**BASE_FILES, "ha.cf": BASE_HACF + hacf}, 0o600, "alpha", ()), config_dir
    )
    with offline_lookups():
        result = CliRunner().invoke(cli, ["check", "-c", str(config_dir), "--node-name", "alpha"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert lines[-1].startswith(f"hb check: {config_dir}: ")
    assert all(line.startswith(FILES) and line.isprintable() for line in lines[:-1]), lines


# --- every parser, arbitrary text: problems, never an exception --------------------------------

PLUGINS = load_selected(None, ())
NO_NET = SafetyNet(catch=False)
_WORDS = st.one_of(
    st.binary(max_size=30),
    st.sampled_from(AWKWARD_TOKENS + DIRECTIVE_NAMES),
    st.integers(1, 6000).map(lambda digits: b"9" * digits),
    st.integers(60, 300).map(lambda length: b"h" * length + b".example.com"),
    st.from_regex(rb"\A[0-9]{1,3}(\.[0-9]{1,4}){3}(/[0-9a-z.:]{0,12}){0,4}\Z"),
)
_LINES = st.lists(st.lists(_WORDS, min_size=1, max_size=6).map(b" ".join), max_size=8)
_PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _text(lines: list[bytes]) -> str:
    return b"\n".join(lines).decode("utf-8", "surrogateescape")


def _assert_shown_well(problems: list[Problem]) -> None:
    for problem in problems:
        for strict in (False, True):
            shown = problem.render(strict)
            assert shown.isprintable() and "; " in shown, shown


@_PROPERTY
@given(_LINES)
def test_any_hacf_text_gives_problems(lines: list[bytes]) -> None:
    hacf, problems = parse_hacf(_text(lines), PLUGINS.registry.directives)
    with offline_lookups():
        problems += check_host(hacf, None, PLUGINS, Path("/nonexistent/ha.d"), "alpha", NO_NET)
    _assert_shown_well(problems)


@_PROPERTY
@given(_LINES, st.lists(_WORDS.map(lambda word: word.decode("utf-8", "surrogateescape"))))
def test_any_haresources_text_gives_problems(lines: list[bytes], nodes: list[str]) -> None:
    haresources, problems = parse_haresources(_text(lines), nodes)
    settings = Settings("alpha", Path("/nonexistent/ha.d"), {"script_dirs": ("rd",)})
    context = ResourceContext(settings, {})
    problems += check_resources(haresources, PLUGINS, context, NO_NET)
    _assert_shown_well(problems)


@_PROPERTY
@given(st.lists(st.one_of(_LINES.map(b" ".join), st.builds(b"auth ".__add__, _WORDS))))
def test_any_authkeys_text_gives_problems(lines: list[bytes]) -> None:
    try:
        keys = parse_authkeys(b"\n".join(lines), PLUGINS.registry.auth_methods)
    except ConfigError as error:
        assert error.problems
        _assert_shown_well(error.problems)
    else:
        _assert_shown_well(list(keys.warnings))

"""The generation file and the uuid file, byte for byte as heartbeat keeps them; a corrupt
generation file refused, never silently restarted at 1; both written atomically."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hbcore.state import files
from hbcore.state.files import StateFileError
from hbcore.state.generation import MAX_GENERATION, next_generation, read_generation
from hbcore.state.node_uuid import load_or_create_uuid
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_SETTINGS = settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_generation_is_incremented_and_written_in_heartbeats_format(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"             41\n")
    generation = next_generation(path)
    assert (generation.value, generation.had_previous) == (42, True)
    assert path.read_bytes() == b"             42\n"
    assert len(path.read_bytes()) == 16
    assert path.stat().st_mode & 0o777 == 0o644


def test_missing_generation_is_seeded_from_the_clock(tmp_path: Path) -> None:
    before = int(time.time())
    generation = next_generation(tmp_path / "sub" / "hb_generation")
    assert generation.had_previous is False
    assert before + 1 <= generation.value <= int(time.time()) + 1


def test_an_empty_generation_file_counts_as_missing_as_in_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"  \n")
    assert next_generation(path).had_previous is False


@pytest.mark.parametrize(
    "content",
    [
        b"garbage\n",
        b"5" * 5000,  # beyond Python's int-from-text limit: once a traceback at start
        b"  12 34\n",
        b"\x00" * 16,
        "\u00b2".encode(),  # a digit to str.isdigit, not to heartbeat
        b"-5\n",
        str(MAX_GENERATION + 1).encode(),  # 2**64 - 1: cannot be incremented
        b" " * 80 + b"7\n",
    ],
    ids=lambda content: repr(content[:12]),
)
def test_a_corrupt_generation_file_is_refused_and_left_as_it_was(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as refused:
        next_generation(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: corrupt generation file: ")
    assert "drop this node's packets as replays" in message
    assert "; remove it only if" in message
    assert path.read_bytes() == content


def test_a_generation_file_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.mkdir()
    with pytest.raises(StateFileError, match=r"hb_generation: cannot read it: Is a directory"):
        next_generation(path)


def test_the_largest_generation_that_can_still_go_up_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(str(MAX_GENERATION).encode())
    assert next_generation(path).value == 2**64 - 1


def test_time_method_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"garbage")
    generation = next_generation(path, method="time")
    assert abs(generation.value - time.time()) < 5
    assert path.read_bytes() == b"garbage"


@contextmanager
def _failing_rename() -> Iterator[None]:
    """``os.replace`` fails as on a full or read-only disk, after the temporary file is
    written: the moment a crash would hit a non-atomic write."""
    original = os.replace

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    files.os.replace = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        files.os.replace = original


def test_a_failed_rewrite_leaves_the_old_generation_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"             41\n")
    with _failing_rename(), pytest.raises(StateFileError, match="No space left on device"):
        next_generation(path)
    assert path.read_bytes() == b"             41\n"
    assert os.listdir(tmp_path) == ["hb_generation"]


@_SETTINGS
@given(content=st.binary(max_size=80))
def test_any_generation_file_gives_a_generation_or_a_refusal(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(content)
    try:
        generation = next_generation(path)
    except StateFileError:
        assert path.read_bytes() == content
        return
    assert 1 <= generation.value <= 2**64 - 1
    assert path.read_bytes() == f"{generation.value:>15d}\n".encode()
    assert read_generation(path) == generation.value


def test_uuid_is_created_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "hb_uuid"
    first, created = load_or_create_uuid(path)
    assert created and len(first) == 16
    again, created_again = load_or_create_uuid(path)
    assert (again, created_again) == (first, False)
    assert path.stat().st_mode & 0o777 == 0o644


def test_uuid_file_too_short_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "hb_uuid"
    path.write_bytes(b"short")
    value, created = load_or_create_uuid(path)
    assert created and len(value) == 16 and path.read_bytes() == value


def test_a_longer_uuid_file_gives_its_first_16_bytes_as_heartbeat_reads_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hb_uuid"
    path.write_bytes(bytes(range(20)))
    assert load_or_create_uuid(path) == (bytes(range(16)), False)


def test_a_uuid_file_that_is_a_directory_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "hb_uuid"
    path.mkdir()
    with pytest.raises(StateFileError, match=r"hb_uuid: cannot read it: Is a directory; "):
        load_or_create_uuid(path)


@_SETTINGS
@given(content=st.binary(max_size=40))
def test_any_uuid_file_gives_a_uuid_of_16_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hb_uuid"
    path.write_bytes(content)
    value, created = load_or_create_uuid(path)
    assert len(value) == 16 and created == (len(content) < 16)
    assert path.read_bytes()[:16] == value

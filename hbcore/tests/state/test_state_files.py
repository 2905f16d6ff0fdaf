"""The generation file and the uuid file, byte for byte as heartbeat keeps them."""

from __future__ import annotations

import time
from pathlib import Path

from hbcore.state.generation import next_generation
from hbcore.state.node_uuid import load_or_create_uuid


def test_generation_is_incremented_and_written_in_heartbeats_format(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"             41\n")
    generation = next_generation(path)
    assert (generation.value, generation.had_previous) == (42, True)
    assert path.read_bytes() == b"             42\n"
    assert len(path.read_bytes()) == 16


def test_missing_generation_is_seeded_from_the_clock(tmp_path: Path) -> None:
    before = int(time.time())
    generation = next_generation(tmp_path / "sub" / "hb_generation")
    assert generation.had_previous is False
    assert before + 1 <= generation.value <= int(time.time()) + 1


def test_unparsable_generation_restarts_at_one(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_text("garbage\n")
    assert next_generation(path).value == 1


def test_time_method_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "hb_generation"
    path.write_bytes(b"              7\n")
    generation = next_generation(path, method="time")
    assert abs(generation.value - time.time()) < 5
    assert path.read_bytes() == b"              7\n"


def test_uuid_is_created_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "hb_uuid"
    first, created = load_or_create_uuid(path)
    assert created and len(first) == 16
    again, created_again = load_or_create_uuid(path)
    assert (again, created_again) == (first, False)


def test_uuid_file_of_wrong_length_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "hb_uuid"
    path.write_bytes(b"short")
    value, created = load_or_create_uuid(path)
    assert created and len(value) == 16 and path.read_bytes() == value

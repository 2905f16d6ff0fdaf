"""This node's uuid (``srcuuid`` on the wire): 16 raw bytes in ``hb_uuid``, random at the first
start and kept from then on."""

from __future__ import annotations

import uuid
from pathlib import Path

from hbcore.state.files import read_small, write_atomically

UUID_LENGTH = 16


def read_uuid(path: Path) -> bytes | None:
    """The uuid on file, or None when there is none to use (missing, or shorter than 16
    bytes); like heartbeat, only the first 16 bytes of a longer file count.

    :raises StateFileError: when the file exists but cannot be read (a directory, an I/O
        error).
    """
    stored = read_small(path, UUID_LENGTH)
    return stored if stored is not None and len(stored) == UUID_LENGTH else None


def load_or_create_uuid(path: Path) -> tuple[bytes, bool]:
    """Return the node uuid and whether it was created now.

    A missing or short file is replaced by a new uuid, as heartbeat does with a file it
    cannot read ("No uuid found for current node - generating a new uuid.").

    :raises StateFileError: when the file cannot be read, or a new one cannot be written.
    """
    stored = read_uuid(path)
    if stored is not None:
        return stored, False
    created = uuid.uuid4().bytes
    write_atomically(path, created)
    return created, True

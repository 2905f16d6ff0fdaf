"""This node's uuid (``srcuuid`` on the wire): 16 raw bytes in ``hb_uuid``, random at the first
start and kept from then on."""

from __future__ import annotations

import uuid
from pathlib import Path

UUID_LENGTH = 16


def load_or_create_uuid(path: Path) -> tuple[bytes, bool]:
    """Return the node uuid and whether it was created now.

    A file of the wrong length is replaced by a new uuid, as heartbeat does with a file it
    cannot read.
    """
    try:
        stored = path.read_bytes()
    except FileNotFoundError:
        stored = b""
    if len(stored) == UUID_LENGTH:
        return stored, False
    created = uuid.uuid4().bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(created)
    path.chmod(0o644)
    return created, True

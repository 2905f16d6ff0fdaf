"""Small state files written so that a crash leaves the old content or the new, never a mix,
and the one error every state file raises."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class StateFileError(Exception):
    """A state file that cannot be used: ``path``, what is wrong with it and how to fix it.

    Prints as ``hb check`` prints a problem: ``FILE: what is wrong; how to fix``.
    """

    def __init__(self, path: Path, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem}; {fix}")
        self.path = path
        self.problem = problem
        self.fix = fix


def read_small(path: Path, limit: int) -> bytes | None:
    """The first ``limit`` bytes of ``path``, or None when it does not exist.

    :raises StateFileError: when it exists but cannot be read (a directory, an I/O error).
    """
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateFileError(
            path, f"cannot read it: {error.strerror or error}", "fix or remove it"
        ) from None


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` by a file holding ``data``: a temporary file in the same directory,
    synced, renamed over ``path``, then the directory synced, so that after a crash or a
    power cut the file holds either the old content or the new.

    :raises StateFileError: when the directory cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise StateFileError(
            path, f"cannot write it: {error.strerror or error}", "check its directory"
        ) from None
    try:
        try:
            os.fchmod(descriptor, mode)
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
        _sync_directory(path.parent)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise StateFileError(
            path, f"cannot write it: {error.strerror or error}", "check the file system"
        ) from None


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

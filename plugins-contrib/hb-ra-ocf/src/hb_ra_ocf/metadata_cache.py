"""Running an agent's ``meta-data`` action once per agent file and process.

OCF requires ``meta-data`` to work without parameters and to change nothing; it takes a few
milliseconds. It is run synchronously only off the event loop (``hb check``, the start-up and
reload checks, which run before the loop or in a worker thread), and with asyncio on it. The
answer, or the reason there is none, is cached by the file's identity (device, inode, size,
mtime), so an agent upgraded in place is read again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from hb_ra_ocf.metadata import LIMIT, MetaData, MetaDataError, parse_metadata

TIMEOUT_SECONDS = 10.0
"""How long ``meta-data`` may take (agents declare 5 s for it)."""

FileIdentity = tuple[str, int, int, int, int]
_cache: dict[FileIdentity, MetaData | MetaDataError] = {}


def cached(path: Path) -> MetaData | MetaDataError | None:
    """What ``meta-data`` of ``path`` answered before (its reason when it failed), or None
    when it was not run for the file as it is now."""
    identity = _identity(path)
    return None if identity is None else _cache.get(identity)


def read(path: Path, environment: Mapping[str, str]) -> MetaData:
    """``path meta-data``, run now unless cached. Blocks for up to :data:`TIMEOUT_SECONDS`:
    never call it on the event loop. Raises :class:`MetaDataError`."""
    known = cached(path)
    if known is None:
        try:
            found: MetaData | MetaDataError = parse_metadata(_run_blocking(path, environment))
        except MetaDataError as error:
            found = error
        known = _store(path, found)
    return _answer(known)


async def read_async(path: Path, environment: Mapping[str, str]) -> MetaData:
    """:func:`read` for the event loop: the agent runs as an asyncio subprocess."""
    known = cached(path)
    if known is not None:
        return _answer(known)
    try:
        data = await _run_async(path, environment)
        found: MetaData | MetaDataError = parse_metadata(data)
    except MetaDataError as error:
        found = error
    return _answer(_store(path, found))


def _answer(known: MetaData | MetaDataError) -> MetaData:
    if isinstance(known, MetaDataError):
        raise known
    return known


def _store(path: Path, found: MetaData | MetaDataError) -> MetaData | MetaDataError:
    identity = _identity(path)
    if identity is not None:
        _cache[identity] = found
    return found


def _identity(path: Path) -> FileIdentity | None:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _run_blocking(path: Path, environment: Mapping[str, str]) -> bytes:
    with _output_files() as (output, errors):
        try:
            child = subprocess.Popen(
                [str(path), "meta-data"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=errors,
                env=dict(environment),
                start_new_session=True,
            )
        except OSError as error:
            raise MetaDataError(f"cannot run {path} meta-data: {error.strerror}") from None
        try:
            returncode = child.wait(TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(child.pid)
            child.wait()
            returncode = None
        return _result(path, returncode, output, errors)


async def _run_async(path: Path, environment: Mapping[str, str]) -> bytes:
    with _output_files() as (output, errors):
        try:
            child = await asyncio.create_subprocess_exec(
                str(path),
                "meta-data",
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=errors,
                env=dict(environment),
                start_new_session=True,
            )
        except OSError as error:
            raise MetaDataError(f"cannot run {path} meta-data: {error.strerror}") from None
        try:
            returncode: int | None = await asyncio.wait_for(child.wait(), TIMEOUT_SECONDS)
        except TimeoutError:
            _kill(child.pid)
            await child.wait()
            returncode = None
        except asyncio.CancelledError:
            _kill(child.pid)
            raise
        return _result(path, returncode, output, errors)


@contextlib.contextmanager
def _output_files() -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    # Files rather than pipes: a blocking wait with pipes could deadlock on a full pipe, and
    # reading a file afterwards bounds what is read.
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        yield output, errors


def _result(path: Path, returncode: int | None, output: IO[bytes], errors: IO[bytes]) -> bytes:
    if returncode is None:
        raise MetaDataError(f"{path} meta-data did not answer within {TIMEOUT_SECONDS:g} s")
    output.seek(0)
    data = output.read(LIMIT + 1)
    if returncode != 0:
        errors.seek(0)
        said = errors.read(400).decode(errors="replace").strip().splitlines()
        why = f": {said[-1]}" if said else ""
        raise MetaDataError(f"{path} meta-data exited with status {returncode}{why}")
    return data


def _kill(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)

"""The node's side of the control socket.

A client writes one JSON object (``{"command": "status"}``) and a newline; the node answers
with one JSON object and closes. Handlers are plain functions of the request: they read the
node's state and never block the loop.

Whatever a client sends, it gets one answer or a clean close, and the server keeps serving: a
line over :data:`MAX_REQUEST_BYTES` or nested deeper than :data:`MAX_DEPTH` gets an error
answer, a handler that raises gets ``{"ok": false, "error": ...}`` and one log line, and a
client that says nothing is dropped after ``idle_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("hb.control")

Handler = Callable[[Mapping[str, Any]], Mapping[str, Any]]
MAX_REQUEST_BYTES = 65536
"""The longest request line, newline excluded; a real one is under 100 bytes."""
MAX_DEPTH = 8
"""The deepest nesting of arrays and objects a request may have; a real one has 1."""
IDLE_TIMEOUT_S = 5.0


class ControlServer:
    """Serves ``handlers`` (command name -> handler) on a unix socket at ``path``."""

    def __init__(
        self, path: Path, handlers: Mapping[str, Handler], idle_timeout: float = IDLE_TIMEOUT_S
    ) -> None:
        self.path = path
        self.handlers = dict(handlers)
        self.idle_timeout = idle_timeout
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Listen; a stale socket file from a dead node is replaced (the pid file lock
        guarantees no live node uses it). Mode 0600 (root only)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._server = await asyncio.start_unix_server(
            self._serve, path=str(self.path), limit=MAX_REQUEST_BYTES
        )
        self.path.chmod(0o600)

    async def stop(self) -> None:
        """Stop listening and remove the socket file."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            answer = await asyncio.wait_for(self._answer(reader), self.idle_timeout)
            if answer is not None:
                writer.write(_encode(answer))
                await writer.drain()
        except (TimeoutError, ConnectionError) as error:
            log.debug(f"control client went away: {error!r}")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> Mapping[str, Any] | None:
        """The answer to the client's request; None when it closed without sending a byte."""
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as short:
            if not short.partial:
                return None
            line = short.partial  # the client's end of file ends its request
        except asyncio.LimitOverrunError:
            return _refusal(f"request longer than {MAX_REQUEST_BYTES} bytes")
        return self._dispatch(line)

    def _dispatch(self, line: bytes) -> Mapping[str, Any]:
        try:
            request = json.loads(line)
        except RecursionError:
            return _refusal(f"request nested deeper than {MAX_DEPTH} levels")
        except ValueError:  # UnicodeDecodeError too
            return _refusal("request is not JSON")
        if not isinstance(request, dict):
            return _refusal("request is not a JSON object")
        if _depth(request) > MAX_DEPTH:
            return _refusal(f"request nested deeper than {MAX_DEPTH} levels")
        command = request.get("command")
        handler = self.handlers.get(command) if isinstance(command, str) else None
        if handler is None:
            known = ", ".join(sorted(self.handlers))
            return _refusal(f"unknown command; known: {known}")
        try:
            return {"ok": True, **handler(request)}
        except Exception as error:  # one bad command must not take the socket down
            log.error(f"control command {command} failed: {type(error).__name__}: {error}")
            return _refusal(f"command {command} failed: {type(error).__name__}: {error}")


def _refusal(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _encode(answer: Mapping[str, Any]) -> bytes:
    """One JSON line; a handler's answer that JSON cannot carry becomes an error answer."""
    try:
        return json.dumps(answer).encode() + b"\n"
    except (TypeError, ValueError) as error:
        log.error(f"control answer cannot be encoded: {error}")
        return json.dumps(_refusal("the answer cannot be encoded")).encode() + b"\n"


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), counted without
    recursion and without going further than one level past :data:`MAX_DEPTH`."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                children = item.values() if isinstance(item, dict) else item
                pending.extend((child, depth) for child in children)
    return deepest

"""The node's side of the control socket.

A client writes one JSON object (``{"command": "status"}``) and a newline; the node answers
with one JSON object and closes. Handlers are plain functions of the request: they read the
node's state and never block the loop.
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


class ControlServer:
    """Serves ``handlers`` (command name -> handler) on a unix socket at ``path``."""

    def __init__(self, path: Path, handlers: Mapping[str, Handler]) -> None:
        self.path = path
        self.handlers = dict(handlers)
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Listen; a stale socket file from a dead node is replaced. Mode 0600 (root only)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.path))
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
            line = await asyncio.wait_for(reader.readline(), 5)
            answer = self._answer(line[:MAX_REQUEST_BYTES])
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        except (TimeoutError, ConnectionError) as error:
            log.debug(f"control client went away: {error}")
        finally:
            writer.close()

    def _answer(self, line: bytes) -> Mapping[str, Any]:
        try:
            request = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "request is not JSON"}
        if not isinstance(request, dict):
            return {"ok": False, "error": "request is not a JSON object"}
        handler = self.handlers.get(str(request.get("command")))
        if handler is None:
            known = ", ".join(sorted(self.handlers))
            return {"ok": False, "error": f"unknown command; known: {known}"}
        return {"ok": True, **handler(request)}

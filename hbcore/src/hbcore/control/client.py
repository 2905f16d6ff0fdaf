"""The command-line side of the control socket."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

TIMEOUT_S = 5.0


class NodeNotRunning(Exception):
    """No node answers on the control socket."""


def ask(path: Path, command: str, **arguments: Any) -> dict[str, Any]:
    """Send one request to the node listening at ``path`` and return its answer.

    Raises :class:`NodeNotRunning` when nobody listens there.
    """
    request = json.dumps({"command": command, **arguments}).encode() + b"\n"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT_S)
            connection.connect(str(path))
            connection.sendall(request)
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except (FileNotFoundError, ConnectionRefusedError) as error:
        raise NodeNotRunning(f"no hb node is listening on {path} ({error.strerror})") from None
    result: dict[str, Any] = json.loads(answer)
    return result

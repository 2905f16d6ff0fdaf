"""The command-line side of the control socket."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

TIMEOUT_S = 5.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""Far above a status of hundreds of nodes; a bound so that a wrong peer cannot fill memory."""


class NodeNotRunning(Exception):
    """No node answers on the control socket (nobody listens, or no usable answer came)."""


def ask(path: Path, command: str, **arguments: Any) -> dict[str, Any]:
    """Send one request to the node listening at ``path`` and return its answer, a JSON
    object: ``{"ok": true, ...}``, or ``{"ok": false, "error": ...}`` when the node refused
    the request.

    :raises NodeNotRunning: when nobody listens there, or the node gives no answer (within
        :data:`TIMEOUT_S`) that is a JSON object.
    """
    request = json.dumps({"command": command, **arguments}).encode() + b"\n"
    answer = b""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT_S)
            connection.connect(str(path))
            connection.sendall(request)
            while not answer.endswith(b"\n") and len(answer) <= MAX_ANSWER_BYTES:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except TimeoutError:
        raise NodeNotRunning(
            f"no answer from the hb node on {path} within {TIMEOUT_S:g} s"
        ) from None
    except OSError as error:
        raise NodeNotRunning(
            f"no hb node is listening on {path} ({error.strerror or error})"
        ) from None
    try:
        result = json.loads(answer)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        raise NodeNotRunning(f"the hb node on {path} gave no usable answer")
    return result

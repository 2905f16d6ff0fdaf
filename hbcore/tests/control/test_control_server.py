"""The control socket: whatever a client sends, it gets one JSON answer or a clean close, and
the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import structlog
from hbcore.control import client
from hbcore.control.client import NodeNotRunning, ask
from hbcore.control.server import MAX_DEPTH, MAX_REQUEST_BYTES, ControlServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

IDLE_TIMEOUT_S = 0.2


def _status(_request: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"node": "linuxha1", "status": "active"}


def _broken(_request: Mapping[str, Any]) -> Mapping[str, Any]:
    raise RuntimeError("the node table is being rebuilt")


def _unencodable(_request: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"when": object()}


class Served:
    """A :class:`ControlServer` on its own loop in a thread, for blocking clients."""

    def __init__(self, path: Path) -> None:
        self.path = path
        handlers = {"status": _status, "broken": _broken, "unencodable": _unencodable}
        self.server = ControlServer(path, handlers, idle_timeout=IDLE_TIMEOUT_S)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def exchange(self, data: bytes, end: bool = True) -> bytes:
        """Send ``data`` (then end of file when ``end``); return all the server said."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(10)
            connection.connect(str(self.path))
            connection.sendall(data)
            if end:
                connection.shutdown(socket.SHUT_WR)
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
            return received

    def answer(self, data: bytes) -> dict[str, Any]:
        said = self.exchange(data)
        assert said.endswith(b"\n") and said.count(b"\n") == 1
        answer: dict[str, Any] = json.loads(said)
        return answer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with Served(tmp_path_factory.mktemp("run") / "hb" / "control.sock") as running:
        yield running


@pytest.fixture
def logged() -> Iterator[list[dict[str, Any]]]:
    with structlog.testing.capture_logs() as records:
        yield records


def test_status_is_answered_and_the_socket_is_root_only(served: Served) -> None:
    assert served.answer(b'{"command": "status"}\n') == {
        "ok": True,
        "node": "linuxha1",
        "status": "active",
    }
    assert served.path.stat().st_mode & 0o777 == 0o600


def test_the_client_library_asks_and_gets_the_answer(served: Served) -> None:
    assert ask(served.path, "status")["node"] == "linuxha1"
    assert ask(served.path, "standby", hold="all") == {
        "ok": False,
        "error": "unknown command; known: broken, status, unencodable",
    }


@pytest.mark.parametrize(
    ("request_line", "error"),
    [
        (b"status\n", "request is not JSON"),
        (b"\xff\xfe\n", "request is not JSON"),
        (b"\n", "request is not JSON"),
        (b"[1, 2]\n", "request is not a JSON object"),
        (b'{"command": ["status"]}\n', "unknown command; known: broken, status, unencodable"),
        (
            b'{"command": "' + b"9" * 5000 + b'"}',
            "unknown command; known: broken, status, unencodable",
        ),
        (b'{"command": 1' + b"9" * 5000 + b"}\n", "request is not JSON"),  # int() digit limit
    ],
)
def test_a_request_that_is_not_a_command_gets_an_error_answer(
    served: Served, request_line: bytes, error: str
) -> None:
    assert served.answer(request_line) == {"ok": False, "error": error}


def test_a_line_over_the_limit_gets_an_error_answer_not_silence(served: Served) -> None:
    line = b'{"command": "status", "pad": "' + b"x" * (MAX_REQUEST_BYTES + 10) + b'"}\n'
    assert served.answer(line) == {
        "ok": False,
        "error": f"request longer than {MAX_REQUEST_BYTES} bytes",
    }


def test_a_line_of_exactly_the_limit_is_served(served: Served) -> None:
    line = b'{"command": "status"}'.ljust(MAX_REQUEST_BYTES) + b"\n"
    assert served.answer(line)["ok"] is True
    too_long = b'{"command": "status"}'.ljust(MAX_REQUEST_BYTES + 1) + b"\n"
    assert served.answer(too_long)["ok"] is False


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 30000])
def test_deeply_nested_json_gets_an_error_answer(
    served: Served, depth: int, logged: list[dict[str, Any]]
) -> None:
    nested = b'{"command": "status", "x": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}\n"
    assert served.answer(nested) == {
        "ok": False,
        "error": f"request nested deeper than {MAX_DEPTH} levels",
    }
    assert logged == []


def test_nesting_up_to_the_limit_is_served(served: Served) -> None:
    nested = b'{"command": "status", "x": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    assert served.answer(nested + b"}\n")["ok"] is True


def test_a_handler_that_raises_gets_an_error_answer_and_one_log_line(
    served: Served, logged: list[dict[str, Any]]
) -> None:
    assert served.answer(b'{"command": "broken"}\n') == {
        "ok": False,
        "error": "command broken failed: RuntimeError: the node table is being rebuilt",
    }
    assert [(record["log_level"], record["event"]) for record in logged] == [
        ("error", "control command broken failed: RuntimeError: the node table is being rebuilt")
    ]
    assert served.answer(b'{"command": "status"}\n')["ok"] is True


def test_an_answer_json_cannot_carry_becomes_an_error_answer(
    served: Served, logged: list[dict[str, Any]]
) -> None:
    assert served.answer(b'{"command": "unencodable"}\n') == {
        "ok": False,
        "error": "the answer cannot be encoded",
    }
    assert len(logged) == 1 and logged[0]["log_level"] == "error"


def test_a_client_that_says_nothing_is_dropped_quietly(
    served: Served, logged: list[dict[str, Any]]
) -> None:
    assert served.exchange(b"", end=False) == b""  # closed after the idle timeout
    assert served.exchange(b"", end=True) == b""  # closed at once
    assert served.exchange(b'{"command": "st', end=False) == b""
    assert all(record["log_level"] == "debug" for record in logged)


def test_a_request_without_newline_ended_by_end_of_file_is_served(served: Served) -> None:
    assert served.answer(b'{"command": "status"}')["ok"] is True


_requests = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=20,
    ).map(lambda value: json.dumps({"command": "status", "x": value}).encode() + b"\n"),
    st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"', b":", b",", b"\n", b"status"])).map(
        b"".join
    ),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_requests)
def test_any_bytes_get_one_json_answer_or_a_clean_close(served: Served, data: bytes) -> None:
    said = served.exchange(data)
    if said:
        assert said.endswith(b"\n") and said.count(b"\n") == 1
        answer = json.loads(said)
        assert isinstance(answer, dict) and isinstance(answer["ok"], bool)
        assert answer["ok"] or isinstance(answer["error"], str)
    else:
        assert data == b""
    assert served.answer(b'{"command": "status"}\n')["ok"] is True  # still serving


def test_the_client_reports_a_node_that_does_not_answer(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with pytest.raises(NodeNotRunning, match="no hb node is listening on"):
        ask(path, "status")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen()
        client.TIMEOUT_S, before = 0.05, client.TIMEOUT_S
        try:
            with pytest.raises(NodeNotRunning, match="no answer from the hb node"):
                ask(path, "status")
        finally:
            client.TIMEOUT_S = before


def test_the_client_reports_an_answer_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wrong:
        wrong.bind(str(path))
        wrong.listen()
        replier = threading.Thread(target=_reply_once, args=(wrong, b"ok\n"))
        replier.start()
        with pytest.raises(NodeNotRunning, match="gave no usable answer"):
            ask(path, "status")
        replier.join(10)


def _reply_once(listener: socket.socket, reply: bytes) -> None:
    connection, _ = listener.accept()
    with connection:
        connection.recv(65536)
        connection.sendall(reply)

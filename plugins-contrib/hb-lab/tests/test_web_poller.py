"""The demo's client: an answer that breaks off half-way (the address moved during the
request) is no answer, never the end of the poller."""

from __future__ import annotations

import socket
import threading

from hb_lab.web import NO_ANSWER, ask


def test_an_answer_cut_off_half_way_is_no_answer_and_the_poller_goes_on() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)  # a poller that gave up never leaves the thread waiting
    port = server.getsockname()[1]

    def answer_then_break_off() -> None:
        for body in (b"", b"linuxha2\n"):
            connection, _ = server.accept()
            with connection:
                connection.recv(4096)
                length = len(body) if body else 9  # the first promises 9 bytes, sends none
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % length)
                connection.sendall(body)

    serving = threading.Thread(target=answer_then_break_off, daemon=True)
    serving.start()
    try:
        assert ask(f"http://127.0.0.1:{port}/") == NO_ANSWER
        assert ask(f"http://127.0.0.1:{port}/") == "linuxha2"
    finally:
        serving.join(timeout=5)
        server.close()

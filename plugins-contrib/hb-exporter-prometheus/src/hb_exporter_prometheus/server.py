"""The HTTP side: a small server that never touches the node's loop objects, and never makes the
loop wait on it.

Each request asks :class:`LoopSource` for the figures. The source hands out the last ones taken
when they are fresh enough, else asks the loop to take new ones (``call_soon_threadsafe``) and
waits for them with a timeout; a stalled loop therefore costs a scrape an ``hb_up 0``, and a
slow or stalled client costs a worker of its own, never the loop a moment: the loop's whole part
is one snapshot per :data:`MAX_AGE_S` at most, whatever the number of clients.

What would hold the interpreter's lock for long, and so the loop back from a heartbeat, happens
before the node's first heartbeat or not at all: every module a scrape uses is imported with
this one (when the node builds its monitors), and the threads (an acceptor and
:data:`MAX_CLIENTS` workers) are started with the server. A scrape starts no thread: a thread
start holds the lock while the kernel maps the new stack (0.1 to 0.3 ms with the node's
``MCL_ONFAULT`` and 256 KiB stacks, 3 to 4 ms under a plain ``mlockall``, which locks an 8 MiB
stack in full), and each new thread may give the process a malloc arena. A scrape's own work
in a worker (about a millisecond of pure Python) gives the lock up between metric families
(:data:`hb_exporter_prometheus.metrics.YIELD_S`), so the loop waits for it a family at most.

Clients are bounded (:data:`MAX_CLIENTS` at once, the rest closed at once) and each socket has a
timeout, so a client that connects and never reads or writes holds a worker for at most
:data:`CLIENT_TIMEOUT_S`. Only ``GET`` and ``HEAD`` are served: the page writes nothing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from hb_exporter_prometheus.listen import Listen
from hb_exporter_prometheus.metrics import HbCollector
from hb_exporter_prometheus.page import render_page
from hb_exporter_prometheus.published import Published

FETCH_TIMEOUT_S = 1.0
"""How long a request waits for the loop to hand over figures."""
MAX_AGE_S = 0.5
"""Figures younger than this are served again rather than asked anew."""
MAX_CLIENTS = 8
"""Connections served at once; more are closed at once."""
CLIENT_TIMEOUT_S = 10.0
"""A client's socket times out after this long without progress."""


class LoopSource:
    """Figures taken on ``loop`` by ``take`` (called there), for threads."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        take: Callable[[], Published],
        timeout_s: float = FETCH_TIMEOUT_S,
        max_age_s: float = MAX_AGE_S,
    ) -> None:
        self._loop = loop
        self._take = take
        self._timeout_s = timeout_s
        self._max_age_s = max_age_s
        self._lock = threading.Lock()
        self._latest: Published | None = None
        self._pending: concurrent.futures.Future[Published] | None = None

    def get(self) -> Published | None:
        """Figures at most ``max_age_s`` old, or None when the loop did not hand any over
        within ``timeout_s`` (stalled, or closed). Called from any thread but the loop's."""
        with self._lock:
            latest = self._latest
            if latest is not None and time.monotonic() - latest.taken < self._max_age_s:
                return latest
            answer = self._pending
            if answer is None:  # one request to the loop, however many clients wait for it
                answer = self._pending = concurrent.futures.Future()
                try:
                    self._loop.call_soon_threadsafe(self._take_into, answer)
                except RuntimeError:  # the loop is closed: the node is gone
                    self._pending = None
                    return None
        try:
            published: Published | None = answer.result(self._timeout_s)
        except Exception:  # timed out, or the view raised: no figures for this request
            published = None
        with self._lock:
            if self._pending is answer and answer.done():  # else still queued on the loop
                self._pending = None
            if published is not None:
                self._latest = published
        return published

    def prime(self) -> None:
        """On the loop: take the first figures now (before the node's first heartbeat), so that
        the first scrape finds them, and the first taking is not paid while the node runs."""
        with self._lock:
            self._latest = self._take()

    def _take_into(self, answer: concurrent.futures.Future[Published]) -> None:
        """On the loop: take the figures for the requests waiting on ``answer``."""
        try:
            answer.set_result(self._take())
        except Exception as error:  # handed to the requests, which answer without figures
            answer.set_exception(error)


class MetricsServer:
    """``/metrics``, ``/`` (the status page) and ``/status.json`` on ``listen``, served from
    daemon threads. Binds when built (``OSError`` when it cannot); :meth:`start` serves."""

    def __init__(self, listen: Listen, source: Callable[[], Published | None], version: str):
        registry = CollectorRegistry(auto_describe=False)
        registry.register(HbCollector(source, version))
        server_class = _Server6 if ":" in listen.host else _Server
        self._httpd = server_class((listen.host, listen.port), _handler(registry, source))

    @property
    def port(self) -> int:
        """The port it listens on (the one asked for, or the kernel's choice for 0)."""
        return int(self._httpd.server_address[1])

    def start(self) -> None:
        """Start the acceptor and the workers: every thread the server will ever use."""
        self._httpd.start_threads()

    def stop(self) -> None:
        """Stop serving and close the socket; blocks up to half a second (serve_forever's
        poll): call it from a worker thread, not the loop. A worker busy with a client ends
        after it (at most :data:`CLIENT_TIMEOUT_S`)."""
        self._httpd.stop_threads()
        self._httpd.server_close()


class _Server(HTTPServer):
    """An acceptor thread hands each connection to one of :data:`MAX_CLIENTS` workers started
    with it; a connection that finds every worker busy is closed at once."""

    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._idle = threading.BoundedSemaphore(MAX_CLIENTS)
        self._work: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        super().__init__(address, handler)

    def start_threads(self) -> None:
        self._threads = [
            threading.Thread(target=self.serve_forever, name="hb metrics", daemon=True),
            *(
                threading.Thread(target=self._worker, name="hb metrics worker", daemon=True)
                for _ in range(MAX_CLIENTS)
            ),
        ]
        for thread in self._threads:
            thread.start()

    def stop_threads(self) -> None:
        if not self._threads:
            return
        self.shutdown()
        for _ in range(MAX_CLIENTS):
            self._work.put(None)
        self._threads = []

    def process_request(self, request: Any, client_address: Any) -> None:
        """On the acceptor: hand the connection to an idle worker, or close it."""
        if self._idle.acquire(blocking=False):
            self._work.put((request, client_address))
        else:
            self.shutdown_request(request)

    def _worker(self) -> None:
        while (work := self._work.get()) is not None:
            request, client_address = work
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
                self._idle.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished or timed out: nothing to report (the default prints a
        traceback to standard error)."""


class _Server6(_Server):
    address_family = socket.AF_INET6


def _handler(
    registry: CollectorRegistry, source: Callable[[], Published | None]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = CLIENT_TIMEOUT_S
        server_version = "hb-exporter-prometheus"

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
                self._send(200, content_type, encoder(registry), body)
            elif path in ("/", "/index.html"):
                page = render_page(source()).encode()
                self._send(200, "text/html; charset=utf-8", page, body)
            elif path == "/status.json":
                published = source()
                if published is None:
                    self._send(503, "text/plain; charset=utf-8", b"no figures in time\n", body)
                    return
                figures = {"snapshot": published.snapshot, "events": list(published.events)}
                text = json.dumps(figures, sort_keys=True).encode()
                self._send(200, "application/json", text, body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n", body)

        def _send(self, status: int, content_type: str, content: bytes, body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            """Requests are not logged: a scrape every few seconds would drown the log."""

    return Handler

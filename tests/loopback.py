"""Real HTTP servers on 127.0.0.1 for tests of Puente's outbound HTTP: recorded answers, faults on demand.

`Loopback(app)` serves `app(request) -> Answer` on a free port in a thread and records every request.
`Silent()` is a listening socket that never answers (a client's timeout must fire, no timed assertion).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str          # without the query
    query: dict[str, str]
    headers: dict[str, str]
    target: str        # path and query as sent

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    truncate_at: int | None = None  # send the full Content-Length but only this many bytes, then close
    no_length: bool = False         # no Content-Length: the body ends when the connection closes
    trickle: bool = False           # one byte every 20 ms, never ending (a total timeout must stop the client)


App = Callable[[Request], Answer]


class Loopback:
    """A threaded HTTP/1.1 server on 127.0.0.1; `requests` lists what it received, in order."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                return

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm and the client's
                # delayed ACK hold the body back ~40 ms on every keep-alive request
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:  # read, so the connection can be kept alive
                    self.rfile.read(length)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                request = Request(self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()},
                                  self.path)
                with outer._lock:
                    outer.requests.append(request)
                answer = outer.app(request)
                self.send_response(answer.status)
                headers = dict(answer.headers)
                if answer.no_length:
                    headers["Connection"] = "close"
                    self.close_connection = True
                else:
                    headers.setdefault("Content-Length", str(len(answer.body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                if answer.trickle:
                    try:
                        while True:
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(0.02)
                    except OSError:  # the client gave up
                        self.close_connection = True
                        return
                if answer.truncate_at is not None:
                    self.wfile.write(answer.body[:answer.truncate_at])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(answer.body)

            do_GET = _serve
            do_HEAD = _serve
            do_POST = _serve
            do_PUT = _serve
            do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> Loopback:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def __enter__(self) -> Loopback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Silent:
    """A TCP port that accepts connections (the kernel's backlog) and never answers a byte."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.socket.close()


@contextmanager
def serving(app: App) -> Iterator[Loopback]:
    with Loopback(app) as server:
        yield server

"""A real Puente server on loopback with small limits, shared by the hostile-input tests."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from bench.server import running_server

SLOW = "puente-test-slow-step"
LIMITS = {"PUENTE_MAX_BODY_BYTES": "2000000", "PUENTE_MAX_RECORDS": "400", "PUENTE_MAX_LITERAL_CHARS": "100000",
          "PUENTE_VALIDATION_TIMEOUT_S": "3", "PUENTE_WORKERS": "1", "PUENTE_LOG_LEVEL": "WARNING"}


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None and httpx.get(f"{self.url}/health", timeout=5).status_code == 200


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with running_server(LIMITS) as (url, process):
        yield Server(url=url, process=process)


@pytest.fixture(scope="session")
def slow_server() -> Iterator[Server]:
    """A 2 s limit, and a slow step the tests install: a body holding SLOW pauses its validation past the limit,
    whatever the machine's speed."""
    settings = {**LIMITS, "PUENTE_TEST_SLOW_MARKER": SLOW, "PUENTE_VALIDATION_TIMEOUT_S": "2"}
    with running_server(settings) as (url, process):
        yield Server(url=url, process=process)


@dataclass
class Recorder:
    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture()
def recorder() -> Iterator[Recorder]:
    """A loopback HTTP server that records every request: proof that Puente fetched nothing."""
    found = Recorder(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            found.hits.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {"t": "http://purl.org/dc/terms/title"}}')

        def log_message(self, *args: object) -> None:
            return

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield found
    httpd.shutdown()

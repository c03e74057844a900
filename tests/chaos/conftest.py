"""Real Puente servers on loopback for the chaos tests: processes are killed for real, clients misbehave for real.

No test depends on the machine's speed: a validation that must be slow holds PUENTE_TEST_SLOW_MARKER (it then
pauses until the time limit stops it), and every bound below is generous for a loaded two-core machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from bench.procs import process_name, tree_pids
from bench.server import running_server

SLOW = "puente-chaos-slow-step"
SETTINGS = {"PUENTE_WORKERS": "2", "PUENTE_VALIDATION_TIMEOUT_S": "4", "PUENTE_TEST_SLOW_MARKER": SLOW,
            "PUENTE_MAX_BODY_BYTES": "3000000", "PUENTE_MAX_REPORT_BYTES": "20000000", "PUENTE_WRITE_TIMEOUT_S": "2",
            "PUENTE_BODY_TIMEOUT_S": "2", "PUENTE_LOG_LEVEL": "WARNING"}
HEALTH_S = 1.0  # /health must always answer within this
SMALL = json.dumps({"id": "abcd-0001", "name": "Vista", "description": "Datos.", "viewType": "tabular",
                    "createdAt": 1580136451}).encode()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    health_times: list[float] = field(default_factory=list)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=120, limits=httpx.Limits(
        max_connections=100, max_keepalive_connections=100)))  # one for every thread: no TLS set-up per request

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def processes(self, name: str) -> list[int]:
        """The server's descendants of that name (puente-zygote, puente-worker)."""
        return [pid for pid in tree_pids(self.process.pid) if process_name(pid) == name]

    def workers(self, count: int, *, within_s: float = 20) -> list[int]:
        """The worker processes, once `count` of them run, have named themselves (a worker is named just after the
        zygote forks it, until then it has the zygote's name) and /health agrees."""
        deadline = time.monotonic() + within_s
        while True:
            found = self.processes("puente-worker")
            state = self.health()["workers"]
            settled = len(found) == count and len(self.processes("puente-zygote")) == 1
            if (settled and state["idle"] + state["busy"] == count) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def health(self) -> dict[str, object]:
        """GET /health, timed (the time is kept: tests assert on the slowest)."""
        started = time.monotonic()
        response = httpx.get(f"{self.url}/health", timeout=30)
        self.health_times.append(time.monotonic() - started)
        found: dict[str, object] = response.json()
        return found

    def validate(self, body: bytes, media: str = "application/json", *, accept: str = "application/json",
                 path: str = "/validate", timeout: float = 60) -> httpx.Response:
        return self.client.post(f"{self.url}{path}", content=body, headers={"content-type": media, "accept": accept},
                                timeout=timeout)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Two workers, a 4 s limit, small caps; shared by the tests that leave it healthy (they check it)."""
    with running_server(SETTINGS, access_log=False) as (url, process):
        yield Server(url=url, process=process)


@pytest.fixture()
def fresh() -> Iterator[Server]:
    """A server of its own (for tests that kill it, or measure it from its start)."""
    with running_server(SETTINGS, access_log=False) as (url, process):
        yield Server(url=url, process=process)


_PROBE = """
import http.client, sys, time
port, stop = int(sys.argv[1]), time.monotonic() + 600
while time.monotonic() < stop:
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/health")
        status = connection.getresponse().status
        connection.close()
    except OSError as error:
        status = repr(error)
    print(time.monotonic() - started, status, flush=True)
    if sys.stdin in __import__("select").select([sys.stdin], [], [], 0.1)[0]:
        break
"""


class HealthProbe:
    """/health asked every 0.1 s, on a new connection each time, by a process of its own (so that the test's own
    threads cannot delay it) while a test works; `slowest` is the longest answer."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.times: list[float] = []
        self.failures: list[str] = []
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> HealthProbe:
        self._process = subprocess.Popen([sys.executable, "-c", _PROBE, str(self.server.port)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None and self._process.stdin is not None
        output, _ = self._process.communicate("stop\n", timeout=120)
        for line in output.splitlines():
            seconds, status = line.split(" ", 1)
            self.times.append(float(seconds))
            if status != "200":
                self.failures.append(status)
        assert self.times, "the probe measured nothing"

    @property
    def slowest(self) -> float:
        return max(self.times, default=0.0)


def problem(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, object]:
    """A problem+json answer of that status (and type), never a stack trace."""
    assert response.status_code == status, response.text[:400]
    assert response.headers["content-type"] == "application/problem+json"
    found: dict[str, object] = response.json()
    assert found["status"] == status and found["detail"] and "Traceback" not in response.text
    if slug is not None:
        assert str(found["type"]).endswith("/" + slug), found["type"]
    return found

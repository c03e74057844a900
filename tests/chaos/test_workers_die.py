"""Workers killed (kill -9, what the OOM killer does) while idle or mid-request: every request gets an answer
(200, or a 503 problem for the one whose worker died), the pool heals, /health answers throughout
(issue 19, defects 1 and 6)."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.server import running_server
from tests.chaos.conftest import HEALTH_S, SETTINGS, SLOW, SMALL, HealthProbe, Server, problem


def _concurrently(server: Server, count: int) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: server.validate(SMALL, timeout=60), range(count)))


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_killed_while_idle(workers: int) -> None:
    """Kill -9 every idle worker, then send two validations at once: both answered, and every one after."""
    with running_server({**SETTINGS, "PUENTE_WORKERS": str(workers)}, access_log=False) as (url, process):
        server = Server(url=url, process=process)
        for round_ in range(2):  # twice: the replacements die as cleanly as the first ones
            for pid in server.workers(workers):
                os.kill(pid, signal.SIGKILL)
            started = time.monotonic()
            with HealthProbe(server) as probe:
                answers = _concurrently(server, 2)
            assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
            assert time.monotonic() - started < 30
            assert probe.slowest < HEALTH_S and not probe.failures
            assert all(a.json()["source"] == "socrata" for a in _concurrently(server, 4))
            assert len(server.workers(workers)) == workers, f"round {round_}"
        assert server.health()["workers"]["replaced"] >= 2 * workers  # type: ignore[index]


def test_a_worker_killed_mid_request_is_a_503_and_the_next_requests_are_served(server: Server) -> None:
    """A slow validation holds a worker; killing it answers that request with a 503 problem (not a 500, not a
    reset), and the connections and requests after it are served."""
    slow = SMALL.replace(b"Datos.", SLOW.encode())
    answer: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answer.append(server.validate(slow, timeout=60)))
    thread.start()
    deadline = time.monotonic() + 20
    while server.health()["workers"]["busy"] != 1 and time.monotonic() < deadline:  # type: ignore[index]
        time.sleep(0.05)
    for pid in server.workers(2):  # the busy one and the idle one
        os.kill(pid, signal.SIGKILL)
    thread.join(timeout=60)
    problem(answer[0], 503, "worker-failed")
    with httpx.Client(base_url=server.url, timeout=60) as client:  # keep-alive: the same connection, five times
        for _ in range(5):
            response = client.post("/validate", content=SMALL, headers={"content-type": "application/json"})
            assert response.status_code == 200
    assert max(server.health_times) < HEALTH_S


def test_the_time_limit_holds_and_the_worker_is_replaced(server: Server) -> None:
    slow = SMALL.replace(b"Datos.", SLOW.encode())
    started = time.monotonic()
    found = problem(server.validate(slow), 503, "validation-timeout")
    assert "4 s" in str(found["detail"]) and time.monotonic() - started < 30
    assert len(server.workers(2)) == 2
    assert server.validate(SMALL).status_code == 200

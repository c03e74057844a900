"""Link checks against a real HTTP server on 127.0.0.1 (200, 301, 404, 405-then-200, 501-then-GET, a server that
never answers), through a plain httpx fetch standing in for the service's safe client."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.quality.linkcheck import LinkCheck, LinkChecker, LinkPolicy, LinkRefused, host_of, is_due, is_reachable

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SEEN: Counter[tuple[str, str]] = Counter()


class Handler(BaseHTTPRequestHandler):
    def _answer(self, method: str) -> None:
        SEEN[(method, self.path)] += 1
        status = {"/ok": 200, "/moved": 301, "/missing": 404, "/broken": 500}.get(self.path)
        if self.path == "/no-head":
            status = 405 if method == "HEAD" else 200
        if self.path == "/not-implemented":
            status = 501 if method == "HEAD" else 503
        self.send_response(status or 404)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 (the standard library's naming)
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                held.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


class HttpxFetch:
    """A plain fetch for tests: no redirects followed, status only."""

    def __init__(self) -> None:
        self.client = httpx.AsyncClient(follow_redirects=False, timeout=None)

    async def __call__(self, method: str, url: str) -> int:
        response = await self.client.request(method, url)
        return response.status_code


def run(urls: list[str], *, policy: LinkPolicy | None = None, clock: datetime = NOW,
        cache: dict[str, LinkCheck] | None = None) -> dict[str, LinkCheck]:
    async def go() -> dict[str, LinkCheck]:
        fetch = HttpxFetch()
        try:
            checker = LinkChecker(fetch, clock=lambda: clock, policy=policy)
            return await checker.check_all(urls, cache=cache)
        finally:
            await fetch.client.aclose()

    return asyncio.run(go())


def test_statuses(server: str) -> None:
    SEEN.clear()
    results = run([f"{server}/ok", f"{server}/moved", f"{server}/missing", f"{server}/no-head",
                   f"{server}/not-implemented", f"{server}/broken"])
    view = {url.rsplit("/", 1)[-1]: (r.status, r.reachable, r.method, r.error) for url, r in results.items()}
    assert view == {
        "ok": (200, True, "HEAD", None),
        "moved": (301, True, "HEAD", None),        # a redirect is an answer; not followed
        "missing": (404, False, "HEAD", None),
        "no-head": (200, True, "GET", None),       # 405 to HEAD, then GET
        "not-implemented": (503, False, "GET", None),  # 501 to HEAD, then GET: its status is kept
        "broken": (500, False, "HEAD", None),
    }
    assert SEEN[("GET", "/ok")] == 0 and SEEN[("GET", "/moved")] == 0  # redirects are not followed
    assert SEEN[("HEAD", "/no-head")] == 1 and SEEN[("GET", "/no-head")] == 1
    assert all(r.checked_at == NOW for r in results.values())


def test_a_server_that_never_answers_times_out(silent: str) -> None:
    result = run([f"{silent}/data.csv"], policy=LinkPolicy(timeout_s=0.5))[f"{silent}/data.csv"]
    assert result.model_dump() == {"url": f"{silent}/data.csv", "status": None, "reachable": False, "method": "HEAD",
                                   "error": "timeout", "checked_at": NOW}


def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    result = run([f"http://127.0.0.1:{port}/x"])[f"http://127.0.0.1:{port}/x"]
    assert result.error == "unreachable" and not result.reachable and result.status is None


@pytest.mark.parametrize("url", ["ftp://example.org/f", "not a url", "http://", "mailto:a@b.c", "http://[x"])
def test_what_is_not_an_http_url_is_not_fetched(url: str) -> None:
    async def refuse(method: str, target: str) -> int:
        raise AssertionError("must not be fetched")

    result = asyncio.run(LinkChecker(refuse, clock=lambda: NOW).check(url))
    assert result.error == "invalid-url" and not result.reachable


def test_a_fetch_refusal_is_reported() -> None:
    async def unsafe(method: str, url: str) -> int:
        raise LinkRefused("private address")

    result = asyncio.run(LinkChecker(unsafe, clock=lambda: NOW).check("http://10.0.0.1/x"))
    assert result.error == "refused" and result.status is None


def test_results_are_reused_until_the_recheck_interval(server: str) -> None:
    SEEN.clear()
    cache: dict[str, LinkCheck] = {}
    policy = LinkPolicy(recheck_after=timedelta(days=7))
    run([f"{server}/ok", f"{server}/ok"], policy=policy, cache=cache)  # the same URL twice: checked once
    assert SEEN[("HEAD", "/ok")] == 1 and cache[f"{server}/ok"].checked_at == NOW
    again = run([f"{server}/ok"], policy=policy, clock=NOW + timedelta(days=6), cache=cache)
    assert SEEN[("HEAD", "/ok")] == 1 and again[f"{server}/ok"].checked_at == NOW  # reused
    later = run([f"{server}/ok"], policy=policy, clock=NOW + timedelta(days=7), cache=cache)
    assert SEEN[("HEAD", "/ok")] == 2 and later[f"{server}/ok"].checked_at == NOW + timedelta(days=7)
    assert cache[f"{server}/ok"].checked_at == NOW + timedelta(days=7)


def test_per_host_and_total_concurrency() -> None:
    """Twelve URLs on two hosts: never more than `per_host` at once on a host, nor `concurrency` in all."""
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    total_peak = 0

    async def fetch(method: str, url: str) -> int:
        nonlocal total_peak
        host = host_of(url) or ""
        in_flight[host] += 1
        peak[host] = max(peak[host], in_flight[host])
        total_peak = max(total_peak, sum(in_flight.values()))
        await asyncio.sleep(0.01)  # every task that can start has started before any finishes
        in_flight[host] -= 1
        return 200

    urls = [f"https://{host}.example/{n}" for host in ("a", "b") for n in range(6)]

    async def go(policy: LinkPolicy) -> dict[str, LinkCheck]:
        return await LinkChecker(fetch, clock=lambda: NOW, policy=policy).check_all(urls)

    results = asyncio.run(go(LinkPolicy(per_host=2, concurrency=16)))
    assert len(results) == 12 and all(r.reachable for r in results.values())
    assert peak == Counter({"a.example": 2, "b.example": 2}) and total_peak == 4
    peak.clear()
    total_peak = 0
    asyncio.run(go(LinkPolicy(per_host=5, concurrency=3)))
    assert total_peak == 3


def test_policy_helpers() -> None:
    assert [is_reachable(s) for s in (None, 199, 200, 299, 301, 399, 400, 404, 500)] == [
        False, False, True, True, True, True, False, False, False]
    check = LinkCheck(url="https://a.example/", status=200, reachable=True, method="HEAD", checked_at=NOW)
    policy = LinkPolicy(recheck_after=timedelta(hours=1))
    assert is_due(None, now=NOW, policy=policy)
    assert not is_due(check, now=NOW + timedelta(minutes=59), policy=policy)
    assert is_due(check, now=NOW + timedelta(hours=1), policy=policy)
    assert host_of("HTTPS://Datos.Gov.CO:443/x") == "datos.gov.co" and host_of("file:///etc/passwd") is None

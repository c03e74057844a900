"""SafeClient against real HTTP servers on 127.0.0.1: refusals, redirects, retries, limits, conditional GET."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable, Iterator
from email.utils import formatdate

import pytest

from app.errors import FetchError, UnsafeUrlError
from app.i18n import render
from app.net.client import HttpPolicy, RequestCounter, SafeClient
from app.net.limits import HostLimiter
from tests.loopback import Answer, Loopback, Request, Silent

OPEN = HttpPolicy(allow_private=True, retries=3, backoff_s=1.0, per_host_rate=0, read_timeout_s=5.0,
                  connect_timeout_s=5.0, total_timeout_s=20.0)
CLOSED = HttpPolicy(allow_private=False, retries=0, per_host_rate=0)


class Recorder:
    """A sleep that records the waits instead of waiting (tests must not depend on time)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def ok(request: Request) -> Answer:
    return Answer(200, b'{"ok": true}', {"Content-Type": "application/json"})


@pytest.fixture()
def server() -> Iterator[Loopback]:
    with Loopback(ok) as running:
        yield running


def client(policy: HttpPolicy = OPEN, **options: object) -> SafeClient:
    return SafeClient(policy, sleep=options.pop("sleep", Recorder()), **options)  # type: ignore[arg-type]


def sequence(*answers: Answer) -> Callable[[Request], Answer]:
    """Answer with each of `answers` in turn, then the last one again and again."""
    state = {"n": 0}
    lock = threading.Lock()

    def app(request: Request) -> Answer:
        with lock:
            index = min(state["n"], len(answers) - 1)
            state["n"] += 1
        return answers[index]

    return app


# -- SSRF ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    "http://127.0.0.1:{port}/", "http://[::ffff:127.0.0.1]:{port}/", "http://2130706433:{port}/",
    "http://0x7f.1:{port}/", "http://127.1:{port}/", "http://[::1]:{port}/",
    "http://localhost:{port}/", "http://LOCALHOST.:{port}/x", "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/", "http://10.0.0.1/", "http://192.168.0.1/", "http://100.64.0.1/",
    "http://[fe80::1]/", "http://0.0.0.0:{port}/", "http://[::]:{port}/", "http://[64:ff9b::7f00:1]:{port}/",
])
def test_internal_addresses_are_refused_before_any_request(server: Loopback, template: str) -> None:
    url = template.format(port=server.port)
    with client(CLOSED) as http, pytest.raises(UnsafeUrlError) as refused:
        http.fetch(url)
    assert server.requests == []
    assert http.requests == 0
    assert refused.value.url == url
    spanish, english = render(refused.value.detail, "es"), render(refused.value.detail, "en")
    assert url in spanish and url in english
    assert "PUENTE_ALLOW_PRIVATE_URLS" in english and "no la consulta" in spanish


def test_the_refusal_says_why_in_both_languages(server: Loopback) -> None:
    with client(CLOSED) as http, pytest.raises(UnsafeUrlError) as refused:
        http.fetch("http://169.254.169.254/latest/meta-data/")
    assert "cloud metadata service" in render(refused.value.detail, "en")
    assert "metadatos de la nube" in render(refused.value.detail, "es")
    assert refused.value.status == 400


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/",
                                 "javascript:alert(1)", "data:text/plain,hi", "http:///no-host", "http://exa mple.org/",
                                 "http://%31%32%37.0.0.1/", "http://0177.0.0.1/"])  # httpx refuses octal itself
def test_only_http_and_https_with_a_valid_host(url: str) -> None:
    with client(CLOSED) as http, pytest.raises(UnsafeUrlError):
        http.fetch(url)
    assert http.requests == 0


def test_a_public_name_that_resolves_to_loopback_is_refused_when_connecting(server: Loopback) -> None:
    """The check that matters happens on the resolved address, where the connection is made."""
    resolver_calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        resolver_calls.append(host)
        return ["127.0.0.1"]

    with client(CLOSED, resolver=resolver) as http, pytest.raises(UnsafeUrlError) as refused:
        http.fetch(f"http://portal.example:{server.port}/")
    assert resolver_calls == ["portal.example"]
    assert server.requests == []
    assert "127.0.0.1" in render(refused.value.detail, "en")


def test_one_internal_address_among_public_ones_refuses_the_host(server: Loopback) -> None:
    with client(CLOSED, resolver=lambda host, port: ["8.8.8.8", "10.0.0.7"]) as http, \
            pytest.raises(UnsafeUrlError) as refused:
        http.fetch("http://mixed.example/")
    assert "10.0.0.7" in render(refused.value.detail, "en")


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(server: Loopback) -> None:
    """Resolved once by Puente's resolver and connected to that address: the system resolver never sees the
    name (it could not resolve it), and the server still receives the name in the Host header."""
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    with client(OPEN, resolver=resolver) as http:
        answer = http.fetch(f"http://portal.example:{server.port}/data").expect_ok()
    assert answer.body == b'{"ok": true}'
    assert calls == ["portal.example"]
    assert server.requests[0].headers["host"] == f"portal.example:{server.port}"


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://[::ffff:127.0.0.1]:{port}/secret",
                                    "http://2130706433:{port}/secret", "http://0x7f.1:{port}/secret",
                                    "http://localhost:{port}/secret", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_to_an_internal_address_is_refused(target: str) -> None:
    """The first hop is a public name (routed to a loopback fake, as a test must); the hop it redirects to is
    checked again and refused: the internal server never receives the request."""
    with Loopback(ok) as internal:
        location = target.format(port=internal.port)
        with Loopback(lambda r: Answer(302, b"", {"Location": location})) as portal:
            routes = {("portal.example", 80): ("127.0.0.1", portal.port)}
            with client(CLOSED, connect_to=routes) as http, pytest.raises(UnsafeUrlError) as refused:
                http.fetch("http://portal.example/dataset")
            assert len(portal.requests) == 1
            assert internal.requests == []
            english = render(refused.value.detail, "en")
            assert "http://portal.example/dataset redirects to" in english and location in english


def test_a_redirect_to_a_name_resolving_inside_is_refused_when_connecting() -> None:
    with Loopback(ok) as internal:
        with Loopback(lambda r: Answer(301, b"", {"Location": f"http://intranet.example:{internal.port}/"})) as portal:
            routes = {("portal.example", 80): ("127.0.0.1", portal.port)}
            with client(CLOSED, connect_to=routes, resolver=lambda h, p: ["192.168.1.20"]) as http, \
                    pytest.raises(UnsafeUrlError) as refused:
                http.fetch("http://portal.example/")
            assert internal.requests == []
            assert "redirects to" in render(refused.value.detail, "en")
            assert "192.168.1.20" in render(refused.value.detail, "en")


def test_a_redirect_to_another_scheme_is_refused() -> None:
    with Loopback(lambda r: Answer(302, b"", {"Location": "file:///etc/passwd"})) as portal:
        with client(OPEN) as http, pytest.raises(UnsafeUrlError) as refused:
            http.fetch(portal.url + "/")
    assert "file:///etc/passwd" in render(refused.value.detail, "en")


def test_environment_proxies_are_ignored(server: Loopback, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy would be a connection Puente did not check: HTTP(S)_PROXY are not used."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    with client(OPEN) as http:
        assert http.fetch(server.url + "/").ok


# -- redirects -----------------------------------------------------------------------------------------------

def test_redirects_are_followed_and_listed() -> None:
    def app(request: Request) -> Answer:
        hops = {"/a": "/b", "/b": "c", "/c": None}
        target = hops[request.path]
        return Answer(200, b"end") if target is None else Answer(301, b"", {"Location": target})

    with Loopback(app) as portal, client(OPEN) as http:
        answer = http.fetch(portal.url + "/a")
    assert answer.body == b"end" and answer.url == portal.url + "/c"
    assert answer.redirects == (portal.url + "/a", portal.url + "/b")
    assert http.requests == 3


def test_redirects_are_bounded() -> None:
    with Loopback(lambda r: Answer(302, b"", {"Location": r.path + "x"})) as portal:
        with client(HttpPolicy(allow_private=True, max_redirects=3, per_host_rate=0)) as http, \
                pytest.raises(FetchError) as failed:
            http.fetch(portal.url + "/r")
    assert len(portal.requests) == 4
    assert "3" in render(failed.value.detail, "en")


# -- retries ---------------------------------------------------------------------------------------------------

def test_429_with_retry_after_seconds_is_honoured() -> None:
    sleep = Recorder()
    app = sequence(Answer(429, b"slow down", {"Retry-After": "2"}), Answer(429, b"", {"Retry-After": "3"}),
                   Answer(200, b"fine"))
    with Loopback(app) as portal, client(OPEN, sleep=sleep) as http:
        answer = http.fetch(portal.url + "/")
    assert answer.body == b"fine"
    assert sleep.waits == [2.0, 3.0]
    assert len(portal.requests) == 3 and http.requests == 3


def test_retry_after_as_an_http_date() -> None:
    sleep = Recorder()
    now = 1_800_000_000.0
    app = sequence(Answer(503, b"", {"Retry-After": formatdate(now + 7, usegmt=True)}), Answer(200, b"fine"))
    with Loopback(app) as portal, client(OPEN, sleep=sleep, wallclock=lambda: now) as http:
        assert http.fetch(portal.url + "/").ok
    assert sleep.waits == [7.0]


def test_a_retry_after_longer_than_the_cap_is_reported_not_waited() -> None:
    sleep = Recorder()
    with Loopback(lambda r: Answer(429, b"", {"Retry-After": "3600"})) as portal, \
            client(OPEN, sleep=sleep) as http:
        answer = http.fetch(portal.url + "/")
        with pytest.raises(FetchError) as failed:
            answer.expect_ok()
    assert answer.status == 429 and sleep.waits == [] and len(portal.requests) == 1
    assert "3600" in render(failed.value.detail, "en") and failed.value.status_code == 429


def test_server_errors_are_retried_with_exponential_backoff_and_jitter() -> None:
    sleep = Recorder()
    app = sequence(Answer(500), Answer(502), Answer(503), Answer(200, b"at last"))
    with Loopback(app) as portal, client(OPEN, sleep=sleep, random=lambda: 0.0) as http:
        assert http.fetch(portal.url + "/").body == b"at last"
    assert sleep.waits == [0.5, 1.0, 2.0]  # base 1 s × 2ⁿ, jitter factor 0.5 with random() = 0

    sleep = Recorder()
    with Loopback(sequence(Answer(500), Answer(200))) as portal, \
            client(OPEN, sleep=sleep, random=lambda: 0.999) as http:
        http.fetch(portal.url + "/")
    assert 0.99 < sleep.waits[0] < 1.0


def test_retries_end_with_the_last_answer() -> None:
    with Loopback(lambda r: Answer(503, b"down")) as portal, client(OPEN) as http:
        answer = http.fetch(portal.url + "/")
        assert answer.status == 503 and answer.body == b"down"
        with pytest.raises(FetchError) as failed:
            answer.expect_ok()
    assert len(portal.requests) == 4  # one try and three retries
    assert failed.value.status == 502 and "503" in render(failed.value.detail, "es")


def test_client_errors_are_not_retried() -> None:
    with Loopback(lambda r: Answer(404)) as portal, client(OPEN) as http:
        assert http.fetch(portal.url + "/").status == 404
    assert len(portal.requests) == 1


def test_a_truncated_body_is_retried_then_reported() -> None:
    body = b"x" * 1000
    with Loopback(sequence(Answer(200, body, truncate_at=10), Answer(200, body))) as portal, client(OPEN) as http:
        assert http.fetch(portal.url + "/").body == body
    assert len(portal.requests) == 2

    with Loopback(lambda r: Answer(200, body, truncate_at=10)) as portal, client(OPEN) as http, \
            pytest.raises(FetchError) as failed:
        http.fetch(portal.url + "/")
    assert len(portal.requests) == 4
    assert portal.url in render(failed.value.detail, "en")


def test_a_refused_connection_is_retried_then_reported() -> None:
    silent = Silent()
    port = silent.port
    silent.close()  # nothing listens there any more
    sleep = Recorder()
    with client(OPEN, sleep=sleep) as http, pytest.raises(FetchError) as failed:
        http.fetch(f"http://127.0.0.1:{port}/")
    assert http.requests == 4 and len(sleep.waits) == 3
    assert "connection" in render(failed.value.detail, "en")


# -- timeouts and size -----------------------------------------------------------------------------------------

def test_a_server_that_never_answers_times_out() -> None:
    silent = Silent()
    try:
        policy = HttpPolicy(allow_private=True, retries=1, read_timeout_s=0.2, per_host_rate=0)
        with client(policy) as http, pytest.raises(FetchError) as failed:
            http.fetch(silent.url + "/")
        assert http.requests == 2  # a timeout is retried once here, then reported
        assert "did not answer in time" in render(failed.value.detail, "en")
        assert "0.2" in render(failed.value.detail, "en")
    finally:
        silent.close()


def test_a_server_that_trickles_forever_hits_the_total_timeout() -> None:
    """Each byte comes well within the read timeout; only the total limit can end this request."""
    with Loopback(lambda r: Answer(200, b"", trickle=True, no_length=True)) as portal:
        policy = HttpPolicy(allow_private=True, retries=0, read_timeout_s=5.0, total_timeout_s=0.3, per_host_rate=0)
        with client(policy) as http, pytest.raises(FetchError) as failed:
            http.fetch(portal.url + "/")
    assert "0.3" in render(failed.value.detail, "en")


@pytest.mark.parametrize("answer", [
    Answer(200, b"y" * 5000),                                  # declared too large: refused before reading
    Answer(200, b"y" * 5000, no_length=True),                  # undeclared: refused while streaming
    Answer(200, gzip.compress(b"\0" * 5_000_000), {"Content-Encoding": "gzip"}),  # small on the wire, huge inside
], ids=["declared", "streamed", "gzip"])
def test_answers_larger_than_the_limit_are_refused(answer: Answer) -> None:
    with Loopback(lambda r: answer) as portal:
        with client(HttpPolicy(allow_private=True, max_bytes=1000, per_host_rate=0)) as http, \
                pytest.raises(FetchError) as failed:
            http.fetch(portal.url + "/big")
    assert len(portal.requests) == 1  # not retried
    assert "1000 bytes" in render(failed.value.detail, "en")


def test_a_smaller_limit_per_call() -> None:
    with Loopback(lambda r: Answer(200, b"z" * 200)) as portal, client(OPEN) as http:
        assert len(http.fetch(portal.url + "/").body) == 200
        with pytest.raises(FetchError):
            http.fetch(portal.url + "/", max_bytes=100)


# -- conditional GET, headers, HEAD --------------------------------------------------------------------------

def test_conditional_get_with_etag_and_last_modified() -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"

    def app(request: Request) -> Answer:
        if request.headers.get("if-none-match") == '"v1"' or request.headers.get("if-modified-since") == stamp:
            return Answer(304)
        return Answer(200, b"catalogue", {"ETag": '"v1"', "Last-Modified": stamp})

    with Loopback(app) as portal, client(OPEN) as http:
        first = http.fetch(portal.url + "/data.json")
        assert first.ok and first.etag == '"v1"' and first.last_modified == stamp
        again = http.fetch(portal.url + "/data.json", etag=first.etag)
        assert again.not_modified and again.body == b"" and again.expect_ok() is again
        assert http.fetch(portal.url + "/data.json", last_modified=stamp).not_modified


def test_user_agent_names_puente_and_its_docs(server: Loopback) -> None:
    with client(HttpPolicy(allow_private=True, contact_url="https://puente.example.org/about")) as http:
        http.fetch(server.url + "/", accept="application/json")
    agent = server.requests[0].headers["user-agent"]
    assert agent.startswith("Puente/") and "https://puente.example.org/about" in agent
    assert server.requests[0].headers["accept"] == "application/json"


def test_head_reads_no_body(server: Loopback) -> None:
    with client(OPEN) as http:
        answer = http.fetch(server.url + "/", method="HEAD")
    assert answer.ok and answer.body == b"" and server.requests[0].method == "HEAD"
    with pytest.raises(ValueError):
        SafeClient(OPEN).fetch(server.url + "/", method="POST")


def test_requests_are_counted_per_client_and_per_caller() -> None:
    app = sequence(Answer(500), Answer(302, b"", {"Location": "/b"}), Answer(200))
    counter = RequestCounter()
    with Loopback(app) as portal, client(OPEN) as http:
        http.fetch(portal.url + "/a", counter=counter)
        assert counter.count == 3 and http.requests == 3 == len(portal.requests)


# -- politeness ------------------------------------------------------------------------------------------------

def test_per_host_concurrency_is_limited() -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}
    release = threading.Event()

    def app(request: Request) -> Answer:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        release.wait(timeout=2)
        with lock:
            state["now"] -= 1
        return Answer(200, b"ok")

    with Loopback(app) as portal, client(HttpPolicy(allow_private=True, per_host_concurrency=2, per_host_rate=0)) \
            as http:
        threads = [threading.Thread(target=http.fetch, args=(portal.url + f"/{n}",)) for n in range(6)]
        for thread in threads:
            thread.start()
        release.set()
        for thread in threads:
            thread.join()
    assert len(portal.requests) == 6
    assert state["max"] <= 2


def test_per_host_rate_spaces_request_starts() -> None:
    """A fake clock that only moves when the limiter sleeps: the waits are exactly the spacing the rate asks."""
    clock = {"t": 100.0}

    def sleep(seconds: float) -> None:
        clock["t"] += seconds

    limiter = HostLimiter(concurrency=4, rate=2.0, clock=lambda: clock["t"], sleep=sleep)
    for _ in range(5):
        with limiter.slot("portal.example"):
            pass
    assert clock["t"] == pytest.approx(102.0)  # five starts at 2 a second: 0, 0.5, 1.0, 1.5, 2.0
    with limiter.slot("other.example"):
        pass
    assert clock["t"] == pytest.approx(102.0)  # another host has its own budget
    limiter.configure("slow.example", rate=0.5)
    with limiter.slot("slow.example"):
        pass
    with limiter.slot("slow.example"):
        pass
    assert clock["t"] == pytest.approx(104.0)


def test_policy_from_settings() -> None:
    from app.settings import Settings

    policy = HttpPolicy.from_settings(Settings(allow_private_urls=True, http_max_bytes=123, http_retries=1))
    assert policy.allow_private and policy.max_bytes == 123 and policy.retries == 1
    assert HttpPolicy.from_settings(Settings()).allow_private is False

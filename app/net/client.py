"""SafeClient: GET and HEAD to other servers, vetted, bounded, retried, polite and counted.

    with SafeClient(HttpPolicy.from_settings(get_settings())) as client:
        page = client.fetch("https://datos.gob.cl/api/3/action/package_search?rows=1000").expect_ok()
        page.body  # at most policy.max_bytes bytes

What it guarantees (tests/net): only http/https; every hop of a redirect chain is checked again; the host is
resolved once and the connection goes to the checked address (app/net/backend.py); connect, read and total
timeouts; a body larger than the limit is refused while streaming; 408/425/429/5xx and broken connections are
retried with exponential backoff and jitter, honouring Retry-After up to a cap; per-host concurrency and rate
limits (app/net/limits.py); conditional GET (ETag / Last-Modified → 304); every request counted. Refusals and
failures are FetchError / UnsafeUrlError naming the URL, in Spanish and English.
"""

from __future__ import annotations

import random as _random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import TracebackType
from urllib.parse import urljoin

import httpcore
import httpx

from app import __version__
from app.errors import FetchError, UnsafeUrlError
from app.i18n import LocalText, compose, text
from app.net.addresses import is_local_name, is_valid_name, parse_ip, refusal
from app.net.backend import DEADLINE, AddressRefused, HostUnresolved, Resolver, VettedBackend
from app.net.limits import HostLimiter
from app.net.retry import RETRY_STATUSES, Backoff, parse_retry_after
from app.settings import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SHOWN_URL = 300  # longest URL quoted in a message


@dataclass(frozen=True)
class HttpPolicy:
    """The limits every outbound request obeys (PUENTE_HTTP_* settings)."""

    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 120.0
    max_bytes: int = 50_000_000
    max_redirects: int = 5
    retries: int = 3
    backoff_s: float = 1.0
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 120.0
    per_host_concurrency: int = 4
    per_host_rate: float = 5.0
    allow_private: bool = False
    contact_url: str = "https://w3id.org/puente"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> HttpPolicy:
        policy = cls(connect_timeout_s=settings.http_connect_timeout_s, read_timeout_s=settings.http_read_timeout_s,
                     total_timeout_s=settings.http_total_timeout_s, max_bytes=settings.http_max_bytes,
                     max_redirects=settings.http_max_redirects, retries=settings.http_retries,
                     backoff_s=settings.http_backoff_s, max_retry_after_s=settings.http_max_retry_after_s,
                     per_host_concurrency=settings.http_per_host_concurrency,
                     per_host_rate=settings.http_per_host_rate, allow_private=settings.allow_private_urls,
                     contact_url=settings.http_contact_url)
        return replace(policy, **overrides)  # type: ignore[arg-type]

    @property
    def user_agent(self) -> str:
        return f"Puente/{__version__} (+{self.contact_url})"


class RequestCounter:
    """How many HTTP requests were sent (every attempt and every redirect hop); safe across threads."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def count(self) -> int:
        return self._count


@dataclass(frozen=True)
class Fetched:
    """One answer: final URL, status, headers (lower-case names) and the body (empty for HEAD, 304, a redirect)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    redirects: tuple[str, ...] = ()   # the URLs that redirected here, in order
    retry_after: float | None = None  # what the server asked to wait, when it said
    retry_cap: float = 0.0

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def expect_ok(self) -> Fetched:
        """This answer when it is 2xx or 304, else a FetchError naming the URL and the status."""
        if self.ok or self.not_modified:
            return self
        shown = shown_url(self.url)
        if self.retry_after is not None and self.retry_after > self.retry_cap:
            detail = text("detail.fetch_retry_after", url=shown, status=self.status,
                          seconds=round(self.retry_after), cap=round(self.retry_cap))
        else:
            detail = text("detail.fetch_status", url=shown, status=self.status)
        raise FetchError(detail, url=self.url, status_code=self.status)


def shown_url(url: str) -> str:
    return url if len(url) <= _SHOWN_URL else url[:_SHOWN_URL] + "…"


class _VettedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose network backend is Puente's VettedBackend.

    httpx does not take a network backend as an argument, so the pool it made is replaced by an equivalent one
    (same SSL context and limits) built with the backend: the one private attribute this relies on is checked
    by tests/net (a refusal at connect time proves the backend is in use)."""

    def __init__(self, backend: VettedBackend, *, max_connections: int) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=max_connections,
            max_keepalive_connections=max_connections, keepalive_expiry=5.0, network_backend=backend)


@dataclass
class _Attempt:
    fetched: Fetched | None = None
    error: FetchError | None = None
    retryable: bool = False
    elapsed: float = field(default=0.0)


class SafeClient:
    """The one way Puente fetches a URL (see the module docstring). Thread-safe; close it (or use `with`)."""

    def __init__(self, policy: HttpPolicy, *, limiter: HostLimiter | None = None,
                 sleep: Callable[[float], None] = time.sleep, random: Callable[[], float] = _random.random,
                 wallclock: Callable[[], float] = time.time, resolver: Resolver | None = None,
                 connect_to: Mapping[tuple[str, int], tuple[str, int]] | None = None) -> None:
        self.policy = policy
        self.limiter = limiter or HostLimiter(concurrency=policy.per_host_concurrency, rate=policy.per_host_rate,
                                              sleep=sleep)
        self.counter = RequestCounter()
        self.backend = VettedBackend(allow_private=policy.allow_private, resolver=resolver, connect_to=connect_to)
        self._sleep, self._random, self._wallclock = sleep, random, wallclock
        self._backoff = Backoff(policy.backoff_s, policy.backoff_max_s)
        timeout = httpx.Timeout(connect=policy.connect_timeout_s, read=policy.read_timeout_s,
                                write=policy.read_timeout_s, pool=policy.total_timeout_s)
        self._http = httpx.Client(transport=_VettedTransport(self.backend, max_connections=64), timeout=timeout,
                                  follow_redirects=False, trust_env=False,
                                  headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"})

    # -- public API ------------------------------------------------------------------------------------------

    @property
    def requests(self) -> int:
        """Requests sent by this client so far (every attempt and redirect hop)."""
        return self.counter.count

    def check_url(self, url: str, *, came_from: str | None = None) -> httpx.URL:
        """The URL parsed, or UnsafeUrlError when Puente must not fetch it (scheme, host, a literal address it
        must not reach). Names are checked again, after resolution, when connecting."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise UnsafeUrlError(text("detail.url_invalid", url=shown_url(url), message=str(exc)[:200]),
                                 url=url) from exc
        if parsed.scheme not in ("http", "https"):
            key = "detail.url_redirect_scheme" if came_from else "detail.url_scheme"
            raise UnsafeUrlError(text(key, url=shown_url(came_from or url), target=shown_url(url),
                                      scheme=parsed.scheme[:20]), url=url)
        host = parsed.host
        if not host:
            raise UnsafeUrlError(text("detail.url_invalid", url=shown_url(url), message="no host"), url=url)
        try:
            literal = parse_ip(host)
        except ValueError as exc:
            raise UnsafeUrlError(text("detail.url_invalid", url=shown_url(url), message=str(exc)[:200]),
                                 url=url) from exc
        if literal is None and not is_local_name(host) and not is_valid_name(parsed.raw_host.decode("ascii")):
            raise UnsafeUrlError(text("detail.url_invalid", url=shown_url(url), message="host name"), url=url)
        if not self.policy.allow_private:
            if literal is not None and (reason := refusal(literal)) is not None:
                raise self._refused(url, host, str(literal), reason.value, came_from=came_from)
            if literal is None and is_local_name(host):
                raise self._refused(url, host, host, "loopback", came_from=came_from)
        return parsed

    def fetch(self, url: str, *, method: str = "GET", accept: str | None = None,
              headers: Mapping[str, str] | None = None, etag: str | None = None, last_modified: str | None = None,
              read_body: bool = True, max_bytes: int | None = None, counter: RequestCounter | None = None) -> Fetched:
        """GET (or HEAD) `url`, following at most policy.max_redirects redirects, each hop checked again.

        `etag` / `last_modified`: a conditional GET (a 304 answer has `not_modified`). The answer comes back
        whatever its status (link checks want a 404 as data); `.expect_ok()` turns a failure into a FetchError.
        Raises UnsafeUrlError (refused URL or hop) and FetchError (timeout, connection, size, redirects)."""
        if method not in ("GET", "HEAD"):
            raise ValueError("SafeClient sends GET and HEAD only")
        current = self.check_url(url)
        request_headers: dict[str, str] = dict(headers or {})
        if accept:
            request_headers["Accept"] = accept
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        visited: list[str] = []
        for _ in range(self.policy.max_redirects + 1):
            answer = self._send(method, current, request_headers, read_body=read_body and method == "GET",
                                limit=limit, counter=counter, came_from=visited[-1] if visited else None)
            location = answer.headers.get("location")
            if answer.status in REDIRECT_STATUSES and location:
                target = urljoin(str(current), location.strip())
                visited.append(str(current))
                current = self.check_url(target, came_from=str(current))
                continue
            return replace(answer, redirects=tuple(visited))
        raise FetchError(text("detail.fetch_redirects", url=shown_url(url), limit=self.policy.max_redirects), url=url)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # -- one request, retried --------------------------------------------------------------------------------

    def _send(self, method: str, url: httpx.URL, headers: Mapping[str, str], *, read_body: bool, limit: int,
              counter: RequestCounter | None, came_from: str | None) -> Fetched:
        retries = max(0, self.policy.retries)
        attempt = 0
        while True:
            outcome = self._attempt(method, url, headers, read_body=read_body, limit=limit, counter=counter,
                                    may_retry=attempt < retries, came_from=came_from)
            if outcome.fetched is not None:
                fetched = outcome.fetched
                if not (fetched.status in RETRY_STATUSES and attempt < retries):
                    return fetched
                if fetched.retry_after is not None:
                    if fetched.retry_after > self.policy.max_retry_after_s:
                        return fetched  # the server wants more patience than Puente has: report it now
                    wait = fetched.retry_after
                else:
                    wait = self._backoff.delay(attempt, random=self._random)
            else:
                assert outcome.error is not None
                if not (outcome.retryable and attempt < retries):
                    raise outcome.error
                wait = self._backoff.delay(attempt, random=self._random)
            self._sleep(wait)
            attempt += 1

    def _attempt(self, method: str, url: httpx.URL, headers: Mapping[str, str], *, read_body: bool, limit: int,
                 counter: RequestCounter | None, may_retry: bool, came_from: str | None) -> _Attempt:
        shown = shown_url(str(url))
        with self.limiter.slot(url.host):
            self.counter.add()
            if counter is not None:
                counter.add()
            deadline = time.monotonic() + self.policy.total_timeout_s
            token = DEADLINE.set(deadline)
            try:
                with self._http.stream(method, url, headers=headers) as response:
                    status = response.status_code
                    answer_headers = dict(response.headers.items())
                    retry_after = parse_retry_after(answer_headers.get("retry-after"), now=self._wallclock())
                    skip = (not read_body or status == 304 or status in REDIRECT_STATUSES
                            or (status in RETRY_STATUSES and may_retry))
                    body = b"" if skip else self._read(response, shown=shown, url=str(url), limit=limit)
                    return _Attempt(Fetched(str(url), status, answer_headers, body, retry_after=retry_after,
                                            retry_cap=self.policy.max_retry_after_s))
            except AddressRefused as refused:
                raise self._refused(str(url), refused.host, refused.address, refused.reason.value,
                                    came_from=came_from) from refused
            except HostUnresolved as unresolved:
                return _Attempt(error=FetchError(text("detail.url_unresolved", url=shown, host=unresolved.host,
                                                      message=unresolved.message), url=str(url)))
            except httpx.TimeoutException as timeout:
                seconds = (self.policy.total_timeout_s if time.monotonic() >= deadline
                           else self.policy.connect_timeout_s if isinstance(timeout, httpx.ConnectTimeout)
                           else self.policy.read_timeout_s)
                return _Attempt(error=FetchError(text("detail.fetch_timeout", url=shown, seconds=seconds),
                                                 url=str(url)), retryable=True)
            except httpx.TransportError as broken:
                message = str(broken)[:200] or type(broken).__name__
                return _Attempt(error=FetchError(text("detail.fetch_connection", url=shown, message=message),
                                                 url=str(url)), retryable=True)
            finally:
                DEADLINE.reset(token)

    def _read(self, response: httpx.Response, *, shown: str, url: str, limit: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(text("detail.fetch_too_large", url=shown, limit=limit), url=url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decompressed: the limit bounds what Puente holds in memory
            size += len(chunk)
            if size > limit:
                raise FetchError(text("detail.fetch_too_large", url=shown, limit=limit), url=url)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _refused(url: str, host: str, address: str, reason: str, *, came_from: str | None) -> UnsafeUrlError:
        localized: dict[str, LocalText] = {"reason": text(f"ui.address.{reason}")}
        if came_from:
            detail = compose("detail.url_redirect_refused", localized=localized, url=shown_url(came_from),
                             target=shown_url(url), host=host, address=address)
        else:
            detail = compose("detail.url_refused", localized=localized, url=shown_url(url), host=host,
                             address=address)
        return UnsafeUrlError(detail, url=url)

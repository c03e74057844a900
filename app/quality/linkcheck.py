"""Link checks for access and download URLs: the policy and the checker, over an injected fetch.

Policy (what data.europa.eu's checkers do, see README "Quality"): HEAD first; GET when the server refuses HEAD
(405 Method Not Allowed, 501 Not Implemented); a status 200–399 is reachable and the status is kept (redirects
are not followed: where they lead is the fetching client's business, and a redirect is an answer); no answer
within the time limit is a timeout. At most `per_host` checks at once per host and `concurrency` in all; a result
is reused until `recheck_after` has passed.

This module never opens a connection itself: it calls a `Fetch`, which the service builds on its safe outbound
client (the one that refuses loopback, private and metadata addresses unless PUENTE_ALLOW_PRIVATE_URLS=true).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel

Method = Literal["HEAD", "GET"]
LinkError = Literal["timeout", "unreachable", "refused", "invalid-url"]


class Fetch(Protocol):
    """Send one request and answer its HTTP status (the body is not needed and should not be read).

    Raise `LinkRefused` for a URL the client will not fetch (a private address...); any other exception means
    no answer. The checker enforces the time limit itself, so a fetch may also apply it (and should)."""

    async def __call__(self, method: str, url: str) -> int: ...


class LinkRefused(Exception):
    """A fetch's refusal to send a request (unsafe address, unsupported scheme): not a fault of the server."""


class LinkCheck(BaseModel):
    """The result of checking one URL."""

    url: str
    status: int | None   # the HTTP status kept (GET's when HEAD was refused); null: no answer
    reachable: bool
    method: Method
    error: LinkError | None = None
    checked_at: datetime


@dataclass(frozen=True)
class LinkPolicy:
    """How links are checked (keyword options; the defaults are the service's)."""

    timeout_s: float = 10.0                     # Norway's fdk-mqa-url-checker uses 10 s
    recheck_after: timedelta = timedelta(days=7)
    per_host: int = 2
    concurrency: int = 16
    get_after_head: frozenset[int] = field(default_factory=lambda: frozenset({405, 501}))


def is_reachable(status: int | None) -> bool:
    """2xx and 3xx answers are reachable."""
    return status is not None and 200 <= status < 400


def is_due(previous: LinkCheck | None, *, now: datetime, policy: LinkPolicy) -> bool:
    """Whether a URL needs checking again."""
    return previous is None or now - previous.checked_at >= policy.recheck_after


def host_of(url: str) -> str | None:
    """The host a URL is checked against for the per-host limit; None when it is not an http(s) URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host.lower()


class LinkChecker:
    """Checks URLs with a fetch under a policy; one instance per event loop (its semaphores belong to it)."""

    def __init__(self, fetch: Fetch, *, clock: Callable[[], datetime], policy: LinkPolicy | None = None) -> None:
        self.fetch = fetch
        self.clock = clock
        self.policy = policy or LinkPolicy()
        self._all = asyncio.Semaphore(self.policy.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def _ask(self, method: Method, url: str) -> int:
        return await asyncio.wait_for(self.fetch(method, url), self.policy.timeout_s)

    def _result(self, url: str, *, method: Method, status: int | None = None,
                error: LinkError | None = None) -> LinkCheck:
        return LinkCheck(url=url, status=status, reachable=is_reachable(status), method=method, error=error,
                         checked_at=self.clock())

    async def check(self, url: str) -> LinkCheck:
        """Check one URL now (within the concurrency limits)."""
        host = host_of(url)
        if host is None:
            return self._result(url, method="HEAD", error="invalid-url")
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self.policy.per_host))
        async with gate, self._all:  # the host first: a task waiting for its host holds no global slot
            method: Method = "HEAD"
            try:
                status = await self._ask(method, url)
                if status in self.policy.get_after_head:
                    method = "GET"
                    status = await self._ask(method, url)
            except TimeoutError:
                return self._result(url, method=method, error="timeout")
            except LinkRefused:
                return self._result(url, method=method, error="refused")
            except Exception:  # the outside world failed in one of its many ways: no answer
                return self._result(url, method=method, error="unreachable")
            return self._result(url, method=method, status=status)

    async def check_all(self, urls: Iterable[str], *,
                        cache: MutableMapping[str, LinkCheck] | None = None) -> dict[str, LinkCheck]:
        """Check each distinct URL, reusing the cache's results that are not due; the cache gets the new ones."""
        now = self.clock()
        results: dict[str, LinkCheck] = {}
        wanted: list[str] = []
        for url in dict.fromkeys(urls):
            previous = cache.get(url) if cache is not None else None
            if previous is not None and not is_due(previous, now=now, policy=self.policy):
                results[url] = previous
            else:
                wanted.append(url)
        for check in await asyncio.gather(*(self.check(url) for url in wanted)):
            results[check.url] = check
            if cache is not None:
                cache[check.url] = check
        return results

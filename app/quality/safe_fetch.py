"""The link checker's Fetch over Puente's SafeClient (app/net): the same SSRF rules as the harvester (loopback,
private, link-local and metadata addresses refused unless PUENTE_ALLOW_PRIVATE_URLS=true, every redirect hop
checked again), no body read, no retries (a link check records what a user would meet now), the check's time
limit, and the client's per-host concurrency and rate limits.

Redirects are followed (each hop vetted) and the final status is the one kept: a 301 to a page that answers 404
is a broken link, which is what a user of the portal meets.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from app.errors import UnsafeUrlError
from app.net.client import HttpPolicy, SafeClient
from app.quality.linkcheck import LinkPolicy, LinkRefused
from app.settings import Settings


def link_http_policy(settings: Settings, policy: LinkPolicy) -> HttpPolicy:
    """The outbound policy of link checks: the service's, with the check's time limit and host limit, no retry.
    The client's own limits are a little longer than the checker's, so a slow server is the checker's "timeout"
    and the client's request ends by itself just after."""
    limit = policy.timeout_s + 1.0
    return HttpPolicy.from_settings(settings, connect_timeout_s=limit, read_timeout_s=limit,
                                    total_timeout_s=limit, retries=0,
                                    per_host_concurrency=policy.per_host)


class SafeFetch:
    """A `Fetch` (app/quality/linkcheck.py) sending HEAD or GET through a SafeClient on its own threads."""

    def __init__(self, client: SafeClient, *, threads: int) -> None:
        self.client = client
        self._pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="linkcheck")

    def _status(self, method: str, url: str) -> int:
        try:
            return self.client.fetch(url, method=method, read_body=False).status
        except UnsafeUrlError as refused:
            raise LinkRefused(str(refused)) from refused

    async def __call__(self, method: str, url: str) -> int:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._status, method, url)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()

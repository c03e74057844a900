"""Web hygiene, as pure ASGI middleware: security headers, CORS for reading linked data, access logs.

- HTML pages get a Content-Security-Policy with no inline script (and the usual companions).
- GET/HEAD answers may be read by any origin (developers fetch RDF from their browsers); POST answers may
  not, unless an origin is listed in PUENTE_CORS_POST_ORIGINS.
- One JSON log line per request: method, path, status, duration. Never a body, never a query string.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's interactive docs load their assets from a CDN into the visitor's browser: no CSP there.
NO_CSP_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
access_log = logging.getLogger("puente.access")
# what a page of another origin may read: languages, the source used, and what paging and caching need
EXPOSED = "Content-Language, X-Puente-Source, X-Puente-Source-Detected, ETag, Link, Location"


class HygieneMiddleware:
    def __init__(self, app: ASGIApp, *, post_origins: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.post_origins = post_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if method == "OPTIONS" and origin and headers.get("access-control-request-method"):
            await self._preflight(scope, receive, send, origin=origin,
                                  wanted=headers["access-control-request-method"].upper())
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-Id"] = request_id
                out["X-Content-Type-Options"] = "nosniff"
                out["Referrer-Policy"] = "no-referrer"
                if out.get("content-type", "").startswith("text/html") and scope["path"] not in NO_CSP_PATHS:
                    out["Content-Security-Policy"] = CSP
                    out["X-Frame-Options"] = "DENY"
                if origin and self._may_read(method, origin):
                    out["Access-Control-Allow-Origin"] = "*" if method in ("GET", "HEAD") else origin
                    out["Access-Control-Expose-Headers"] = EXPOSED
                    out.add_vary_header("Origin")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            access_log.info("%s %s %s %.1fms id=%s", method, scope["path"][:200], status,
                            (time.perf_counter() - started) * 1000, request_id)

    def _may_read(self, method: str, origin: str) -> bool:
        return method in ("GET", "HEAD") or origin in self.post_origins

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, *, origin: str, wanted: str) -> None:
        allowed = wanted in ("GET", "HEAD") or (wanted == "POST" and origin in self.post_origins)
        headers = [(b"vary", b"Origin"), (b"content-length", b"0")]
        if allowed:
            headers += [(b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-allow-methods", b"GET, HEAD" + (b", POST" if wanted == "POST" else b"")),
                        (b"access-control-allow-headers", b"Accept, Accept-Language, Content-Type"),
                        (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204 if allowed else 403, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

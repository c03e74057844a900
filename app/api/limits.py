"""Request body limit, answered with problem+json before the body is read whole.

Pure ASGI: a declared Content-Length over the limit is refused before one byte of body is read;
a chunked body is counted as it arrives and refused the moment it passes the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import from_error, lang_of
from app.errors import PayloadTooLargeError
from app.i18n import text


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, default_lang: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.default_lang = default_lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            lang = lang_of(scope.get("query_string", b"").decode("latin-1"), headers.get("accept-language"),
                           self.default_lang)
            response = from_error(self._error(), lang=lang)
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._error()  # handled by the PuenteError handler: problem+json 413
            return message

        await self.app(scope, counted_receive, send)

    def _error(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(text("detail.too_large", limit=self.max_bytes))

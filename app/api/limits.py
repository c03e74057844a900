"""Request limits, as pure ASGI middleware: the body's size, and how long a client may take to send or to read.

- BodyLimitMiddleware: a declared Content-Length over the limit is refused before one byte of body is read; a
  chunked body is counted as it arrives and refused the moment it passes the limit (413 problem+json).
- TimeLimitMiddleware, outermost (it gets the server's own `send`): a body whose next part does not arrive within
  PUENTE_BODY_TIMEOUT_S gets a 408 problem; an answer the client does not take within PUENTE_WRITE_TIMEOUT_S (a
  client that stopped reading) resets the connection, so what was buffered for it is freed. uvicorn has neither
  limit; its connection is reached through `send.__self__.transport` (RequestResponseCycle, h11 and httptools),
  and on other servers the answer is abandoned instead.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import from_error, lang_of
from app.errors import PayloadTooLargeError, RequestTimeoutError
from app.i18n import text

logger = logging.getLogger("puente.api")


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


class ClientGone(BaseException):
    """The client stopped reading its answer (a BaseException: it passes the error handlers, which would log it
    as a failure, and ends the request quietly here)."""


class TimeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, body_timeout_s: float, write_timeout_s: float) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s
        self.write_timeout_s = write_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        gone = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body, receive() waits for the client to leave: no limit on that
                return await receive()
            try:
                async with asyncio.timeout(self.body_timeout_s):
                    message = await receive()
            except TimeoutError:
                body_done = True
                raise RequestTimeoutError(text("detail.body_timeout", seconds=f"{self.body_timeout_s:g}")) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def timed_send(message: Message) -> None:
            nonlocal gone
            if gone:
                raise ClientGone
            try:
                async with asyncio.timeout(self.write_timeout_s):
                    await send(message)
            except TimeoutError:
                gone = True
                _reset(send)
                raise ClientGone from None

        try:
            await self.app(scope, timed_receive, timed_send)
        except ClientGone:
            await asyncio.sleep(0)  # the server learns the connection is lost before this request ends
            logger.info("a client did not read its answer within %.0f s: connection reset", self.write_timeout_s)


def _reset(send: Send) -> None:
    """Reset the connection of a client that stopped reading: what the process and the kernel buffered for it is
    dropped at once (a plain close would leave the kernel retrying the unsent data to a zero window)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()

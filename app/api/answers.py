"""Answers made by a worker (an Output: bytes, or a temporary file) sent without holding a large one in memory.

A file is read a chunk at a time off the event loop and sent with the server's flow control: a client that reads
slowly holds one chunk, and one that stops reading is cut off by the write time limit (app/api/limits.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.runtime.output import CHUNK_BYTES, Output


class OutputResponse(Response):
    """A Response whose body is an Output; the Output is closed once sent (or abandoned)."""

    def __init__(self, output: Output, *, media_type: str, headers: Mapping[str, str] | None = None,
                 status_code: int = 200) -> None:
        self.output = output
        super().__init__(content=output.data if output.data is not None else b"", status_code=status_code,
                         media_type=media_type, headers=dict(headers or {}))
        if output.file is not None:
            self.headers["content-length"] = str(output.size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if self.output.file is None:
                await super().__call__(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if scope.get("method") == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            file = self.output.file
            file.seek(0)
            while True:
                chunk = await anyio.to_thread.run_sync(file.read, CHUNK_BYTES)
                if not chunk:
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            self.output.close()

"""A job's answer body: bytes when small, an anonymous temporary file past SPILL_BYTES.

A worker hands the file itself to the service (its descriptor passed over the worker's socket), so a large
report or graph never sits in the service's memory: it is streamed from disk to the client, and the disk space
goes back to the system when the descriptor is closed, even after a kill -9 (the file has no name).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

SPILL_BYTES = 1_048_576  # answers above this go through a temporary file
CHUNK_BYTES = 262_144  # what is read and sent at a time

# While a worker pickles its answer, the files met are collected here (their descriptors follow the answer);
# while the service unpickles one, the descriptors received are handed out from here, in the same order.
_OUTGOING: ContextVar[list[IO[bytes]] | None] = ContextVar("puente_outgoing_files", default=None)
_INCOMING: ContextVar[list[int] | None] = ContextVar("puente_incoming_files", default=None)


class Output:
    """Bytes in memory, or an open temporary file (read from its start)."""

    def __init__(self, *, data: bytes | None = None, file: IO[bytes] | None = None, size: int | None = None) -> None:
        self.data = data
        self.file = file
        self.size = len(data) if data is not None else (size or 0)

    @classmethod
    def of(cls, data: bytes, *, spill_bytes: int = SPILL_BYTES) -> Output:
        """`data` as it is, or written to a temporary file when larger than `spill_bytes`."""
        if len(data) <= spill_bytes:
            return cls(data=data)
        file = tempfile.TemporaryFile()
        file.write(data)
        return cls(file=file, size=len(data))

    @property
    def spilled(self) -> bool:
        return self.file is not None

    def chunks(self, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The body, `size` bytes at a time (blocking file reads: run them off the event loop)."""
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), size):
                yield bytes(view[start:start + size])
            return
        assert self.file is not None
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk

    def read(self) -> bytes:
        """The whole body in memory (tests, and small answers)."""
        return b"".join(self.chunks())

    def close(self) -> None:
        if self.file is not None:
            self.file.close()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self.file is None:
            return (_rebuild, (self.data, -1, self.size))
        outgoing = _OUTGOING.get()
        if outgoing is None:  # pickled outside a worker's answer: carry the bytes
            return (_rebuild, (self.read(), -1, self.size))
        outgoing.append(self.file)
        return (_rebuild, (None, len(outgoing) - 1, self.size))


def _rebuild(data: bytes | None, slot: int, size: int) -> Output:
    if slot < 0:
        return Output(data=data)
    incoming = _INCOMING.get()
    if incoming is None or slot >= len(incoming):
        raise ValueError("an answer named a file that did not come with it")
    return Output(file=os.fdopen(os.dup(incoming[slot]), "rb"), size=size)


@contextmanager
def sending() -> Iterator[list[IO[bytes]]]:
    """Collect the files of the answers pickled inside the block (worker side)."""
    files: list[IO[bytes]] = []
    token = _OUTGOING.set(files)
    try:
        yield files
    finally:
        _OUTGOING.reset(token)


@contextmanager
def receiving(descriptors: list[int]) -> Iterator[None]:
    """Hand `descriptors` to the outputs unpickled inside the block (service side); they are closed after it,
    each Output keeping its own duplicate."""
    token = _INCOMING.set(descriptors)
    try:
        yield
    finally:
        _INCOMING.reset(token)
        for descriptor in descriptors:
            try:
                os.close(descriptor)
            except OSError:
                pass


class SpillWriter(io.RawIOBase):
    """A binary sink for writers that stream (pyoxigraph's serialisers, report writers): kept in memory up to
    `spill_bytes`, then in a temporary file. `output()` gives the result."""

    def __init__(self, *, spill_bytes: int = SPILL_BYTES, limit: int | None = None,
                 on_limit: Any = None) -> None:
        super().__init__()
        self._memory = io.BytesIO()
        self._file: IO[bytes] | None = None
        self._spill = spill_bytes
        self._limit = limit
        self._on_limit = on_limit
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.size += len(view)
        if self._limit is not None and self.size > self._limit:
            raise self._on_limit() if self._on_limit is not None else ValueError("output over its limit")
        if self._file is None and self.size > self._spill:
            self._file = tempfile.TemporaryFile()
            self._file.write(self._memory.getbuffer())
            self._memory = io.BytesIO()
        if self._file is not None:
            self._file.write(view)
        else:
            self._memory.write(view)
        return len(view)

    def output(self) -> Output:
        if self._file is None:
            return Output(data=self._memory.getvalue())
        self._file.flush()
        return Output(file=self._file, size=self.size)

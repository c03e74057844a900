"""Run jobs in worker processes that can be stopped and replaced: a time limit that holds, a pool that heals.

Python cannot interrupt a running regular expression or a SHACL engine from another thread, so a job that passes
PUENTE_VALIDATION_TIMEOUT_S is ended by killing its worker; a fresh worker takes its place and the client gets
a 503 problem.

Processes. As the service starts (after the profile is loaded, before it listens), it forks one *zygote*; the
zygote forks the workers. So a worker never inherits the service's listening socket, its client connections, the
locks of its threads or the memory of a request in flight, and a replacement starts in milliseconds with the
profile's memory shared. (The zygote also lets go of every descriptor it did inherit, for servers that bind
before the application starts.) Zygote and workers end with the service: the kernel kills them when the process
that forked them ends (Linux, prctl PR_SET_PDEATHSIG) and, on any system, they watch a pipe whose write end only
the service holds.

Wire. One socket per worker. A job goes down as a header, its function and arguments pickled, and the body as
it is; the answer comes back pickled, and a large answer as an anonymous temporary file whose descriptor is
passed along (app/runtime/output.py). The service side is asyncio: waiting for a worker, sending, waiting for
the answer and reading it all happen on the event loop, without a thread, under the time limit.

Failures. A worker that dies (killed, out of memory), passes the time limit, answers garbage or cannot pickle its
answer is killed and never used again; a replacement is forked at once; the request gets a 503 problem. A job
that never reached its worker (the worker had died idle) is given to another one. An idle worker that dies is
noticed at once (its socket becomes readable) and replaced. A worker whose memory grew by PUENTE_WORKER_RECYCLE_MB
(or that ran MAX_JOBS jobs) retires after its answer, so memory returns to the system after large jobs.

The API, for the service and for any job that must be stoppable (catalogue publishing, harvests):
    runner = Runner(pipeline); await runner.start()
    value = await runner.run(job, body, *args)    # job(pipeline, body, *args) in a worker, under the time limit
    runner.state()                                 # for /health
    runner.close()
`job` is a module-level function (pickled by name); `body` is bytes sent as they are; `args` and the value are
pickled (return large results as an Output). PuenteErrors raised by the job reach the caller as they are; the
failures above as ValidationTimeoutError, WorkerFailedError or ServiceBusyError (all 503).
"""

from __future__ import annotations

import array
import asyncio
import functools
import gc
import logging
import os
import pickle
import socket
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from app.errors import ServiceBusyError, ValidationTimeoutError, WorkerFailedError
from app.i18n import text
from app.pipeline.run import Pipeline
from app.runtime import output, processes
from app.runtime.zygote import ANSWER, MAX_FILES, REQUEST, RETIRE, SPLIT_BODY_AT, TRIM_AFTER_BYTES, WorkerConfig, Zygote

logger = logging.getLogger("puente.workers")
T = TypeVar("T")

_READ_BYTES = 4 * 1_048_576  # the most read from a worker's socket at once
_FIRST_READ = 65_536  # of an answer, read at once with its header
UNHEALTHY_AFTER_S = 10.0  # /health says "unavailable" when no worker has been alive for this long


@dataclass(frozen=True)
class PoolState:
    """What /health reports of the workers."""

    configured: int
    idle: int
    busy: int
    starting: int
    waiting: int
    replaced: int
    healthy: bool


class _Garbled(Exception):
    """A worker's answer did not follow the wire format."""


class _Closed(Exception):
    """The pool closed while a worker was being started."""


# ------------------------------------------------------------------------------------------ service side


class _Worker:
    """The service's end of one worker: its socket, and how to kill it."""

    __slots__ = ("dead", "pid", "pidfd", "sock")

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        self.pidfd = processes.pidfd(pid)
        self.sock = sock
        self.dead = False

    def kill(self) -> None:
        if self.dead:  # once: a pid is never signalled after its process may have been reaped
            return
        self.dead = True
        processes.kill(self.pid, self.pidfd)
        self.sock.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class Runner:
    """Jobs in worker processes when PUENTE_WORKERS > 0, else in a thread of the calling process (no time limit)."""

    def __init__(self, pipeline: Pipeline) -> None:
        settings = pipeline.settings
        self.pipeline = pipeline
        self.workers = settings.workers
        self.timeout_s = settings.validation_timeout_s
        self._config = WorkerConfig(recycle_mb=settings.worker_recycle_mb, memory_mb=settings.worker_memory_mb)
        self._idle: deque[_Worker] = deque()
        self._busy: set[_Worker] = set()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._starting = 0
        self._replaced = 0
        self._empty_since: float | None = None
        self._closed = False
        self._trimming = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._spawner: ThreadPoolExecutor | None = None
        self._zygote: Zygote | None = None
        self._lifeline: tuple[int, int] | None = None

    # ---- life

    async def start(self) -> None:
        """Fork the zygote and the workers; returns once every worker is ready."""
        if not self.workers:
            return
        self._loop = asyncio.get_running_loop()
        self._lifeline = os.pipe()
        self.pipeline.lookups.warm()  # built once here, shared by the workers instead of built in each
        gc.freeze()  # the loaded profile is never collected: forked processes then leave its pages shared
        # One thread forks (the zygote) and talks to the zygote: the parent-death signal follows the thread that
        # forked, and this thread lives as long as the pool.
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="puente-spawner")
        self._zygote = Zygote(self.pipeline, self._lifeline[0], self._config)
        await self._loop.run_in_executor(self._spawner, self._zygote.start)
        self._want()
        await asyncio.gather(*list(self._tasks))

    def close(self) -> None:
        """Stop every worker and the zygote."""
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(ServiceBusyError(text("detail.busy", seconds=0)))
        for worker in [*self._idle, *self._busy]:
            self._unwatch(worker)
            worker.kill()
        self._idle.clear()
        self._busy.clear()
        if self._zygote is not None and self._spawner is not None:
            if self._zygote.pid is not None:  # ends a spawn in flight at once (its worker dies with the zygote)
                processes.kill(self._zygote.pid, None)
            self._spawner.submit(self._zygote.stop)  # on the thread that owns the zygote, after any spawn
            self._spawner.shutdown(wait=True, cancel_futures=False)
        if self._lifeline is not None:
            for descriptor in self._lifeline:
                os.close(descriptor)
            self._lifeline = None

    def state(self) -> PoolState:
        """The workers now (cheap: read on the event loop by /health)."""
        alive = len(self._idle) + len(self._busy)
        empty_for = 0.0 if self._empty_since is None else time.monotonic() - self._empty_since
        healthy = not self.workers or alive > 0 or empty_for < UNHEALTHY_AFTER_S
        return PoolState(configured=self.workers, idle=len(self._idle), busy=len(self._busy), starting=self._starting,
                         waiting=sum(1 for w in self._waiters if not w.done()), replaced=self._replaced,
                         healthy=healthy)

    def worker_pids(self) -> list[int]:
        """The processes of the workers alive now (for tests and operators; /health does not show them)."""
        return [worker.pid for worker in [*self._idle, *self._busy]]

    # ---- running a job

    async def run(self, job: Callable[..., T], body: bytes = b"", *args: object, timeout_s: float | None = None) -> T:
        """`job(pipeline, body, *args)` in a worker, under the time limit (see the module's docstring); `timeout_s`
        another limit for this job (a /sparql query's), ValidationTimeoutError past it all the same."""
        if not self.workers:
            return await anyio.to_thread.run_sync(functools.partial(job, self.pipeline, body, *args))
        loop = asyncio.get_running_loop()
        head = pickle.dumps((job, args), protocol=5)
        limit = timeout_s or self.timeout_s
        wait_until = loop.time() + self.timeout_s  # the longest a request waits for a free worker
        try:
            for attempt in (1, 2):
                worker = await self._acquire(wait_until)
                sent = False
                try:
                    async with asyncio.timeout(limit):
                        await self._send(loop, worker, head, body)
                        sent = True
                        ok, value, flags = await self._receive(loop, worker)
                except TimeoutError:
                    logger.warning("job stopped after %.1f s; its worker is replaced", limit)
                    self._discard(worker)
                    raise ValidationTimeoutError(text("detail.timeout", seconds=f"{limit:g}")) from None
                except (OSError, EOFError, _Garbled, pickle.UnpicklingError) as failure:
                    self._discard(worker)
                    # Not sent, or reset (the worker ended with the job unread in its socket): the job never ran.
                    never_ran = not sent or isinstance(failure, (ConnectionResetError, BrokenPipeError))
                    if never_ran and attempt == 1:
                        logger.warning("a worker had died before its job reached it (%r); another one takes it",
                                       failure)
                        continue
                    logger.warning("a worker failed during a job (%r); replaced", failure)
                    raise WorkerFailedError(text("detail.worker_failed")) from None
                except BaseException:  # cancelled (shutdown): the worker's state is unknown
                    self._discard(worker)
                    raise
                if flags & RETIRE:
                    self._discard(worker)
                else:
                    self._busy.discard(worker)
                    self._release(worker)
                if ok:
                    result: T = value
                    return result
                raise value
            raise AssertionError("unreachable")
        finally:
            if len(body) >= TRIM_AFTER_BYTES:
                self._trim_later(loop)

    def run_blocking(self, job: Callable[..., T], body: bytes = b"", *args: object) -> T:
        """`run` from a thread that is not the event loop's (the catalogue's writer, which must not hold the loop):
        the job goes through the pool on the loop that started it, and this thread waits for its answer."""
        if not self.workers or self._loop is None:
            return job(self.pipeline, body, *args)
        return asyncio.run_coroutine_threadsafe(self.run(job, body, *args), self._loop).result()

    async def _send(self, loop: asyncio.AbstractEventLoop, worker: _Worker, head: bytes, body: bytes) -> None:
        header = REQUEST.pack(len(head), len(body)) + head
        if len(body) < SPLIT_BODY_AT:  # one write (copying a small body costs less than a system call)
            await loop.sock_sendall(worker.sock, header + body)
            return
        await loop.sock_sendall(worker.sock, header)
        await loop.sock_sendall(worker.sock, body)

    async def _receive(self, loop: asyncio.AbstractEventLoop, worker: _Worker) -> tuple[bool, Any, int]:
        descriptors: list[int] = []
        try:
            # what is there is read at once (a small answer whole), then what is missing
            first = await _read(loop, worker.sock, ANSWER.size, descriptors, more=_FIRST_READ)
            size, files, flags = ANSWER.unpack(first[:ANSWER.size])
            data = first[ANSWER.size:]
            if len(data) < size:
                data += await _read(loop, worker.sock, size - len(data), descriptors)
            if len(descriptors) != files:
                raise _Garbled(f"{len(descriptors)} files came with an answer announcing {files}")
            received, descriptors = descriptors, []
            with output.receiving(received):
                answer = pickle.loads(data)
        finally:
            for descriptor in descriptors:
                os.close(descriptor)
        if not (isinstance(answer, tuple) and len(answer) == 2):
            raise _Garbled("an answer that is not (ok, value)")
        return bool(answer[0]), answer[1], flags

    # ---- the pool (event loop thread only)

    async def _acquire(self, deadline: float) -> _Worker:
        while self._idle:
            worker = self._idle.popleft()
            self._unwatch(worker)
            self._busy.add(worker)
            if _quiet(worker.sock):
                return worker
            logger.warning("an idle worker had died (pid %d); replaced", worker.pid)
            self._discard(worker)
        assert self._loop is not None, "Runner.start() was not awaited"
        waiter: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout_at(deadline):
                return await waiter
        except TimeoutError:
            raise ServiceBusyError(text("detail.busy", seconds=f"{self.timeout_s:g}")) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                handed = waiter.result()  # handed over just as this request gave up: back to the pool
                self._busy.discard(handed)
                self._release(handed)
            raise

    def _release(self, worker: _Worker) -> None:
        """A healthy worker, free again: to the first request waiting, else to the idle queue."""
        self._empty_since = None
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._busy.add(worker)
                waiter.set_result(worker)
                return
        self._idle.append(worker)
        self._watch(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker that failed (or retires) and start its replacement. It is never used again."""
        if worker in self._idle:
            self._idle.remove(worker)
            self._unwatch(worker)
        self._busy.discard(worker)
        worker.kill()
        self._replaced += 1
        if not self._idle and not self._busy and self._empty_since is None:
            self._empty_since = time.monotonic()
        if not self._closed:
            self._want()

    def _want(self) -> None:
        """Start as many workers as are missing."""
        assert self._loop is not None
        missing = self.workers - (len(self._idle) + len(self._busy) + self._starting)
        for _ in range(max(0, missing)):
            self._starting += 1
            task = self._loop.create_task(self._spawn())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _spawn(self) -> None:
        assert self._loop is not None and self._spawner is not None
        delay = 0.05
        counted = True  # this spawn is in self._starting until it ends, one way or another
        try:
            while not self._closed:
                try:
                    pid, sock = await self._loop.run_in_executor(self._spawner, self._spawn_blocking)
                except Exception:
                    if self._closed:  # closed meanwhile (_Closed, or the spawner's RuntimeError after shutdown)
                        return
                    logger.exception("a worker could not be started; trying again in %.2f s", delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                worker = _Worker(pid, sock)
                if self._closed:
                    worker.kill()
                    return
                self._starting -= 1
                counted = False
                self._release(worker)
                return
        finally:
            if counted:
                self._starting -= 1

    def _spawn_blocking(self) -> tuple[int, socket.socket]:
        assert self._zygote is not None
        if self._closed:
            raise _Closed
        try:
            return self._zygote.spawn()
        except (OSError, EOFError) as gone:
            if self._closed:
                raise _Closed from None
            logger.warning("the worker zygote is gone (%r); starting a new one", gone)
            self._zygote.stop()
            self._zygote.start()
            return self._zygote.spawn()

    def _watch(self, worker: _Worker) -> None:
        """While idle, a readable socket means the worker died (or is confused): replace it at once."""
        assert self._loop is not None
        self._loop.add_reader(worker.sock.fileno(), self._stirred, worker)

    def _unwatch(self, worker: _Worker) -> None:
        if self._loop is not None and worker.sock.fileno() >= 0:
            self._loop.remove_reader(worker.sock.fileno())

    def _stirred(self, worker: _Worker) -> None:
        if worker not in self._idle:
            self._unwatch(worker)
            return
        if _quiet(worker.sock):
            return
        logger.warning("an idle worker died (pid %d); replaced", worker.pid)
        self._discard(worker)

    def _trim_later(self, loop: asyncio.AbstractEventLoop) -> None:
        """After a large request, hand the memory this process freed back to the system (off the loop, once)."""
        if self._trimming or self._spawner is None:
            return
        self._trimming = True

        def trim() -> None:
            try:
                processes.trim_memory()
            finally:
                self._trimming = False

        loop.run_in_executor(None, trim)


def _quiet(sock: socket.socket) -> bool:
    """True when an idle worker's socket has nothing to read: neither an end of file (it died) nor stray bytes."""
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock.fileno(), wake)
    try:
        await ready
    finally:
        loop.remove_reader(sock.fileno())


async def _read(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int, descriptors: list[int], *,
                more: int = 0) -> bytes:
    """At least `size` bytes from a non-blocking socket (with `more`, up to that many more if they are there
    already), collecting the descriptors passed with them."""
    chunks: list[bytes] = []
    got = 0
    space = socket.CMSG_SPACE(MAX_FILES * 4)
    while got < size:
        try:
            data, ancillary, _, _ = sock.recvmsg(min(size - got + more, _READ_BYTES), space)
        except BlockingIOError:
            await _readable(loop, sock)
            continue
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                passed = array.array("i")
                passed.frombytes(payload[:len(payload) - len(payload) % passed.itemsize])
                descriptors.extend(passed)
        if not data:
            raise EOFError("the worker closed its socket")
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)

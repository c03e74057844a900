"""Run the pipeline in worker processes that can be stopped: a time limit that really holds.

Python cannot interrupt a running regular expression or a SHACL engine from another thread, so a
validation that passes PUENTE_VALIDATION_TIMEOUT_S is ended by killing its worker process; a fresh
worker takes its place and the client gets a 503. Workers are forked from the loaded service, so they
start at once and share the profile's memory. Each worker is one process and one pipe: a request
thread takes an idle worker, sends the body, waits on the pipe for at most the time limit. (A
ProcessPoolExecutor's queues and manager thread cost about a millisecond a call; a pipe, a tenth.)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import queue
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from app.errors import ValidationTimeoutError
from app.i18n import text
from app.pipeline.mapping import MappedInput
from app.pipeline.run import Outcome, Pipeline
from app.pipeline.sources import Source
from app.pipeline.validation import Finding

logger = logging.getLogger("puente.workers")
_ON_LOOP_MAX_BYTES = 32 * 1024  # below a pipe's buffer: sending never waits for the worker
T = TypeVar("T")
_PIPELINE: Pipeline | None = None  # the pipeline of a worker process (inherited through fork)

WorkResult = tuple[MappedInput, list[Finding], str, bool]


def _work(kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker started without a pipeline"
    return _work_here(pipeline, kind, body, media_type, source)


def _report(body: bytes, media_type: str, source: str | None, lang: str) -> bytes:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker started without a pipeline"
    return _report_here(pipeline, body, media_type, source, lang)


def _with_pipeline(function: Callable[..., T], args: tuple[object, ...]) -> T:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker started without a pipeline"
    return function(pipeline, *args)


def _serve(connection: Connection) -> None:
    """A worker's loop: a call in, its result (or its exception) out, until the service closes the pipe."""
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:  # handed to the caller, who raises it (PuenteErrors become HTTP problems)
            answer = (False, exc)
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return
        except Exception as unsendable:  # an answer pickle refuses: the caller gets an error, the worker lives on
            connection.send((False, RuntimeError(f"worker answer could not be sent: {unsendable!r}")))


class _Worker:
    """One forked worker process and the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True, name="puente-worker")
        self.process.start()
        theirs.close()
        self.connection = ours

    def call(self, function: Callable[..., T], args: tuple[object, ...], *, timeout_s: float) -> T:
        """Run `function(*args)` in the worker; TimeoutError past the limit, EOFError if the worker died."""
        self.connection.send((function, args))
        if not self.connection.poll(timeout_s):
            raise TimeoutError
        ok, value = self.connection.recv()
        if not ok:
            raise value
        result: T = value
        return result

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class Runner:
    """What the API calls: in worker processes when PUENTE_WORKERS > 0, else in the calling thread."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.workers = pipeline.settings.workers
        self.timeout_s = pipeline.settings.validation_timeout_s
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        if self.workers:
            global _PIPELINE
            _PIPELINE = pipeline
            pipeline.lookups.warm()  # built once here, shared by the workers instead of built in each
            gc.freeze()  # the loaded profile is never collected: workers then leave its pages shared
            # started now, while the service has few threads (forking later is also safe, just slower)
            for _ in range(self.workers):
                self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker()
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        self._all.discard(worker)
        return self._start()

    def _in_worker(self, function: Callable[..., T], *args: object) -> T:
        worker = self._idle.get()  # waits while every worker is busy, like a pool's queue
        try:
            for attempt in (1, 2):
                try:
                    return worker.call(function, args, timeout_s=self.timeout_s)
                except TimeoutError:
                    logger.warning("validation stopped after %.1f s", self.timeout_s)
                    worker = self._replace(worker)
                    raise ValidationTimeoutError(text("detail.timeout", seconds=f"{self.timeout_s:g}")) from None
                except (EOFError, BrokenPipeError, ConnectionResetError):
                    logger.warning("a validation worker died; replaced")
                    worker = self._replace(worker)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            self._idle.put(worker)

    def _run(self, kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
        if not self.workers:
            return _work_here(self.pipeline, kind, body, media_type, source)
        return self._in_worker(_work, kind, body, media_type, source)

    def report(self, body: bytes, *, media_type: str, source: str | None, lang: str) -> bytes:
        """The JSON report of a body, made where it is validated: only its bytes cross the process boundary."""
        if not self.workers:
            return _report_here(self.pipeline, body, media_type, source, lang)
        return self._in_worker(_report, body, media_type, source, lang)

    async def report_async(self, body: bytes, *, media_type: str, source: str | None, lang: str) -> bytes:
        """`report` awaited on the event loop itself: the body goes down an idle worker's pipe and the loop
        watches the pipe, so a small record costs no thread hop. Large bodies, or no idle worker, take the
        thread path (a pipe write of megabytes would hold the loop)."""
        if not self.workers or len(body) > _ON_LOOP_MAX_BYTES:
            return await run_in_threadpool(self.report, body, media_type=media_type, source=source, lang=lang)
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            return await run_in_threadpool(self.report, body, media_type=media_type, source=source, lang=lang)
        loop = asyncio.get_running_loop()
        try:
            worker.connection.send((_report, (body, media_type, source, lang)))
            answered: asyncio.Future[None] = loop.create_future()
            descriptor = worker.connection.fileno()

            def wake() -> None:
                if not answered.done():
                    answered.set_result(None)

            loop.add_reader(descriptor, wake)
            try:
                await asyncio.wait_for(answered, self.timeout_s)
            except TimeoutError:
                logger.warning("validation stopped after %.1f s", self.timeout_s)
                worker = self._replace(worker)
                raise ValidationTimeoutError(text("detail.timeout", seconds=f"{self.timeout_s:g}")) from None
            finally:
                loop.remove_reader(descriptor)
            ok, value = worker.connection.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            logger.warning("a validation worker died; replaced")
            worker = self._replace(worker)
            return await run_in_threadpool(self.report, body, media_type=media_type, source=source, lang=lang)
        finally:
            self._idle.put(worker)
        if not ok:
            raise value
        answer: bytes = value
        return answer

    def run(self, function: Callable[..., T], *args: object) -> T:
        """`function(pipeline, *args)` in a worker process under the time limit (here when PUENTE_WORKERS is 0).

        `function` must be a module-level function (it is sent to the worker by name) and its answer picklable."""
        if not self.workers:
            answer: T = function(self.pipeline, *args)
            return answer
        result: T = self._in_worker(_with_pipeline, function, args)
        return result

    def _source(self, name: str) -> Source:
        return self.pipeline.registry.sources[name]

    def validate(self, body: bytes, *, media_type: str, source: str | None) -> Outcome:
        mapped, findings, name, detected = self._run("validate", body, media_type, source)
        return Outcome(mapped=mapped, findings=findings, source=self._source(name), detected=detected)

    def read(self, body: bytes, *, media_type: str, source: str | None) -> tuple[MappedInput, Source, bool]:
        mapped, _, name, detected = self._run("read", body, media_type, source)
        return mapped, self._source(name), detected

    def close(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()


def _report_here(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, lang: str) -> bytes:
    outcome = pipeline.validate(body, media_type=media_type, source=source)
    return outcome.report_json(profile=pipeline.profile, lang=lang)


def _work_here(pipeline: Pipeline, kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
    if kind == "validate":
        outcome = pipeline.validate(body, media_type=media_type, source=source)
        return outcome.mapped, outcome.findings, outcome.source.name, outcome.detected
    mapped, chosen, detected = pipeline.read(body, media_type=media_type, source=source)
    return mapped, [], chosen.name, detected


"""Run the pipeline in worker processes that can be stopped: a time limit that really holds.

Python cannot interrupt a running regular expression or a SHACL engine from another thread, so a
validation that passes PUENTE_VALIDATION_TIMEOUT_S is ended by killing its worker process; the pool
is replaced and the client gets a 503. Workers are forked from the loaded service, so they start
at once and share the profile's memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from app.errors import ValidationTimeoutError
from app.i18n import text
from app.pipeline.mapping import MappedInput
from app.pipeline.run import Outcome, Pipeline
from app.pipeline.sources import Source
from app.pipeline.validation import Finding

logger = logging.getLogger("puente.workers")
_PIPELINE: Pipeline | None = None  # the pipeline of a worker process (inherited through fork)

WorkResult = tuple[MappedInput, list[Finding], str, bool]


def _work(kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker started without a pipeline"
    return _work_here(pipeline, kind, body, media_type, source)


def _ping() -> bool:
    return _PIPELINE is not None


class Runner:
    """What the API calls: in worker processes when PUENTE_WORKERS > 0, else in the calling thread."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.workers = pipeline.settings.workers
        self.timeout_s = pipeline.settings.validation_timeout_s
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        if self.workers:
            global _PIPELINE
            _PIPELINE = pipeline
            pipeline.lookups.warm()
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"))
        # start the workers now, while the service has few threads (forking later is also safe, just slower)
        for future in [pool.submit(_ping) for _ in range(self.workers)]:
            future.result(timeout=60)
        return pool

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is not broken:
                return  # another request already replaced it
            for process in list(getattr(broken, "_processes", {}).values()):
                process.kill()
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            logger.warning("validation workers replaced")

    def _run(self, kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
        if self._pool is None:
            return _work_here(self.pipeline, kind, body, media_type, source)
        for attempt in (1, 2):
            pool = self._pool
            try:
                future = pool.submit(_work, kind, body, media_type, source)
                return future.result(timeout=self.timeout_s)
            except FutureTimeout:
                logger.warning("validation stopped after %.1f s", self.timeout_s)
                self._restart(pool)
                raise ValidationTimeoutError(text("detail.timeout", seconds=f"{self.timeout_s:g}")) from None
            except BrokenProcessPool:
                # killed because another request timed out (or the worker died): try once more on a fresh pool
                self._restart(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _source(self, name: str) -> Source:
        return self.pipeline.registry.sources[name]

    def validate(self, body: bytes, *, media_type: str, source: str | None) -> Outcome:
        mapped, findings, name, detected = self._run("validate", body, media_type, source)
        return Outcome(mapped=mapped, findings=findings, source=self._source(name), detected=detected)

    def read(self, body: bytes, *, media_type: str, source: str | None) -> tuple[MappedInput, Source, bool]:
        mapped, _, name, detected = self._run("read", body, media_type, source)
        return mapped, self._source(name), detected

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _work_here(pipeline: Pipeline, kind: str, body: bytes, media_type: str, source: str | None) -> WorkResult:
    if kind == "validate":
        outcome = pipeline.validate(body, media_type=media_type, source=source)
        return outcome.mapped, outcome.findings, outcome.source.name, outcome.detected
    mapped, chosen, detected = pipeline.read(body, media_type=media_type, source=source)
    return mapped, [], chosen.name, detected


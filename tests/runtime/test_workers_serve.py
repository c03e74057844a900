"""A worker's loop survives an answer that cannot cross the pipe (a bug should cost one request, not a worker)."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from app.runtime.workers import _serve


def _unpicklable() -> Any:
    return lambda: None  # pickle refuses lambdas


def _double(x: int) -> int:
    return 2 * x


def test_an_unsendable_answer_becomes_an_error_and_the_worker_serves_the_next_call() -> None:
    mine, theirs = multiprocessing.Pipe()
    worker = threading.Thread(target=_serve, args=(theirs,), daemon=True)
    worker.start()
    mine.send((_unpicklable, ()))
    assert mine.poll(5), "the worker died instead of answering"
    ok, error = mine.recv()
    assert not ok and isinstance(error, RuntimeError) and "could not be sent" in str(error)
    mine.send((_double, (21,)))
    assert mine.poll(5)
    assert mine.recv() == (True, 42)
    mine.close()
    worker.join(timeout=5)
    assert not worker.is_alive()

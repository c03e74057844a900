"""The worker pool on its own: real zygote and workers forked from this test process, jobs defined here.

Each failure a worker can meet ends in a clean error for that job and a replaced worker; the pool never
hands out a dead worker, never deadlocks, and nothing it forks outlives it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.errors import PayloadTooLargeError, ServiceBusyError, ValidationTimeoutError, WorkerFailedError
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.runtime.output import Output
from app.runtime.workers import Runner
from app.settings import Settings
from bench.procs import alive, process_name, tree_pids


def _pid(pipeline: Pipeline, body: bytes) -> int:
    return os.getpid()


def _echo(pipeline: Pipeline, body: bytes, extra: str) -> tuple[int, str]:
    return len(body), extra


def _sleep(pipeline: Pipeline, body: bytes, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _die(pipeline: Pipeline, body: bytes) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _unpicklable(pipeline: Pipeline, body: bytes) -> Any:
    return lambda: None


def _broken(pipeline: Pipeline, body: bytes) -> None:
    raise KeyError("a bug")


def _refused(pipeline: Pipeline, body: bytes) -> None:
    from app.i18n import text

    raise PayloadTooLargeError(text("detail.too_large", limit=1))


def _large(pipeline: Pipeline, body: bytes, size: int) -> Output:
    return Output.of(b"x" * size)


def _grow(pipeline: Pipeline, body: bytes, megabytes: int) -> int:
    kept = [bytearray(1_048_576) for _ in range(megabytes)]  # touched: resident
    for block in kept:
        block[::4096] = b"\1" * len(block[::4096])
    _KEEP.append(kept)
    return os.getpid()


_KEEP: list[Any] = []


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(workers=2, validation_timeout_s=2, worker_recycle_mb=64),
                    crosswalks={})


_LOOP: dict[int, asyncio.AbstractEventLoop] = {}  # a pool lives on the event loop it started on, as in the service


@pytest.fixture()
def runner(pipeline: Pipeline) -> Iterator[Runner]:
    loop = asyncio.new_event_loop()
    found = Runner(pipeline)
    loop.run_until_complete(found.start())
    _LOOP[id(found)] = loop
    yield found
    found.close()
    loop.close()


def _workers(runner: Runner) -> list[int]:
    """The runner's workers, once both are up and have named themselves (just after they are forked). Replacements
    are started by the pool's event loop, which runs here only while a test waits on it."""
    deadline = time.monotonic() + 10
    while True:
        _LOOP[id(runner)].run_until_complete(asyncio.sleep(0.02))
        found = [pid for pid in runner.worker_pids() if process_name(pid) == "puente-worker"]
        if len(found) == 2 or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def run(runner: Runner, *calls: tuple[Any, ...]) -> list[Any]:
    """Run jobs concurrently on one event loop; each answer or the error it raised."""

    async def all_of() -> list[Any]:
        return await asyncio.gather(*(runner.run(*call) for call in calls), return_exceptions=True)

    return _LOOP[id(runner)].run_until_complete(all_of())


def test_jobs_run_in_workers_with_their_body_and_arguments(runner: Runner) -> None:
    assert run(runner, (_echo, b"abc" * 1000, "x")) == [(3000, "x")]
    pids = set(run(runner, *[(_pid,)] * 6))
    assert pids <= set(_workers(runner)) and os.getpid() not in pids


def test_a_large_answer_comes_as_a_file(runner: Runner) -> None:
    [small, large] = run(runner, (_large, b"", 10), (_large, b"", 5_000_000))
    assert small.data == b"x" * 10 and not small.spilled
    assert large.spilled and large.size == 5_000_000 and large.read() == b"x" * 5_000_000
    large.close()


def test_errors_of_a_job_reach_the_caller_and_the_worker_lives_on(runner: Runner) -> None:
    before = set(_workers(runner))
    [refused, bug] = run(runner, (_refused,), (_broken,))
    assert isinstance(refused, PayloadTooLargeError) and refused.status == 413
    assert isinstance(bug, RuntimeError) and "KeyError" in str(bug)
    assert set(_workers(runner)) == before and runner.state().replaced == 0


def test_an_answer_that_cannot_be_pickled_is_a_503_and_the_worker_is_replaced(runner: Runner) -> None:
    [failed] = run(runner, (_unpicklable,))
    assert isinstance(failed, WorkerFailedError) and failed.status == 503
    assert runner.state().replaced == 1
    assert run(runner, (_echo, b"", "after")) == [(0, "after")]


def test_a_worker_killed_mid_job_is_a_503_and_is_replaced(runner: Runner) -> None:
    [failed, fine] = run(runner, (_die,), (_echo, b"", "other"))
    assert isinstance(failed, WorkerFailedError) and fine == (0, "other")
    assert run(runner, *[(_echo, b"", "again")] * 4) == [(0, "again")] * 4
    assert runner.state().replaced == 1


def test_the_time_limit_kills_the_worker(runner: Runner) -> None:
    started = time.monotonic()
    [stopped, fine] = run(runner, (_sleep, b"", 60), (_sleep, b"", 0))
    assert isinstance(stopped, ValidationTimeoutError) and isinstance(fine, int)
    assert time.monotonic() - started < 30
    assert runner.state().replaced == 1


def test_workers_killed_while_idle_never_hang_a_job(runner: Runner) -> None:
    """Defect 1 of issue 19: kill -9 every idle worker, then two jobs at once: both answered."""
    for pid in _workers(runner):
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    answers = run(runner, (_echo, b"", "a"), (_echo, b"", "b"))
    assert answers == [(0, "a"), (0, "b")] and time.monotonic() - started < 20
    assert len(_workers(runner)) == 2


def test_waiting_for_a_busy_pool_is_bounded(runner: Runner) -> None:
    """Two workers asleep for the whole time limit, a third job waits at most the time limit for one: 503."""
    answers = run(runner, (_sleep, b"", 60), (_sleep, b"", 60), (_echo, b"", "late"))
    assert sum(isinstance(a, ValidationTimeoutError) for a in answers) == 2
    assert isinstance(answers[2], (ServiceBusyError, tuple))  # busy, or served by a replacement in time


def test_a_worker_that_grew_is_replaced_after_its_answer(runner: Runner) -> None:
    [grown] = run(runner, (_grow, b"", 128))
    assert runner.state().replaced == 1  # retired after answering (the limit here: 64 MB)
    deadline = time.monotonic() + 10
    while alive(grown) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not alive(grown)
    assert run(runner, *[(_pid,)] * 4) and len(_workers(runner)) == 2


def test_nothing_outlives_the_pool(pipeline: Pipeline) -> None:
    found = Runner(pipeline)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(found.start())
    _LOOP[id(found)] = loop
    forked = _workers(found) + [pid for pid in tree_pids(os.getpid()) if process_name(pid) == "puente-zygote"
                                and set(found.worker_pids()) & set(tree_pids(pid))]
    assert len(forked) == 3
    found.close()
    loop.close()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in forked) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in forked)

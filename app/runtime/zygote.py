"""The workers' side of the pool: the zygote that forks them, a worker's loop, and the wire format both ends share.

A job: REQUEST (two lengths), then its function and arguments pickled, then the body as it is. An answer: ANSWER
(length, number of files, flags), then (ok, value) pickled; the descriptors of the files it carries (large Outputs)
come with the header's bytes (SCM_RIGHTS). See app/runtime/workers.py for the service's side and the design.
"""

from __future__ import annotations

import array
import gc
import logging
import os
import pickle
import resource
import select
import socket
import struct
from dataclasses import dataclass
from typing import Any

from app.errors import PayloadTooLargeError, PuenteError, WorkerFailedError
from app.i18n import text
from app.pipeline.run import Pipeline
from app.runtime import output, processes

logger = logging.getLogger("puente.workers")

REQUEST = struct.Struct("!QQ")  # pickled (job, args) length, body length
ANSWER = struct.Struct("!QBB")  # pickled (ok, value) length, files passed with it, flags
RETIRE = 1  # flag: the worker ends after this answer
MAX_FILES = 8  # files one answer may carry
MAX_JOBS = 5_000  # a worker is replaced after this many jobs (bounds a slow leak)
TRIM_AFTER_BYTES = 1_048_576  # after a job this large, freed memory is handed back to the system
SPLIT_BODY_AT = 262_144  # bodies below this are read together with their job, and sent with it


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to know of the settings."""

    recycle_mb: int
    memory_mb: int


def recv_exact(sock: socket.socket, size: int) -> bytes | None:
    """`size` bytes from a blocking socket, or None at end of file."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = sock.recv_into(view[got:], size - got)
        if count == 0:
            return None
        got += count
    return bytes(buffer)


def _serve(sock: socket.socket, pipeline: Pipeline, config: WorkerConfig) -> None:
    """A worker's loop: a job in, its answer out, until the service closes the socket or the worker retires."""
    resident = processes.ResidentMemory()
    born = resident.mb()
    for done in range(1, MAX_JOBS + 1):
        header = recv_exact(sock, REQUEST.size)
        if header is None:
            return
        head_size, body_size = REQUEST.unpack(header)
        if body_size < SPLIT_BODY_AT:  # one read for both (a copy of a small body costs less than a system call)
            both = recv_exact(sock, head_size + body_size)
            if both is None:
                return
            head, body = both[:head_size], both[head_size:]
        else:
            read_head = recv_exact(sock, head_size)
            read_body = recv_exact(sock, body_size)
            if read_head is None or read_body is None:
                return
            head, body = read_head, read_body
        retire = done == MAX_JOBS
        answer: tuple[bool, Any]
        try:
            job, args = pickle.loads(head)
            answer = (True, job(pipeline, body, *args))
        except PuenteError as error:  # handed to the caller, who raises it (a problem+json answer)
            answer = (False, error)
        except MemoryError:
            answer, retire = (False, PayloadTooLargeError(text("detail.out_of_memory", limit=config.memory_mb))), True
        except Exception as unexpected:  # a bug: the caller gets a 500, the worker (whose state is sound) lives on
            logger.exception("a job failed in a worker")
            answer = (False, RuntimeError(f"{type(unexpected).__name__}: {unexpected}"))
        del body
        with output.sending() as files:
            try:
                data = pickle.dumps(answer, protocol=5)
            except Exception as unsendable:  # an answer pickle refuses: the caller gets a 503, the worker retires
                logger.error("a worker's answer could not be pickled: %r", unsendable)
                files.clear()
                data = pickle.dumps((False, WorkerFailedError(text("detail.worker_failed"))))
                retire = True
        del answer
        if body_size >= TRIM_AFTER_BYTES or files:
            gc.collect()
            processes.trim_memory()
        if resident.mb() - born > config.recycle_mb:
            retire = True
        header = ANSWER.pack(len(data), len(files), RETIRE if retire else 0)
        try:
            if files:  # the descriptors travel with the header's bytes
                rights = array.array("i", [f.fileno() for f in files]).tobytes()
                sent = sock.sendmsg([header], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, rights)])
                sock.sendall(header[sent:] + data)
            else:
                sock.sendall(header + data)
        except OSError:
            return
        finally:
            for file in files:
                file.close()
        if retire:
            return


def _worker_main(descriptor: int, lifeline: int, zygote: int, pipeline: Pipeline, config: WorkerConfig) -> None:
    processes.die_with_parent(zygote)
    processes.watch_lifeline(lifeline)
    processes.name_process("puente-worker")
    if config.memory_mb and hasattr(resource, "RLIMIT_AS"):
        try:
            with open("/proc/self/statm", "rb") as statm:
                size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (size + config.memory_mb * 1_048_576, hard))
        except (OSError, ValueError):
            pass
    _serve(socket.socket(fileno=descriptor), pipeline, config)


def _zygote_main(control: socket.socket, lifeline: int, service: int, pipeline: Pipeline, config: WorkerConfig) -> None:
    """Fork a worker for each descriptor the service sends; answer with its pid. Single-threaded by design."""
    processes.quiet_signals()
    processes.drop_inherited(keep={control.fileno(), lifeline})
    processes.die_with_parent(service)
    processes.name_process("puente-zygote")
    me = os.getpid()
    while True:
        ready, _, _ = select.select([control.fileno(), lifeline], [], [])
        if lifeline in ready:
            return
        try:
            message, descriptors, _, _ = socket.recv_fds(control, 16, 1)
        except OSError:
            return
        if not message:
            return
        if not descriptors:
            continue
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                _worker_main(descriptors[0], lifeline, me, pipeline, config)
            finally:
                os._exit(0)
        os.close(descriptors[0])
        try:
            control.sendall(struct.pack("!q", pid))
        except OSError:
            return


class Zygote:
    """The service's handle on the zygote; used from the spawner thread only."""

    def __init__(self, pipeline: Pipeline, lifeline: int, config: WorkerConfig) -> None:
        self.pipeline = pipeline
        self.lifeline = lifeline
        self.config = config
        self.control: socket.socket | None = None
        self.pid: int | None = None

    def start(self) -> None:
        ours, theirs = socket.socketpair()
        service = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                _zygote_main(theirs, self.lifeline, service, self.pipeline, self.config)
            finally:
                os._exit(0)
        theirs.close()
        ours.settimeout(30)
        self.control, self.pid = ours, pid

    def spawn(self) -> tuple[int, socket.socket]:
        """A new worker: its pid and the service's end of its socket (non-blocking)."""
        if self.control is None:
            self.start()
        assert self.control is not None
        service_end, worker_end = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"F"], [worker_end.fileno()])
            answer = recv_exact(self.control, 8)
        except OSError:
            service_end.close()
            raise
        finally:
            worker_end.close()
        if answer is None:
            service_end.close()
            raise EOFError("the zygote closed its socket")
        service_end.setblocking(False)
        return struct.unpack("!q", answer)[0], service_end

    def stop(self) -> None:
        if self.pid is not None:
            processes.kill(self.pid, None)
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        if self.control is not None:
            self.control.close()
        self.control, self.pid = None, None

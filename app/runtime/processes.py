"""Process hygiene for the worker pool: die with the parent, hold no inherited descriptors, return freed memory.

Linux facilities are reached through ctypes (prctl, malloc_trim) and /proc; elsewhere each helper does what the
platform allows (a pipe watched by a thread stands in for the parent-death signal) or nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
from collections.abc import Collection

logger = logging.getLogger("puente.workers")
_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
_LINUX = sys.platform.startswith("linux")
_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and os.name == "posix":
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        except OSError:
            return None
    return _libc


def die_with_parent(parent: int) -> None:
    """Be killed (SIGKILL) when the process that forked this one ends (Linux), and end now if it already has.

    The kernel sends the signal when the forking *thread* ends: callers fork from a thread that lives as long as
    the pool (the pool's spawner thread, or a zygote's only thread)."""
    libc = _c()
    if _LINUX and libc is not None:
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(0)


def watch_lifeline(descriptor: int) -> None:
    """The portable fallback: a thread that ends this process when `descriptor` (the read end of a pipe whose write
    end only the service holds) reaches end of file, i.e. when the service has gone."""

    def wait() -> None:
        try:
            while os.read(descriptor, 1):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=wait, name="puente-lifeline", daemon=True).start()


def name_process(name: str) -> None:
    """The name `ps` and /proc/<pid>/comm show (Linux; at most 15 bytes)."""
    libc = _c()
    if _LINUX and libc is not None:
        libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def open_descriptors() -> list[int]:
    """The descriptors open in this process."""
    for listing in ("/proc/self/fd", "/dev/fd"):
        try:
            return sorted(int(name) for name in os.listdir(listing))
        except OSError:
            continue
    try:
        highest = os.sysconf("SC_OPEN_MAX")
    except (OSError, ValueError):
        highest = 1024
    found = []
    for descriptor in range(min(highest, 65_536)):
        try:
            os.fstat(descriptor)
        except OSError:
            continue
        found.append(descriptor)
    return found


def drop_inherited(keep: Collection[int]) -> None:
    """Let go of every inherited descriptor except stdin/out/err and `keep`: listening sockets, client connections,
    other workers' pipes. Each is pointed at /dev/null rather than closed, so the objects of the parent's memory
    that still name it (and may close it when collected) can never close a descriptor opened later."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for descriptor in open_descriptors():
            if descriptor > 2 and descriptor != null and descriptor not in keep:
                try:
                    os.dup2(null, descriptor, inheritable=False)
                except OSError:
                    continue
    finally:
        os.close(null)


def quiet_signals() -> None:
    """In a forked helper: no handlers of the parent's event loop. Ctrl-C is for the service (which then stops its
    helpers), SIGTERM ends a helper at once, children are reaped by the kernel."""
    try:
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)


class ResidentMemory:
    """This process's resident memory, read as often as asked (a worker reads it after every job): /proc/self/statm
    kept open and read again from its start, a few microseconds each. 0 where /proc is not available."""

    def __init__(self) -> None:
        try:
            self._statm: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self._statm = None
        self._page_mb = (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) / 1_048_576

    def mb(self) -> float:
        if self._statm is None:
            return 0.0
        try:
            return int(os.pread(self._statm, 128, 0).split()[1]) * self._page_mb
        except (OSError, ValueError, IndexError):
            return 0.0


def resident_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576


def trim_memory() -> None:
    """Give the memory the allocator holds free back to the system (glibc's malloc_trim; elsewhere nothing)."""
    libc = _c()
    if _LINUX and libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def kill(pid: int, pidfd: int | None) -> None:
    """SIGKILL a process; through its pidfd when there is one (never a recycled pid)."""
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, OSError):
        pass


def pidfd(pid: int) -> int | None:
    """A descriptor that names the process for as long as it is held (Linux ≥ 5.3), or None."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        found: int = opener(pid)
    except OSError:
        return None
    return found

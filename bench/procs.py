"""Memory of a process tree, from /proc (Linux), for the benchmark, the load test and the chaos tests."""

from __future__ import annotations

import os
from pathlib import Path


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (those alive now), parents first."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop(0)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        found.append(current)
        for task in tasks:
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def _status_kb(pid: int, field: str) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")), 0)


def tree_memory_mb(pid: int, *, field: str = "VmRSS") -> list[float]:
    """`field` of /proc/<pid>/status (VmRSS: resident now; VmHWM: peak) for a process and each of its
    descendants, in MB; a process that ended meanwhile is left out."""
    found = [_status_kb(p, field) for p in tree_pids(pid)]
    return [kb / 1024 for kb in found if kb is not None]


def pss_mb(pid: int) -> float:
    """Proportional set size of one process (pages shared by n processes count 1/n each), in MB; 0 when gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0) / 1024


def tree_pss_mb(pid: int) -> float:
    """What a process tree holds together: the sum of its processes' PSS (shared pages counted once), in MB."""
    return sum(pss_mb(p) for p in tree_pids(pid))


def reset_peaks(pid: int) -> None:
    """Reset VmHWM of a process tree (Linux ≥ 4.0, same user): a later VmHWM is the peak since now."""
    for current in tree_pids(pid):
        try:
            Path(f"/proc/{current}/clear_refs").write_text("5")
        except OSError:
            continue


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process tree has used so far: each live process's own, plus what its children
    that ended had used (counted in their parent once reaped)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for current in tree_pids(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def process_name(pid: int) -> str:
    """The process's short name (/proc/<pid>/comm), or '' when gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """True while a process runs (a zombie, which holds nothing but its exit status, counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


class PeakWatch:
    """The peak memory a process tree reaches while a block runs, sampled every `every_s` from VmHWM (a peak
    each process keeps itself, so a spike between samples is not missed; a process that ends is counted up to its
    last sample). `growth_mb` sums, over every process seen, its peak minus what it held when the watch began
    (for a process started meanwhile, a fork of `origin`: what `origin` held then)."""

    def __init__(self, pid: int, *, origin: str = "puente-zygote", every_s: float = 0.02) -> None:
        import threading

        self.pid = pid
        self.every_s = every_s
        self.peaks: dict[int, float] = {}
        self.start: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._origin = origin
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakWatch:
        reset_peaks(self.pid)
        for pid in tree_pids(self.pid):
            self.start[pid] = (_status_kb(pid, "VmRSS") or 0) / 1024
            self.names[pid] = process_name(pid)
        self._thread.start()
        return self

    def _sample(self) -> None:
        for pid in tree_pids(self.pid):
            peak = _status_kb(pid, "VmHWM")
            if peak is not None:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak / 1024)
                self.names.setdefault(pid, process_name(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every_s)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def growth_mb(self) -> float:
        origin = next((mb for pid, mb in self.start.items() if self.names.get(pid) == self._origin), 0.0)
        return sum(max(0.0, peak - self.start.get(pid, origin)) for pid, peak in self.peaks.items())

"""Memory of a process tree, from /proc (Linux), for the benchmark and the load test."""

from __future__ import annotations

from pathlib import Path


def tree_memory_mb(pid: int, *, field: str = "VmRSS") -> list[float]:
    """`field` of /proc/<pid>/status (VmRSS: resident now; VmHWM: peak) for a process and each of its
    descendants, in MB; a process that ended meanwhile is left out."""
    found: list[float] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(next((int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")), 0)
                     / 1024)
        pending.extend(int(child) for child in children)
    return found


def tree_pss_mb(pid: int) -> float:
    """The proportional set size of a process and its descendants, summed, in MB: memory really used, pages
    shared between forked workers and their parent counted once in all (/proc/<pid>/smaps_rollup)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0) / 1024
        pending.extend(int(child) for child in children)
    return total

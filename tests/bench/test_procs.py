"""The /proc reader the benchmark and the load test share."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.procs import tree_memory_mb


def test_a_process_and_its_children_are_read() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        resident = tree_memory_mb(os.getpid())
        peaks = tree_memory_mb(os.getpid(), field="VmHWM")
        assert len(resident) >= 2 and all(mb > 0 for mb in resident)  # this process and the sleeping child
        assert peaks[0] >= resident[0]  # the peak is never below what is resident now
    finally:
        child.kill()
        child.wait()
    assert tree_memory_mb(child.pid) == []  # gone: nothing, not an error


def test_proportional_set_size_counts_shared_pages_once() -> None:
    from bench.procs import tree_pss_mb

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import time

        time.sleep(0.5)
        pss = tree_pss_mb(os.getpid())
        assert 0 < pss <= sum(tree_memory_mb(os.getpid()))  # never more than the resident sizes summed
    finally:
        child.kill()
        child.wait()
    assert tree_pss_mb(child.pid) == 0.0


def test_cpu_time_of_a_tree_counts_its_children() -> None:
    from bench.procs import tree_cpu_s

    before = tree_cpu_s(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time\nend = time.process_time() + 0.5\n"
                              "while time.process_time() < end: pass\ntime.sleep(30)"])
    try:
        import time

        deadline = time.monotonic() + 20
        while tree_cpu_s(os.getpid()) - before < 0.4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tree_cpu_s(os.getpid()) - before >= 0.4  # the child's half second of work is in the tree's
    finally:
        child.kill()
        child.wait()

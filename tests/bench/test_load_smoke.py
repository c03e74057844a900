"""The load script runs (a few seconds, a few clients): what `make load` measures cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

from app.settings import REPO_ROOT


def test_load_script_reports_figures_and_no_5xx() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.load", "--clients", "4", "--seconds", "3", "--warmup", "1",
                           "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["requests"] > 0 and figures["status_5xx"] == 0 and figures["healthy_after"] is True
    assert set(figures["by_kind"]) >= {"validate co", "validate dcat", "convert mx", "profile page"}
    assert figures["rss_mb_start"] > 0


def test_benchmark_harness_runs_side_by_side() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--records", "25", "--per-record", "5", "--json"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    paths = {row["path"]: row for row in result["rows"]}
    assert result["records"] == 25
    naive = paths["pyshacl, whole graph (naive)"]
    batch = next(row for name, row in paths.items() if name.startswith("Puente batch"))
    assert naive["records_per_s"] > 0 and batch["records_per_s"] > 0 and naive["findings"] > 0
    assert batch["ratio_vs_naive_pyshacl"] is not None
    assert any(name in paths for name in ("pyrudof", "Apache Jena SHACL")) or len(paths) >= 5

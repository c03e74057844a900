"""`python -m bench` runs every row for real on a tiny corpus and the engines agree on what they find."""

from __future__ import annotations

import json
import subprocess
import sys

from app.settings import REPO_ROOT


def test_the_benchmark_runs_every_row_and_puente_finds_what_pyshacl_finds() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--records", "25", "--per-record", "10",
                           "--peer-records", "10", "--json"], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert len(result["rows"]) == 8
    for row in result["rows"]:  # nothing missing, nothing failed: every engine really ran
        assert row["records"] > 0 and row["records_per_s"] > 0, row
    assert result["records"] == 25
    naive = result["rows"][0]
    assert naive["path"].startswith("pyshacl, whole graph")
    assert naive["ratio_vs_naive_pyshacl"] == 1.0
    batch = next(r for r in result["rows"] if r["path"].startswith("Puente batch"))
    assert batch["findings"] == naive["findings"] > 25  # SHACL results + mapping problems, counted the same way
    jena = [r for r in result["rows"] if r["path"].startswith("Apache Jena")]
    assert {r["findings"] for r in jena if r["records"] == 10} == {
        r["findings"] for r in result["rows"] if r["path"].startswith("pyrudof")}  # same 10 records, same results
    http = next(r for r in result["rows"] if r["path"].startswith("Puente HTTP"))
    assert http["p50_ms"] is not None and http["p50_ms"] <= http["p99_ms"]

"""The harvest benchmark runs (a few datasets per type): what `python -m bench.harvest` measures cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys

from app.settings import REPO_ROOT


def test_harvest_benchmark_reports_first_and_incremental_runs() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.harvest", "--datasets", "30", "--rows", "10",
                           "--no-validate", "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert [row["type"] for row in figures["results"]] == ["ckan", "socrata", "datajson", "dcat"]
    for row in figures["results"]:
        first, incremental = row["first"], row["incremental"]
        assert first["status"] == incremental["status"] == "done", row
        assert first["records"] == incremental["records"] == 30, row
        assert incremental["counts"]["unchanged"] + incremental["counts"]["refused"] == 30, row
        assert incremental["requests"] < first["requests"] or row["type"] == "datajson", row  # one 304 for one 200
        assert first["records_per_s"] > 0 and first["peak_rss_mb"] >= row["rss_before_mb"] > 0


def test_harvest_benchmark_into_a_catalogue() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.harvest", "--datasets", "30", "--rows", "10", "--types",
                           "ckan,dcat", "--into-catalogue", "--json"], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    for row in json.loads(done.stdout)["results"]:
        first, incremental = row["first"], row["incremental"]
        assert row["into"] == "catalogue" and row["catalogue_records"] == first["counts"]["created"] == 30, row
        assert incremental["counts"]["unchanged"] == 30 and incremental["requests"] < first["requests"], row
        assert first["records_per_s"] > 0 and row["data_dir_mb"] > 0

"""The catalogue benchmark runs (a few hundred datasets): what `make bench-catalogue` measures cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.settings import REPO_ROOT


def test_catalogue_benchmark_reports_every_figure_on_both_stores() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.catalogue", "--datasets", "250", "--puts", "10",
                           "--samples", "10", "--json"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout)
    assert [run["store"] for run in runs] == ["oxigraph", "virtuoso"]  # side by side, in one run
    for figures in runs:
        assert figures["datasets"] == 250
        batch = figures["batch"]
        assert batch["stored"] + batch["refused"] == 250 and batch["stored"] > 200 and batch["datasets_per_s"] > 0
        for name in ("put", "page", "page_nt", "get", "changes", "sparql_themes"):
            assert figures[name]["n"] >= 5 and 0 < figures[name]["p50_ms"] <= figures[name]["p99_ms"], name
        assert figures["store_mb"] > 0 and figures["store_rdf_mb"] > 0
        assert figures["quality_scored_s"] >= 0 and figures["quality_datasets"] == batch["stored"]  # every one scored
        assert 0 < figures["peak_pss_mb"] <= figures["peak_memory_mb"]
    assert runs[0]["store_mb"] > runs[0]["store_rdf_mb"]  # embedded: the RDF store lives in the data folder
    floor = runs[0]["floor"]  # the two unavoidable parts, measured alone in the same run
    assert floor["validate_per_s"] > 0 and floor["store_per_s"] > 0 and floor["store_quads"] > 250 * 20
    assert floor["bound_per_s"] == pytest.approx(floor["processes"] * 1000 / (floor["validate_cpu_ms"] +
                                                                             floor["store_cpu_ms"]), rel=0.01)
    assert all(run["batch"]["cpu_ms_per_dataset"] > 0 for run in runs)
    assert runs[0]["batch"]["stored"] == runs[1]["batch"]["stored"]  # the same corpus, the same answers
    assert runs[0]["sparql_themes"]["themes"] == runs[1]["sparql_themes"]["themes"] > 0  # a count by theme on each

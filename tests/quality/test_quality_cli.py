"""`puente quality` run as an operator runs it, on a data folder no server holds."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.quality.catalogue_data import full_record, poor_record, running_puente

PUENTE = shutil.which("puente") or str(Path(sys.executable).with_name("puente"))


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "NO_COLOR": "1", "PUENTE_DATA_DIR": str(data_dir),
           "PUENTE_LOG_LEVEL": "WARNING"}
    return subprocess.run([PUENTE, "quality", *args], capture_output=True, text=True, timeout=300, env=env)


def test_scores_and_the_overdue_list_from_the_command_line(tmp_path: Path) -> None:
    with running_puente(tmp_path) as puente:
        assert puente.put_turtle("co", "a", full_record("http://127.0.0.1:9")).status_code == 201
        assert puente.put_turtle("co", "b", poor_record("http://127.0.0.1:9")).status_code == 201
        served = puente.get("/catalogues/co/quality").json()
    as_json = run(tmp_path, "--catalogue", "co", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    printed = json.loads(as_json.stdout)
    assert printed["catalogue"] == "co" and printed["datasets"] == 2
    assert printed["score"] == served["score"] == 182.5 and printed["rating"] == "sufficient"
    assert printed["overdue"][0]["title"] == "Presupuesto" and printed["overdue"][0]["days_overdue"] is None

    as_csv = list(csv.DictReader(io.StringIO(run(tmp_path, "--catalogue", "co", "--format", "csv").stdout)))
    assert [r["value"] for r in as_csv if r["kind"] == "score"] == ["182.5"]
    assert [r["publisher"] for r in as_csv if r["kind"] == "overdue"] == ["Ministerio de Hacienda",
                                                                           "Ministerio del Aire"]
    as_text = run(tmp_path, "--lang", "en")   # every catalogue that holds datasets: only co here
    assert as_text.returncode == 0 and "(co)" in as_text.stdout and "(cl)" not in as_text.stdout
    assert "Presupuesto — Ministerio de Hacienda" in as_text.stdout

    unknown = run(tmp_path, "--catalogue", "zz")
    assert unknown.returncode == 2 and "zz" in unknown.stderr
    empty = run(tmp_path, "--catalogue", "cl", "--format", "json")
    assert empty.returncode == 0 and json.loads(empty.stdout)["datasets"] == 0 and "cl" in empty.stderr

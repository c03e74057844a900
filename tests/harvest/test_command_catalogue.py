"""`puente harvest --catalogue`: one run into the harmonised catalogue in the foreground, as an operator runs it;
killed with kill -9 at two points (waiting for a page; between a page's catalogue write and the harvest file's
rows for it), then run again: every dataset in the catalogue once, none lost, and the killed run listed as
interrupted."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from app.catalogue.service import CatalogueService
from app.harvest.registry import HarvestDb
from app.pipeline.run import Pipeline
from app.settings import REPO_ROOT, Settings
from tests.harvest.fakes import CkanPortal, ckan_packages
from tests.harvest.test_kill import wait_for

SEARCH = "/api/3/action/package_search"


def env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "PUENTE_ALLOW_PRIVATE_URLS": "true", "PUENTE_HTTP_PER_HOST_RATE": "0",
            "PUENTE_DATA_DIR": str(data_dir), "PUENTE_LOG_LEVEL": "WARNING", "NO_COLOR": "1"}


def harvest_args(url: str, *extra: str) -> list[str]:
    return ["harvest", "--catalogue", "cl", "--type", "ckan", url, "--rows", "10", "--lang", "en", *extra]


def start(data_dir: Path, url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app.cli", *harvest_args(url, *extra)], cwd=REPO_ROOT,
                            env=env(data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    output, errors = process.communicate(timeout=300)
    return process.returncode, output, errors


State = tuple[Counter[str], tuple[int, int], list[dict[str, object]]]


def catalogue_state(data_dir: Path, pipeline: Pipeline) -> State:
    """(records the changes feed created, each once; the catalogue's counts; its harvest runs) read from the folder."""
    service = CatalogueService.open(Settings(data_dir=data_dir), pipeline.profile,
                                    sources=set(pipeline.registry.sources))
    try:
        feed = service.changes(service.catalogue("cl"), since=None, limit=1000)
        created = Counter(c["id"] for c in feed["changes"] if c["change"] == "created")
        assert created and max(created.values()) == 1, [k for k, v in created.items() if v > 1]
        counts = service.count("cl")
    finally:
        service.close()
    db = HarvestDb(data_dir / "harvest.sqlite3")
    try:
        runs = db.runs(catalogue="cl")
    finally:
        db.close()
    return created, counts, runs


def test_harvest_into_the_catalogue_text_then_json(tmp_path: Path, pipeline: Pipeline) -> None:
    with CkanPortal(ckan_packages(25)) as portal:
        code, printed, errors = finish(start(tmp_path, portal.url))
        assert code == 0, errors
        assert printed.startswith("done: ckan") and "→ cl" in printed and "created 25," in printed
        portal.touch("dataset-00003", title="Otro título")
        code, printed, errors = finish(start(tmp_path, portal.url, "--format", "json"))
        summary = json.loads(printed)
        assert code == 0 and summary["counts"]["updated"] == 1 and summary["counts"]["unchanged"] == 24
        assert summary["catalogue"] == "cl" and summary["source"]["url"] == portal.url
    created, counts, runs = catalogue_state(tmp_path, pipeline)
    assert len(created) == 25 and counts == (25, 0) and len(runs) == 2


def test_kill_9_while_waiting_for_a_page_then_resume(tmp_path: Path, pipeline: Pipeline) -> None:
    with CkanPortal(ckan_packages(60)) as portal:
        release = portal.hold(SEARCH, 4)  # pages 1-3 are published; page 4 hangs
        process = start(tmp_path, portal.url, "--format", "json")
        assert portal.arrived(SEARCH, 4).wait(timeout=300), process.communicate()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        release.set()
        assert process.returncode == -signal.SIGKILL
        created, counts, _ = catalogue_state(tmp_path, pipeline)
        assert len(created) == 30 and counts == (30, 0)

        code, printed, errors = finish(start(tmp_path, portal.url, "--format", "json"))
        summary = json.loads(printed)
        assert code == 0, errors
        assert summary["status"] == "done" and summary["resumed"] is True and summary["counts"]["created"] == 30
    created, counts, runs = catalogue_state(tmp_path, pipeline)
    assert len(created) == 60 and counts == (60, 0)
    killed = runs[-1]
    assert killed["status"] == "failed" and killed["interrupted"] is True


def test_kill_9_between_the_catalogue_write_and_the_harvest_file(tmp_path: Path, pipeline: Pipeline) -> None:
    marker = tmp_path / "stalled"
    with CkanPortal(ckan_packages(40)) as portal:
        command = [sys.executable, "-m", "tests.harvest.kill_catalogue_runner", str(marker), "2", "--",
                   *harvest_args(portal.url, "--format", "json")]
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env(tmp_path), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        wait_for(marker, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        created, counts, _ = catalogue_state(tmp_path, pipeline)
        assert len(created) == 20 and counts == (20, 0)  # page 2 is in the catalogue, not in the harvest file

        code, printed, errors = finish(start(tmp_path, portal.url, "--format", "json"))
        summary = json.loads(printed)
        assert code == 0, errors
        # page 2 again: the catalogue finds its 10 records unchanged (and page 1's 10 are too); nothing created
        # twice, nothing lost
        assert summary["counts"]["created"] == 20 and summary["counts"]["unchanged"] == 20
        assert summary["resumed"] is True
    created, counts, _ = catalogue_state(tmp_path, pipeline)
    assert len(created) == 40 and counts == (40, 0)


def test_refused_clearly_when_a_server_holds_the_folder(tmp_path: Path) -> None:
    descriptor = os.open(tmp_path / "puente.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.write(descriptor, b"puente serve (pid 4242)\n")
    try:
        code, printed, errors = finish(start(tmp_path, "http://127.0.0.1:9/"))
        assert code == 2 and not printed
        assert "puente serve (pid 4242)" in errors
    finally:
        os.close(descriptor)


def test_where_the_records_go_must_be_said(tmp_path: Path) -> None:
    process = subprocess.run([sys.executable, "-m", "app.cli", "harvest", "--type", "ckan", "http://x.example/"],
                             cwd=REPO_ROOT, env=env(tmp_path), capture_output=True, text=True, timeout=120)
    assert process.returncode == 2 and "--catalogue" in process.stderr and "--out" in process.stderr

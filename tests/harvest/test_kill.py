"""kill -9 in the middle of a harvest: the next run resumes, with no duplicates and nothing lost.

The harvest runs in a subprocess (the `puente harvest` command, or tests/harvest/kill_runner.py) writing a
JSON-Lines change log and a state file; the test kills it with SIGKILL at a known point (a page request held
by the fake portal, or a sink that stops still between a write and the checkpoint), then runs the command
again and checks the log: every dataset created exactly once, the final set equal to the portal's.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app.harvest.sink import read_log
from app.settings import REPO_ROOT
from tests.harvest.fakes import CkanPortal, SocrataPortal, ckan_packages, socrata_views

SEARCH = "/api/3/action/package_search"
ENV = {**os.environ, "PUENTE_ALLOW_PRIVATE_URLS": "true", "PUENTE_HTTP_PER_HOST_RATE": "0"}


def puente_harvest(url: str, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "app.cli", "harvest", "--type", "ckan", url, "--out", str(out), "--rows", "10",
               "--format", "json", "--lang", "en", *extra]
    return subprocess.Popen(command, cwd=REPO_ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(process: subprocess.Popen[str]) -> dict[str, object]:
    output, errors = process.communicate(timeout=300)
    assert process.returncode in (0, 1), errors
    result: dict[str, object] = json.loads(output)
    return result


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the harvest never reached the point where it is killed"
        time.sleep(0.05)


def created_once(log: Path) -> Counter[str]:
    created = Counter(e["id"] for e in read_log(log) if e["change"] == "created")
    assert created and max(created.values()) == 1, [k for k, v in created.items() if v > 1]
    return created


def test_kill_9_while_waiting_for_a_page_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "cl.jsonl"
    with CkanPortal(ckan_packages(60)) as portal:
        release = portal.hold(SEARCH, 4)  # pages 1-3 are stored and checkpointed; page 4 hangs
        process = puente_harvest(portal.url, out)
        assert portal.arrived(SEARCH, 4).wait(timeout=300), process.communicate()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        release.set()
        assert process.returncode == -signal.SIGKILL
        assert len(created_once(out)) == 30
        state = json.loads((tmp_path / "cl.jsonl.state.json").read_text())
        assert state["reader"]["listing"]["pages"] == 3

        summary = finish(puente_harvest(portal.url, out))
        assert summary["status"] == "done" and summary["resumed"] is True
        assert summary["counts"]["created"] == 30  # type: ignore[index]
        assert set(created_once(out)) == set(portal.packages)

        again = finish(puente_harvest(portal.url, out, "--no-validate"))
        assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 60, "deleted": 0, "refused": 0,
                                   "errors": 0}


@pytest.mark.parametrize("kind", ["ckan", "socrata"])
def test_kill_9_between_a_write_and_the_checkpoint(tmp_path: Path, kind: str) -> None:
    """Killed after the 15th record of a run (page 2 half written, its checkpoint not saved): the resumed run
    reads page 2 again; the records written before the kill are `unchanged`, never created twice."""
    out, state, marker = tmp_path / "out.jsonl", tmp_path / "state.json", tmp_path / "stalled"
    fake = CkanPortal(ckan_packages(40)) if kind == "ckan" else SocrataPortal(socrata_views(40))
    with fake as portal:
        runner = [sys.executable, "-m", "tests.harvest.kill_runner", kind, portal.url, str(out), str(state)]
        process = subprocess.Popen([*runner, "15", str(marker)], cwd=REPO_ROOT, env=ENV, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        wait_for(marker, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert len(created_once(out)) == 15
        saved = json.loads(state.read_text())["reader"]["listing"]
        assert saved["pages"] == 1  # the checkpoint is page 1's

        resumed = subprocess.run([*runner, "0", str(tmp_path / "unused")], cwd=REPO_ROOT, env=ENV,
                                 capture_output=True, text=True, timeout=300)
        assert resumed.stdout.strip() == "done", resumed.stderr
        expected = set(portal.packages) if isinstance(portal, CkanPortal) else set(portal.views)
        assert set(created_once(out)) == expected
        assert not any(e["change"] == "updated" for e in read_log(out))

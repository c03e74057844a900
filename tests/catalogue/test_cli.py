"""`puente token` and `puente publish`, run as an operator runs them, on a data folder of their own."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.corpus import generate
from tests.catalogue.conftest import Backend
from tests.stores import BOTH

# On pyoxigraph only (STORES = BOTH from tests/stores.py runs it on Virtuoso too), to keep the suite short:
# the command line writes through the same service calls
# test_publish_read and test_crash make on both stores.
STORES = BOTH  # on pyoxigraph and on Virtuoso

PUENTE = shutil.which("puente") or str(Path(sys.executable).with_name("puente"))


def run(data_dir: Path, *args: str, store: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "NO_COLOR": "1", "PUENTE_DATA_DIR": str(data_dir),
           "PUENTE_LOG_LEVEL": "WARNING", **(store or {})}
    return subprocess.run([PUENTE, *args], capture_output=True, text=True, timeout=300, env=env)


def test_tokens_from_the_command_line(tmp_path: Path) -> None:
    created = run(tmp_path, "token", "create", "--catalogue", "cl", "--name", "datos.gob.cl")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("pte_") and len(token) > 40 and "Guárdelo ahora" in created.stderr
    listed = run(tmp_path, "token", "list")
    token_id, catalogue, state = listed.stdout.split("\t")[:3]
    assert catalogue == "cl" and state == "live" and token not in listed.stdout
    assert run(tmp_path, "token", "revoke", token_id).returncode == 0
    assert "revoked" in run(tmp_path, "token", "list").stdout
    assert run(tmp_path, "token", "revoke", token_id).returncode == 2
    unknown = run(tmp_path, "token", "create", "--catalogue", "zz")
    assert unknown.returncode == 2 and "zz" in unknown.stderr


def test_publish_a_catalogue_file_on_every_core(tmp_path: Path, backend: Backend) -> None:
    store = backend.env()
    documents = generate(records=120, seed=9)
    chile = tmp_path / "cl.json"
    chile.write_bytes(documents[1].body)
    first = run(tmp_path / "data", "publish", "--catalogue", "cl", str(chile), "--processes", "2", "--format", "json",
                store=store)
    assert first.returncode == 1, first.stderr  # some records of the corpus are defective: refused
    summary = json.loads(first.stdout)
    assert summary["source"] == "cl" and summary["created"] + summary["refused"] == 120 and summary["created"] > 90
    assert all(r["violations"] for r in summary["records"] if r["status"] == "refused")
    again = run(tmp_path / "data", "publish", "--catalogue", "cl", str(chile), store=store)
    assert f"unchanged={summary['created']}" in again.stdout and "created=0" in again.stdout
    assert run(tmp_path / "data", "publish", "--catalogue", "cl", str(tmp_path / "missing.json"),
               store=store).returncode == 2


def test_the_command_line_says_when_a_server_holds_the_folder(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    descriptor = os.open(tmp_path / "puente.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    os.write(descriptor, b"puente serve (pid 4242)\n")
    try:
        held = run(tmp_path, "token", "create", "--catalogue", "co")
        assert held.returncode == 2
        assert "puente serve (pid 4242)" in held.stderr and "en uso" in held.stderr
        assert not held.stdout
    finally:
        os.close(descriptor)
    assert run(tmp_path, "token", "create", "--catalogue", "co").returncode == 0

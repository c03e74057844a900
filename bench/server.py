"""Start a real Puente server on a free loopback port (for the benchmarks and the end-to-end tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(env: dict[str, str] | None = None, *, access_log: bool = True, port: int | None = None
                   ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """uvicorn serving app.main:app on 127.0.0.1; yields (base URL, process) once /health answers.

    The server keeps its catalogue in a fresh temporary folder unless `env` names PUENTE_DATA_DIR."""
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    if not access_log:
        command.append("--no-access-log")
    environment = {**os.environ, **(env or {})}
    data_dir = None
    if "PUENTE_DATA_DIR" not in (env or {}):
        data_dir = tempfile.mkdtemp(prefix="puente-data-")
        environment["PUENTE_DATA_DIR"] = data_dir
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.25)
        else:
            raise RuntimeError("the Puente server did not start")
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)

"""A throw-away Virtuoso 7 (Debian's virtuoso-opensource-7) on loopback ports, for tests and the benchmark.

The recipe of docs/reference/catalogue-anchors.md §6: a copy of Debian's virtuoso.ini in a temporary folder with its
database, log and ports pointed there, started with `virtuoso-t +foreground`, waited for until `/sparql` answers,
stopped by process id. Writes go through /sparql-auth (SPARQL Update) and /sparql-graph-crud-auth (Graph Store
Protocol) with digest authentication as dba.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
SERVER = "/usr/bin/virtuoso-t"
INIFILE = "/usr/bin/inifile"
USER = PASSWORD = "dba"  # the fresh database's administrator, on loopback only


@dataclass(frozen=True)
class Virtuoso:
    """Where a running Virtuoso answers (the settings PUENTE_STORE=sparql needs)."""

    base: str
    pid: int
    folder: Path
    result_rows: int = 10_000  # its ResultSetMaxRows

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def settings(self) -> dict[str, str]:
        """Puente's environment variables for this server."""
        return {"PUENTE_STORE": "sparql", "PUENTE_SPARQL_QUERY_URL": self.query_url,
                "PUENTE_SPARQL_UPDATE_URL": self.update_url, "PUENTE_GSP_URL": self.gsp_url,
                "PUENTE_SPARQL_USER": USER, "PUENTE_SPARQL_PASSWORD": PASSWORD,
                "PUENTE_SPARQL_SERVER_MAX_ROWS": str(self.result_rows)}


def available() -> str | None:
    """None when Debian's Virtuoso is installed, else what is missing (the tests fail on it, never skip)."""
    missing = [p for p in (SERVER, INIFILE, str(TEMPLATE)) if not Path(p).exists()]
    return None if not missing else ("Virtuoso 7 is not installed (missing " + ", ".join(missing) +
                                      "): sudo apt-get install virtuoso-opensource-7")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _set(ini: Path, section: str, key: str, value: str) -> None:
    subprocess.run([INIFILE, "+inifile", str(ini), "+section", section, "+key", key, "+value", value], check=True,
                   capture_output=True)


def _configure(folder: Path, *, sql_port: int, http_port: int, result_rows: int, query_seconds: int) -> Path:
    ini = folder / "virtuoso.ini"
    shutil.copy(TEMPLATE, ini)
    for section, key, value in (
            ("Database", "DatabaseFile", folder / "virtuoso.db"), ("Database", "ErrorLogFile", folder / "virtuoso.log"),
            ("Database", "LockFile", folder / "virtuoso.lck"), ("Database", "TransactionFile", folder / "virtuoso.trx"),
            ("Database", "xa_persistent_file", folder / "virtuoso.pxa"),
            ("TempDatabase", "DatabaseFile", folder / "virtuoso-temp.db"),
            ("TempDatabase", "TransactionFile", folder / "virtuoso-temp.trx"),
            ("Parameters", "ServerPort", f"127.0.0.1:{sql_port}"),
            ("Parameters", "DirsAllowed", f"., {folder}, /usr/share/virtuoso-opensource-7/vad"),
            ("Parameters", "NumberOfBuffers", "170000"), ("Parameters", "MaxDirtyBuffers", "130000"),
            ("HTTPServer", "ServerPort", f"127.0.0.1:{http_port}"),
            ("SPARQL", "ResultSetMaxRows", str(result_rows)),
            ("SPARQL", "MaxQueryExecutionTime", str(query_seconds))):
        _set(ini, section, key, str(value))
    return ini


def _wait(base: str, process: subprocess.Popen[bytes], log: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Virtuoso stopped while starting: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"Virtuoso did not answer within {seconds:.0f} s: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def running_virtuoso(*, result_rows: int = 10_000, query_seconds: int = 60,
                     start_seconds: float = 120.0) -> Iterator[Virtuoso]:
    """A fresh Virtuoso on free loopback ports; removed with its database when the block ends."""
    problem = available()
    if problem:
        raise RuntimeError(problem)
    folder = Path(tempfile.mkdtemp(prefix="puente-virtuoso-"))
    http_port, sql_port = _free_port(), _free_port()
    ini = _configure(folder, sql_port=sql_port, http_port=http_port, result_rows=result_rows,
                     query_seconds=query_seconds)
    process = subprocess.Popen([SERVER, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(base, process, folder / "virtuoso.log", seconds=start_seconds)
        yield Virtuoso(base=base, pid=process.pid, folder=folder, result_rows=result_rows)
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def graphs(server: Virtuoso, *, page: int = 200) -> set[str]:
    """Every graph holding a triple (keyset pages: a page cut by the server's row cap only means one more page)."""
    import httpx

    found: set[str] = set()
    last = ""
    while True:
        query = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STR(?g) > " + json.dumps(last) +
                 f") }} ORDER BY STR(?g) LIMIT {page}")
        answer = httpx.post(server.query_url, data={"query": query}, timeout=60,
                            headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        names = [row["g"]["value"] for row in answer.json()["results"]["bindings"]]
        if not names:
            return found
        found.update(names)
        last = max(names)


def clear(server: Virtuoso, *, keep: set[str]) -> None:
    """Drop every graph but `keep` (Virtuoso's own graphs, listed right after it started): a clean state."""
    import httpx

    gone = sorted(graphs(server) - keep)
    for start in range(0, len(gone), 200):
        update = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in gone[start:start + 200])
        answer = httpx.post(server.update_url, data={"update": update}, auth=httpx.DigestAuth(USER, PASSWORD),
                            timeout=120)
        answer.raise_for_status()


if __name__ == "__main__":  # python -m bench.virtuoso: start one and keep it up until Ctrl-C
    with running_virtuoso() as server:
        print(server.base, server.settings())  # noqa: T201
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass

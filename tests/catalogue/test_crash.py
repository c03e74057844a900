"""kill -9 of a real server in the middle of publishing a catalogue: after a restart the store opens, every stored
record is whole, the changes feed and the counts agree with the records, and sending the document again completes
it with no duplicates.

3,000 records (six shares of 500, each written atomically) keep the test short; the server is killed as soon as the
first share shows in the changes feed, and the test fails if the publication had already finished by then. A whole
record is checked byte for byte: its dataset's triples, read back over HTTP, give again the checksum its
CatalogRecord states.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
from rdflib import URIRef

from app.catalogue import canonical
from app.profile.model import Profile
from bench.corpus import generate
from bench.server import free_port, running_server
from tests.catalogue.conftest import JSON, Backend, Server, server_env
from tests.stores import BOTH

STORES = BOTH  # a kill -9 on pyoxigraph and on Virtuoso

RECORDS = 3000
SPDX_VALUE = "<http://spdx.org/rdf/terms#checksumValue>"


def publish_in_background(url: str, token: str, body: bytes) -> Any:
    import threading

    result: dict[str, Any] = {}

    def post() -> None:
        try:
            result["answer"] = httpx.post(f"{url}/catalogues/co/datasets", content=body, timeout=600,
                                          headers={"Authorization": f"Bearer {token}", "Content-Type": JSON})
        except httpx.HTTPError as error:  # the server dies under it: expected
            result["error"] = error

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, result


def walk_ids(server: Server) -> list[str]:
    ids: list[str] = []
    url: str | None = "/catalogues/co?format=json&page_size=1000"
    while url:
        page = server.get(url).json()
        ids += [d["id"] for d in page["datasets"]]
        url = page["next"][len(server.url):] if page["next"] else None
    return ids


def feed(server: Server) -> dict[str, str]:
    """Each record's last change in the feed."""
    last: dict[str, str] = {}
    since = ""
    while True:
        answer = server.get(f"/catalogues/co/changes?limit=1000{since}").json()
        for change in answer["changes"]:
            last[change["id"]] = change["change"]
        since = f"&since={answer['next']}"
        if not answer["more"]:
            return last


def whole(server: Server, record_id: str, profile: Profile) -> bool:
    """The dataset's own triples, read back, give the checksum its CatalogRecord states."""
    lines = server.get(f"/catalogues/co/datasets/{record_id}?format=nt").text.splitlines()
    record = f"<{server.url}/catalogues/co/records/{record_id}"
    stated = next(line.split(" ", 2)[2] for line in lines if line.startswith(record) and SPDX_VALUE in line)
    vocabulary = {f"<{iri}>" for iri in profile.background.by_iri if isinstance(iri, URIRef)}
    own = [line for line in lines if line and not line.startswith(record) and line.split(" ", 1)[0] not in vocabulary
           and not line.startswith("<https://w3id.org/puente/profile>")]
    triples = [tuple(line[:-2].split(" ", 2)) for line in own]
    lines_again = canonical.canonical_lines(triples, salt=f"{server.url}/catalogues/co/records/{record_id}")
    return canonical.checksum(lines_again) == stated.split('"')[1]


def test_kill_9_during_a_publication(tmp_path: Path, profile: Profile, backend: Backend) -> None:
    document = generate(records=RECORDS, seed=3)[0]
    views = json.loads(document.body)
    data_dir = tmp_path / "data"
    port = free_port()
    env = server_env(data_dir, port, **backend.env())
    with running_server(env, port=port, access_log=False) as (url, process):
        first = Server(url=url, process=process, data_dir=data_dir)
        token = first.token("co")
        thread, result = publish_in_background(url, token, document.body)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if first.get("/catalogues/co/changes?limit=1").json()["changes"]:
                break
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        thread.join(timeout=60)
        assert "answer" not in result, "the publication finished before the kill: make the document larger"
    with running_server(env, port=port, access_log=False) as (url, process):
        server = Server(url=url, process=process, data_dir=data_dir, tokens={"co": token})
        stored = walk_ids(server)
        assert 0 < len(stored) < RECORDS * 0.95, len(stored)
        assert len(stored) == len(set(stored))
        total = server.get("/catalogues/co?format=json").json()["totalItems"]
        assert total == len(stored)
        last = feed(server)
        assert {i for i, change in last.items() if change != "deleted"} == set(stored)  # feed agrees with records
        sample = stored[:: max(1, len(stored) // 60)] + stored[-5:]
        assert all(whole(server, record_id, profile) for record_id in sample)
        answer = server.post("co", document.body, JSON)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["unchanged"] == len(stored)  # what was stored before the kill is whole and not written again
        assert body["created"] + body["unchanged"] + body["refused"] == RECORDS and body["updated"] == 0
        complete = walk_ids(server)
        assert len(complete) == len(set(complete)) == body["created"] + body["unchanged"]
        assert set(complete) == {v["id"] for v in views} - {r["id"] for r in body["records"]
                                                            if r["status"] == "refused"}
        assert server.get("/catalogues/co?format=json").json()["totalItems"] == len(complete)
        last = feed(server)
        assert {i for i, change in last.items() if change != "deleted"} == set(complete)

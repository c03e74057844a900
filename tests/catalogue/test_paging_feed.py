"""Publishing a whole catalogue, paging it (also while records are being added), filters, modified_since, and the
changes feed — on a real server."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

from bench.corpus import generate
from tests.catalogue.conftest import JSON, Server
from tests.stores import BOTH

# On pyoxigraph only (STORES = BOTH from tests/stores.py runs it on Virtuoso too), to keep the suite short:
# pages and the feed read Puente's index; its store writes are the ones
# test_publish_read and test_crash make on both stores.
STORES = BOTH  # on pyoxigraph and on Virtuoso

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
N = 300


@pytest.fixture(scope="module")
def colombia(server: Server) -> dict[str, Any]:
    """A 300-record Colombian catalogue (about 10 % defective) published in one POST."""
    document = generate(records=N, seed=11)[0]
    answer = server.post("co", document.body, JSON)
    assert answer.status_code == 200, answer.text
    return {"views": json.loads(document.body), "answer": answer.json()}


def test_batch_answer_counts_and_outcomes(server: Server, colombia: dict[str, Any]) -> None:
    answer = colombia["answer"]
    assert answer["source"] == "co" and len(answer["records"]) == N
    assert answer["created"] + answer["refused"] == N and 0 < answer["refused"] < N // 4
    refused = [r for r in answer["records"] if r["status"] == "refused"]
    assert all(r["violations"] and r["reason"] == "violations" for r in refused)
    stored = [r for r in answer["records"] if r["status"] == "created"]
    assert [r["id"] for r in stored] == [v["id"] for v in colombia["views"]
                                         if v["id"] in {r["id"] for r in stored}]  # document order
    assert server.get("/catalogues/co?format=json").json()["totalItems"] >= len(stored)
    again = server.post("co", json.dumps(colombia["views"]).encode(), JSON).json()
    assert again["unchanged"] == answer["created"] and again["created"] == again["updated"] == 0


def walk(server: Server, size: int, *, pause: float = 0.0, query: str = "") -> tuple[list[str], int]:
    seen: list[str] = []
    url: str | None = f"/catalogues/co?format=json&page_size={size}{query}"
    total = -1
    while url:
        page = server.get(url).json()
        seen += [d["id"] for d in page["datasets"]]
        total = page["totalItems"]
        url = page["next"][len(server.url):] if page["next"] else None
        time.sleep(pause)
    return seen, total


def test_paging_walked_to_the_end_while_records_are_added(server: Server, colombia: dict[str, Any]) -> None:
    views = colombia["views"]
    good = next(v for v in views if v["id"] in {r["id"] for r in colombia["answer"]["records"]
                                                if r["status"] == "created"})
    done = threading.Event()

    def writer() -> None:
        for i in range(40):  # new records (appended) and updates of early ones (already walked past)
            view = dict(good, id=f"new{i:03d}-abcd", name=f"Registro nuevo {i}")
            assert server.put("co", view["id"], json.dumps(view).encode(), JSON).status_code == 201
            changed = dict(good, name=f"{good['name']} (v{i})")
            assert server.put("co", good["id"], json.dumps(changed).encode(), JSON).status_code == 200
        done.set()

    thread = threading.Thread(target=writer)
    seen: list[str] = []
    url: str | None = "/catalogues/co?format=json&page_size=20"
    thread.start()
    total = -1
    pages = 0
    while url:
        page = server.get(url).json()
        seen += [d["id"] for d in page["datasets"]]
        total = page["totalItems"]
        url = page["next"][len(server.url):] if page["next"] else None
        pages += 1
        if pages == 3:
            done.wait(120)  # the end is walked after the writes: everything added must show up
    thread.join()
    assert len(seen) == len(set(seen)), "a record was listed twice"
    assert len(seen) == total == server.get("/catalogues/co?format=json").json()["totalItems"]
    assert {f"new{i:03d}-abcd" for i in range(40)} <= set(seen)


def test_rdf_pages_are_hydra_partial_collection_views(server: Server, colombia: dict[str, Any]) -> None:
    answer = server.get("/catalogues/co?page_size=7", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert 'rel="next"' in answer.headers["link"] and 'rel="first"' in answer.headers["link"]
    graph = Graph().parse(data=answer.text, format="turtle")
    catalogue = URIRef(f"{server.url}/catalogues/co")
    total = int(graph.value(catalogue, HYDRA.totalItems))
    assert total == server.get("/catalogues/co?format=json").json()["totalItems"]
    view = graph.value(catalogue, HYDRA.view)
    following = graph.value(view, HYDRA.next)
    assert following is not None and str(following) in answer.headers["link"]
    assert len(set(graph.objects(catalogue, HYDRA.member))) == 7
    second = Graph().parse(data=server.get(str(following)[len(server.url):], headers={"Accept": "text/turtle"}).text,
                           format="turtle")
    assert not set(graph.objects(catalogue, HYDRA.member)) & set(second.objects(catalogue, HYDRA.member))
    for media in ("application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert server.get("/catalogues/co?page_size=3", headers={"Accept": media}).status_code == 200


def test_page_size_bounds(server: Server) -> None:
    assert server.get("/catalogues/co?page_size=1001").status_code == 400
    assert server.get("/catalogues/co?page_size=0").status_code == 400
    assert len(server.get("/catalogues/co?format=json&page_size=1000").json()["datasets"]) <= 1000


def test_filters_narrow_the_listing(server: Server, colombia: dict[str, Any]) -> None:
    total = server.get("/catalogues/co?format=json").json()["totalItems"]
    complete = walk(server, 200, query="&conformance=complete")
    warnings = walk(server, 200, query="&conformance=warnings")
    assert complete[1] + warnings[1] == total and not set(complete[0]) & set(warnings[0])
    health = "http://publications.europa.eu/resource/authority/data-theme/HEAL"
    themed, count = walk(server, 200, query=f"&theme={health}")
    assert 0 < count < total and len(themed) == count
    for record_id in themed[:5]:
        assert health in server.get(f"/catalogues/co/datasets/{record_id}?format=nt").text
    found, count = walk(server, 200, query="&q=agua")
    texts = {v["id"]: " ".join([v["name"], v["description"], *v["tags"]]).lower() for v in colombia["views"]}
    assert 0 < count < total
    assert all("agua" in texts[i] for i in found if i in texts)  # (records added by other tests: not in views)
    expected = {i for i, words in texts.items() if "agua" in words} & set(walk(server, 1000)[0])
    assert expected <= set(found)
    csv = "http://publications.europa.eu/resource/authority/file-type/CSV"
    assert walk(server, 200, query=f"&filetype={csv}")[1] > 0
    assert walk(server, 200, query="&q=zzzznotaword")[1] == 0


def test_modified_since(server: Server, colombia: dict[str, Any]) -> None:
    time.sleep(0.05)
    since = server.get("/catalogues/co/changes?limit=1").json()["changes"][0]["at"]  # long ago
    assert walk(server, 500, query=f"&modified_since={since}")[1] >= 1
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
    time.sleep(1.2)
    stored = [r["id"] for r in colombia["answer"]["records"] if r["status"] == "created"][-3:]
    views = {v["id"]: v for v in colombia["views"]}
    for record_id in stored:
        changed = dict(views[record_id], name=views[record_id]["name"] + " (modificado)")
        assert server.put("co", record_id, json.dumps(changed).encode(), JSON).status_code == 200
    found, count = walk(server, 2, query=f"&modified_since={moment}")
    assert found == stored and count == 3
    assert server.get("/catalogues/co?modified_since=ayer").status_code == 400


def test_changes_feed_in_commit_order_with_cursors(server: Server, colombia: dict[str, Any]) -> None:
    everything: list[dict[str, Any]] = []
    since = ""
    while True:
        answer = server.get(f"/catalogues/co/changes?limit=50{since}").json()
        everything += answer["changes"]
        since = f"&since={answer['next']}"
        if not answer["more"]:
            break
    sequence = [c["seq"] for c in everything]
    assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence)
    assert {c["change"] for c in everything} <= {"created", "updated", "deleted"}
    assert all(c["iri"] == f"{server.url}/catalogues/co/datasets/{c['id']}" for c in everything)
    empty = server.get(f"/catalogues/co/changes?since={answer['next']}").json()
    assert empty["changes"] == [] and empty["next"] == answer["next"]  # polling again later starts here
    by_time = server.get(f"/catalogues/co/changes?since={everything[-1]['at']}").json()["changes"]
    assert by_time and by_time[-1]["seq"] == everything[-1]["seq"]
    assert server.get("/catalogues/co/changes?since=AAAA!!").status_code == 400


def test_sync_full_deletes_what_the_document_no_longer_holds(server: Server) -> None:
    document = json.loads(generate(records=40, seed=5)[0].body)
    for view in document:
        view["id"] = "sync" + view["id"][4:]
    first = server.post("co", json.dumps(document).encode(), JSON).json()
    stored = [r["id"] for r in first["records"] if r["status"] == "created"]
    before = server.get("/catalogues/co?format=json").json()["totalItems"]
    kept = document[:20]
    answer = server.post("co", json.dumps(kept).encode(), JSON, query="?sync=full").json()
    gone = set(stored) - {v["id"] for v in kept}
    others = before - len(stored)  # every other record of the catalogue is deleted too: the document is all
    assert "deleted" in answer, answer
    assert answer["deleted"] == len(gone) + others
    assert server.get(f"/catalogues/co/datasets/{sorted(gone)[0]}").status_code == 410
    assert server.get("/catalogues/co?format=json").json()["totalItems"] == len([r for r in answer["records"]
                                                                                 if r["status"] in
                                                                                 ("unchanged", "created",
                                                                                  "updated")])

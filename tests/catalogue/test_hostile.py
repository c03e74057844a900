"""Hostile input on every catalogue endpoint: a 4xx problem+json naming the problem, in bounded time, nothing
written, and the server lives on. Paths are sent raw (http.client), so `..` and `%00` reach the server as sent."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from bench.server import free_port, running_server
from tests.catalogue.conftest import JSON, TURTLE, Backend, Server, case, server_env
from tests.stores import BOTH

STORES = BOTH  # every test here runs on pyoxigraph and on Virtuoso


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> Iterator[Server]:
    """Small limits, as tests/hostile uses them: a 300 kB body, a 1,000-character literal."""
    data_dir = tmp_path_factory.mktemp("hostile-data")
    port = free_port()
    env = server_env(data_dir, port, PUENTE_MAX_BODY_BYTES="300000", PUENTE_MAX_LITERAL_CHARS="1000",
                     PUENTE_MAX_RECORDS="400", PUENTE_VALIDATION_TIMEOUT_S="10", **backend.env())
    with running_server(env, port=port, access_log=False) as (url, process):
        yield Server(url=url, process=process, data_dir=data_dir)


def raw(server: Server, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def is_problem(status: int, headers: dict[str, str], body: bytes, expected: int | tuple[int, ...]) -> dict[str, object]:
    wanted = expected if isinstance(expected, tuple) else (expected,)
    assert status in wanted, (status, body[:300])
    assert headers["content-type"] == "application/problem+json", headers
    problem: dict[str, object] = json.loads(body)
    assert problem["status"] == status and problem["detail"] and b"Traceback" not in body
    return problem


def alive(server: Server) -> None:
    assert server.process.poll() is None and httpx.get(f"{server.url}/health", timeout=10).status_code == 200


READ_PATHS = ["/catalogues/co/datasets/{}", "/catalogues/co/datasets/{}/report", "/catalogues/co/records/{}"]
HOSTILE_IDS = ["..", "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc", "a%00b", "a%0ab", "x" * 5000, "%C3%A9",
               "x%3E%20%7D%20%3B%20DROP%20ALL", "%FF%FE", "a%20b"]


@pytest.mark.parametrize("template", READ_PATHS)
@pytest.mark.parametrize("record_id", HOSTILE_IDS)
def test_hostile_ids_on_reads(server: Server, template: str, record_id: str) -> None:
    started = time.monotonic()
    status, headers, body = raw(server, "GET", template.format(record_id))
    is_problem(status, headers, body, (400, 404))
    assert time.monotonic() - started < 10
    if record_id in ("..", "a%00b", "a%0ab", "%C3%A9", "a%20b") and template.endswith("{}"):
        assert status == 400 and json.loads(body)["field"] == "id"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("record_id", HOSTILE_IDS)
def test_hostile_ids_on_writes(server: Server, method: str, record_id: str) -> None:
    status, headers, body = raw(server, method, f"/catalogues/co/datasets/{record_id}", case(
        "co/etwv-wj8f-pueblos-indigenas/input.json"), {"Content-Type": JSON, **server.auth("co")})
    is_problem(status, headers, body, (400, 404))
    alive(server)


@pytest.mark.parametrize("catalogue", ["CO", "c", "x" * 100, "..", "co%00", "co%2F..", "zz"])
def test_hostile_catalogue_ids(server: Server, catalogue: str) -> None:
    for path in (f"/catalogues/{catalogue}", f"/catalogues/{catalogue}/changes", f"/catalogues/{catalogue}/export",
                 f"/catalogues/{catalogue}/datasets/x"):
        status, headers, body = raw(server, "GET", path)
        is_problem(status, headers, body, (400, 404))


@pytest.mark.parametrize("query", [
    "page_size=100000", "page_size=-1", "page_size=abc", "cursor=" + "A" * 200, "cursor=!!!!", "cursor=cDE%00",
    "cursor=bm90IGEgY3Vyc29y", "modified_since=ayer", "modified_since=" + "9" * 60, "conformance=maybe",
    "q=" + "a" * 500, "theme=" + "x" * 600, "format=exe", "lang=" + "x" * 100,
])
def test_hostile_page_parameters(server: Server, query: str) -> None:
    status, headers, body = raw(server, "GET", f"/catalogues/co?{query}")
    is_problem(status, headers, body, (400, 406))


@pytest.mark.parametrize("query", ["since=" + "A" * 100, "since=ayer", "since=%00", "limit=0", "limit=5000"])
def test_hostile_feed_parameters(server: Server, query: str) -> None:
    status, headers, body = raw(server, "GET", f"/catalogues/co/changes?{query}")
    is_problem(status, headers, body, 400)


@pytest.mark.parametrize("query", ["to=dcat-ap-fr", "format=exe", "to=es&format=rdf"])
def test_hostile_export_parameters(server: Server, query: str) -> None:
    status, headers, body = raw(server, "GET", f"/catalogues/co/export?{query}")
    is_problem(status, headers, body, (400, 406))


def put(server: Server, body: bytes, media_type: str, record_id: str = "etwv-wj8f", query: str = "") -> httpx.Response:
    return server.put("co", record_id, body, media_type, query=query)


def problem(answer: httpx.Response, status: int | tuple[int, ...]) -> dict[str, object]:
    return is_problem(answer.status_code, dict(answer.headers), answer.content, status)


def test_hostile_bodies_are_refused_and_store_nothing(server: Server) -> None:
    before = server.get("/catalogues/co?format=json").json()["totalItems"]
    laughs = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    problem(put(server, laughs, "application/rdf+xml", query="?source=dcat"), 400)
    problem(put(server, b"[" * 100_000 + b"]" * 100_000, JSON), (400, 413))
    problem(put(server, b"x" * 400_000, JSON), 413)  # over PUENTE_MAX_BODY_BYTES, refused before it is read
    problem(put(server, b"", JSON), 400)
    problem(put(server, b"{}", "application/x-msdownload"), 415)
    problem(put(server, b"{", JSON), 400)
    problem(put(server, case("co/etwv-wj8f-pueblos-indigenas/input.json"), JSON, query="?source=nope"), 400)
    long_title = ('<http://x/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "'
                  + "x" * 5000 + '" .').encode()
    problem(put(server, long_title, TURTLE, query="?source=dcat"), 413)  # over PUENTE_MAX_LITERAL_CHARS
    bad_iri = (b'<http://x/d> a <http://www.w3.org/ns/dcat#Dataset> ; '
               b'<http://purl.org/dc/terms/identifier> "etwv-wj8f" ; <http://www.w3.org/ns/dcat#landingPage> '
               b'<http://x/a b> .')
    # one bad IRI in a value is read as a finding on its property (the rest of the record is read): refused, 422
    refused = problem(put(server, bad_iri, TURTLE, query="?source=dcat"), 422)
    assert "dcat:landingPage" in json.dumps(refused["report"])
    remote = json.dumps({"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://x/d"}).encode()
    problem(put(server, remote, "application/ld+json", query="?source=dcat"), 400)
    shapes = (b'<http://x/d> a <http://www.w3.org/ns/dcat#Dataset> . '
              b'<http://x/s> a <http://www.w3.org/ns/shacl#NodeShape> .')
    problem(put(server, shapes, TURTLE, query="?source=dcat"), 400)
    assert server.get("/catalogues/co?format=json").json()["totalItems"] == before
    alive(server)


def test_hostile_batch_bodies(server: Server) -> None:
    many = json.dumps([dict(json.loads(case("co/etwv-wj8f-pueblos-indigenas/input.json")), id=f"r{i}-abcd")
                       for i in range(450)]).encode()
    problem(server.post("co", many, JSON), 413)  # over PUENTE_MAX_RECORDS
    problem(server.post("co", b"not json", JSON), 400)
    problem(server.post("co", b"{}", JSON, query="?sync=everything"), 400)
    alive(server)


def test_hostile_admin_requests(server: Server) -> None:
    tokens = f"{server.url}/admin/tokens"
    problem(httpx.post(tokens, json={"catalogue": "co", "name": "x" * 1000}, headers=server.admin()), 400)
    problem(httpx.post(tokens, json={"catalogue": ["co"]}, headers=server.admin()), 400)
    problem(httpx.post(tokens, content=b"[" * 10_000, headers={**server.admin(), "Content-Type": JSON}), 400)
    problem(httpx.delete(f"{tokens}/{'x' * 500}", headers=server.admin()), 400)
    problem(httpx.delete(f"{tokens}/tok_unknown", headers=server.admin()), 404)
    problem(httpx.get(f"{server.url}/admin/audit?limit=100000", headers=server.admin()), 400)
    status, headers, body = raw(server, "GET", "/admin/tokens", headers={"Authorization": "Bearer " + "x" * 8000})
    is_problem(status, headers, body, 401)
    alive(server)


def test_pages_escape_what_they_show(server: Server) -> None:
    view = json.loads(case("co/etwv-wj8f-pueblos-indigenas/input.json"))
    view["id"] = "xss1-abcd"
    view["name"] = '<script>alert("x")</script> título'
    assert server.put("co", "xss1-abcd", json.dumps(view).encode(), JSON).status_code in (200, 201)
    page = server.get("/catalogues/co/datasets/xss1-abcd", headers={"Accept": "text/html"})
    assert '<script>alert("x")</script>' not in page.text and "&lt;script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    listing = server.get("/catalogues/co?format=html&q=script")
    assert '<script>alert("x")</script>' not in listing.text

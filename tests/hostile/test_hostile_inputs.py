"""Hostile input against a running server: a clear problem+json, within bounded time, and the service lives on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import CASES
from tests.hostile.conftest import SLOW, Recorder, Server

TTL, JSON_, XML = "text/turtle", "application/json", "application/rdf+xml"


def post(server: Server, body: bytes | Iterator[bytes], media: str | None, *, path: str = "/validate",
         limit_s: float = 20.0) -> httpx.Response:
    headers = {"content-type": media} if media is not None else {}
    started = time.monotonic()
    response = httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=limit_s + 30)
    elapsed = time.monotonic() - started
    assert elapsed < limit_s, f"took {elapsed:.1f} s"
    assert server.alive(), "the service stopped answering /health"
    return response


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["detail"] and "Traceback" not in response.text
    return body


@pytest.mark.parametrize("context", ["REMOTE/ctx.jsonld", "file:///etc/passwd", "/etc/hostname", "ctx.jsonld"])
def test_jsonld_contexts_are_never_fetched(server: Server, recorder: Recorder, context: str) -> None:
    target = context.replace("REMOTE", recorder.url)
    body = json.dumps({"@context": target, "@id": "http://x/1", "@type": "http://www.w3.org/ns/dcat#Dataset"})
    found = problem(post(server, body.encode(), "application/ld+json"), 400)
    assert target in str(found["detail"])
    scoped = {"@context": {"p": {"@id": "http://p/", "@context": f"{recorder.url}/scoped"}}, "@id": "http://x/1"}
    problem(post(server, json.dumps(scoped).encode(), "application/ld+json"), 400)
    assert recorder.hits == []


XML_HEAD = '<?xml version="1.0"?>'
RDF_OPEN = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
LAUGHS = ('<!DOCTYPE r [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>")


@pytest.mark.parametrize("name,payload", [
    ("external entity", '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
    ("parameter entity", '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'),
    ("external DTD", '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">'),
    ("billion laughs", LAUGHS),
    ("quadratic blow-up", '<!DOCTYPE r [<!ENTITY a "' + "a" * 500_000 + '">]>'),
])
def test_xml_dtds_are_refused(server: Server, name: str, payload: str) -> None:
    reference = "&lol9;" if name == "billion laughs" else "&a;" * 1000 if name == "quadratic blow-up" else "&x;"
    body = (XML_HEAD + payload + RDF_OPEN + f'<rdf:Description rdf:about="http://x/1"><dct:title>{reference}'
            '</dct:title></rdf:Description></rdf:RDF>').encode()
    response = post(server, body, XML, limit_s=10)
    assert response.status_code in (400, 413)
    assert "root:" not in response.text


def test_xml_without_dtd_but_400k_newlines(server: Server) -> None:
    body = (XML_HEAD + RDF_OPEN + '<rdf:Description rdf:about="http://x/1"><dct:title>' + "a\n" * 400_000
            + "</dct:title></rdf:Description></rdf:RDF>").encode()
    problem(post(server, body, XML, limit_s=10), 413)  # the literal is over PUENTE_MAX_LITERAL_CHARS


def test_trix_and_other_xml_formats_are_not_accepted(server: Server) -> None:
    problem(post(server, b"<TriX xmlns='http://www.w3.org/2004/03/trix/trix-1/'/>", "application/trix"), 415)


def test_json_nested_100000_deep(server: Server) -> None:
    problem(post(server, b"[" * 100_000 + b"]" * 100_000, JSON_, limit_s=10), 400)
    problem(post(server, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/ld+json", limit_s=10), 400)


def test_rdf_collections_and_blank_nodes_nested_deep(server: Server) -> None:
    # rdflib alone fails at depth ~300 (RecursionError); the streaming parser takes 10,000 in its stride
    nested_list = b"<http://x/s> <http://x/p> " + b"( " * 10_000 + b")" * 10_000 + b" ."
    assert post(server, nested_list, TTL, limit_s=30).status_code in (400, 413, 422)
    nested_nodes = b"<http://x/s> <http://x/p> " + b"[ <http://x/p> " * 10_000 + b"]" * 10_000 + b" ."
    assert post(server, nested_nodes, TTL, limit_s=30).status_code in (400, 413, 422)


def test_long_literals(server: Server) -> None:
    problem(post(server, b'<http://x/s> <http://x/p> "' + b"a" * 500_000 + b'" .', "application/n-triples"), 413)
    problem(post(server, b'<http://x/s> <http://x/p> """' + b"a\n" * 200_000 + b'""" .', TTL), 413)


def test_ten_megabyte_body_is_refused_before_it_is_read(server: Server) -> None:
    body = b'<http://x/s> <http://x/p> "' + b"a" * 10_000_000 + b'" .'
    problem(post(server, body, TTL, limit_s=10), 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(300):  # 3 MB, sent without a Content-Length
            yield b"#" * 10_000 + b"\n"

    problem(post(server, chunks(), TTL, limit_s=10), 413)


def test_invalid_utf8(server: Server) -> None:
    found = problem(post(server, b'<http://x/s> <http://x/p> "caf\xe9" .', TTL), 400)
    assert "UTF-8" in str(found["detail"])


@pytest.mark.parametrize("media", ["text/plain", "application/octet-stream", None, "image/png"])
def test_wrong_or_missing_content_type(server: Server, media: str | None) -> None:
    problem(post(server, b"<http://x/s> <http://x/p> <http://x/o> .", media), 415)


def test_empty_body(server: Server) -> None:
    problem(post(server, b"", TTL), 400)
    problem(post(server, b"", JSON_), 400)


def test_more_records_than_allowed(server: Server) -> None:
    packages = [{"name": f"p{i}", "title": f"Datos {i}", "organization": {"name": "o", "title": "O"}}
                for i in range(450)]
    found = problem(post(server, json.dumps({"result": {"results": packages}}).encode(), JSON_), 413)
    assert "450" in str(found["detail"])
    datasets = "".join(f"<http://x/d{i}> a <http://www.w3.org/ns/dcat#Dataset> .\n" for i in range(450))
    problem(post(server, datasets.encode(), TTL), 413)


@pytest.mark.parametrize("path", ["/vocabularies/..%2F..%2Fetc%2Fpasswd", "/vocabularies/%2e%2e", "/sources/..%2Fco",
                                  "/sources/co%00", "/static/..%2F..%2Fapp%2Fmain.py", "/results/..%2F/report.json"])
def test_path_traversal(server: Server, path: str) -> None:
    response = httpx.get(f"{server.url}{path}", timeout=10)
    assert response.status_code in (400, 404)
    assert "def create_app" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("record", [
    {"id": "abcd-0001", "name": {"nested": "object"}, "viewType": "tabular", "tags": None, "createdAt": [1, 2]},
    {"id": "abcd-0002", "name": "x" * 200_000, "viewType": "tabular", "description": None, "category": 12},
    {"id": "abcd-0003", "name": "ok", "viewType": "tabular", "tags": [None, {"a": []}, 3.5, True], "licenseId": []},
    {"id": ["list"], "name": None, "viewType": "tabular", "rowsUpdatedAt": "9" * 30, "attribution": 1e300},
])
def test_crosswalk_values_huge_wrongly_typed_or_null(server: Server, record: dict[str, object]) -> None:
    response = post(server, json.dumps(record).encode(), JSON_)
    assert response.status_code in (200, 413), response.text[:300]
    if response.status_code == 200:
        report = response.json()
        assert report["source"] == "socrata"


def test_json_tricks(server: Server) -> None:
    problem(post(server, b'{"@context": {}, "@id": "http://a/", "@id": "http://b/"}', "application/ld+json"), 400)
    problem(post(server, b'{"name": NaN}', JSON_), 400)
    problem(post(server, b'{"name": ' + b"1" * 5000 + b"}", JSON_), 400)


def test_unknown_routes_and_methods(server: Server) -> None:
    assert httpx.get(f"{server.url}/nope", timeout=5).headers["content-type"] == "application/problem+json"
    assert httpx.delete(f"{server.url}/validate", timeout=5).status_code == 405


def test_a_validation_over_the_time_limit_gets_503_and_the_service_recovers(slow_server: Server) -> None:
    """PUENTE_VALIDATION_TIMEOUT_S is 2 s here; a body holding the test's slow marker pauses past it."""
    server = slow_server
    body = json.dumps([{"id": f"abcd-{i:04d}", "name": f"Vista {i} {SLOW}", "viewType": "tabular", "description": "d",
                        "tags": ["a"], "createdAt": 1580136451} for i in range(2_500)]).encode()
    assert len(body) > 262_144  # sent to the worker in two writes (the job, then the body)
    found = problem(post(server, body, JSON_, limit_s=20), 503)
    assert "2 s" in str(found["detail"])
    small = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
    after = post(server, small, JSON_)
    assert after.status_code == 200 and after.json()["source"] == "co"


def test_a_small_body_over_the_time_limit_gets_503_too(slow_server: Server) -> None:
    """Small bodies go to a worker in one write with their job: the limit holds there as well."""
    server = slow_server
    body = json.dumps([{"id": "abcd-0001", "name": SLOW, "createdAt": 1580136451}]).encode()
    assert len(body) < 262_144
    found = problem(post(server, body, JSON_, limit_s=20), 503)
    assert "2 s" in str(found["detail"])
    small = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
    for _ in range(3):  # every worker answers again, the replaced one included
        after = post(server, small, JSON_)
        assert after.status_code == 200 and after.json()["source"] == "co"

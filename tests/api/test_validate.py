"""POST /validate over HTTP: reports, languages, negotiation and safe refusals."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import RDF

from app.main import create_app
from app.rdf.namespaces import SH
from app.settings import Settings
from tests.conftest import CASES

COMPLETE = (CASES / "dcat" / "complete-dataset" / "input.ttl").read_bytes()
DEFECTIVE = (CASES / "dcat" / "defective-dataset" / "input.ttl").read_bytes()
TTL = {"content-type": "text/turtle"}


def _violations(report: dict[str, object]) -> dict[str, str]:
    records = report["records"]
    assert isinstance(records, list)
    return {r["path"]: r["message"] for rec in records for r in rec["results"] if r["severity"] == "violation"}


def test_complete_dataset_conforms(client: TestClient) -> None:
    response = client.post("/validate?source=dcat", content=COMPLETE, headers=TTL)
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is True
    assert report["summary"]["violations"] == 0
    assert report["source"] == "dcat" and report["source_detected"] is False
    assert report["profile"]["version"] == "1.0.0"


def test_defective_dataset_in_spanish_by_default(client: TestClient) -> None:
    report = client.post("/validate?source=dcat", content=DEFECTIVE, headers=TTL).json()
    assert report["conforms"] is False
    violations = _violations(report)
    assert {"dct:title", "dct:issued", "dct:publisher", "dcat:accessURL"} <= set(violations)
    assert violations["dct:title"] == "El conjunto de datos debe tener un título."


def test_english_with_lang_parameter_and_accept_language(client: TestClient) -> None:
    by_param = _violations(client.post("/validate?source=dcat&lang=en", content=DEFECTIVE, headers=TTL).json())
    assert by_param["dct:title"] == "The dataset must have a title."
    by_header = client.post("/validate", content=DEFECTIVE, headers={**TTL, "accept-language": "en-GB,en;q=0.9"})
    assert _violations(by_header.json())["dct:title"] == "The dataset must have a title."
    assert by_header.json()["source_detected"] is True


def test_turtle_report_is_a_shacl_validation_report(client: TestClient) -> None:
    response = client.post("/validate?source=dcat", content=DEFECTIVE, headers={**TTL, "accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert len(list(graph.objects(reports[0], SH.result))) >= 4
    assert str(graph.value(reports[0], SH.conforms)) == "false"


@pytest.mark.parametrize("fmt,media", [("json-ld", "application/ld+json"), ("xml", "application/rdf+xml"),
                                       ("nt", "application/n-triples")])
def test_same_findings_whatever_the_syntax(client: TestClient, fmt: str, media: str) -> None:
    graph = Graph()
    graph.parse(data=DEFECTIVE, format="turtle")
    body = graph.serialize(format=fmt).encode()
    report = client.post("/validate?source=dcat", content=body, headers={"content-type": media}).json()
    reference = client.post("/validate?source=dcat", content=DEFECTIVE, headers=TTL).json()
    assert report["summary"] == reference["summary"]
    assert set(_violations(report)) == set(_violations(reference))


def test_catalogue_gives_one_entry_per_dataset(client: TestClient) -> None:
    defective_body = DEFECTIVE.split(b"@prefix dct: <http://purl.org/dc/terms/> .")[1]
    body = (CASES / "shapes" / "base.ttl").read_bytes() + defective_body
    report = client.post("/validate", content=body, headers=TTL).json()
    datasets = [r for r in report["records"] if r["type"] == "dataset"]
    assert {r["id"] for r in datasets} == {"presupuesto-2024", "hogares"}
    assert report["summary"]["conforming"] == 3  # the dataset, the data service and the dataset series of base.ttl
    assert report["summary"]["records"] == 4
    assert [r["id"] for r in report["records"] if r["type"] == "datasetseries"] == ["presupuestos"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("content-type", "application/ld+json")
        self.end_headers()
        self.wfile.write(b'{"@context": {"title": "http://purl.org/dc/terms/title"}}')

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture()
def loopback() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_remote_jsonld_context_is_never_fetched(client: TestClient, loopback: str) -> None:
    body = json.dumps({"@context": f"{loopback}/ctx.jsonld", "@id": "http://x/1",
                       "@type": "http://www.w3.org/ns/dcat#Dataset", "title": "t"}).encode()
    response = client.post("/validate?source=dcat", content=body, headers={"content-type": "application/ld+json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert f"{loopback}/ctx.jsonld" in response.json()["detail"]
    assert _Recorder.hits == []


def test_xml_external_entity_is_refused_without_leaking(client: TestClient, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
            '<rdf:Description rdf:about="http://x/1"><dct:title>&x;</dct:title></rdf:Description></rdf:RDF>').encode()
    response = client.post("/validate", content=body, headers={"content-type": "application/rdf+xml"})
    assert 400 <= response.status_code < 500
    assert "TOP-SECRET-VALUE" not in response.text


@pytest.fixture(scope="module")
def small_client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_body_bytes=2_000))) as test_client:
        yield test_client


def test_body_over_the_limit_gets_413(small_client: TestClient) -> None:
    response = small_client.post("/validate", content=COMPLETE, headers=TTL)
    assert len(COMPLETE) > 2_000
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "2000" in response.json()["detail"]


def test_chunked_body_over_the_limit_gets_413(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"# padding padding padding padding padding padding padding padding\n"

    response = small_client.post("/validate", content=chunks(), headers=TTL)
    assert response.status_code == 413


def test_unknown_media_type_gets_415(client: TestClient) -> None:
    response = client.post("/validate?source=dcat", content=COMPLETE, headers={"content-type": "text/csv"})
    assert response.status_code == 415
    assert "text/turtle" in response.json()["detail"]


def test_missing_content_type_gets_415(client: TestClient) -> None:
    response = client.post("/validate", content=COMPLETE, headers={"content-type": ""})
    assert response.status_code == 415


def test_parse_error_is_400_with_line_and_column(client: TestClient) -> None:
    response = client.post("/validate", content=b"@prefix ex: <http://ex/> .\n\nex:a ex:b .\n", headers=TTL)
    assert response.status_code == 400
    problem = response.json()
    assert problem["line"] == 3 and isinstance(problem["column"], int)
    assert problem["type"].endswith("/parse-error")


def test_no_dataset_is_422(client: TestClient) -> None:
    response = client.post("/validate", content=b'<http://ex/a> <http://ex/b> "c" .', headers=TTL)
    assert response.status_code == 422
    assert "dcat:Dataset" in response.json()["detail"]


def test_empty_body_is_400(client: TestClient) -> None:
    assert client.post("/validate", content=b"", headers=TTL).status_code == 400


def test_unknown_source_is_400_and_names_the_sources(client: TestClient) -> None:
    response = client.post("/validate?source=atlantis", content=COMPLETE, headers=TTL)
    assert response.status_code == 400
    assert "dcat" in response.json()["detail"]


def test_unavailable_response_format_is_406(client: TestClient) -> None:
    response = client.post("/validate", content=COMPLETE, headers={**TTL, "accept": "image/png"})
    assert response.status_code == 406


def test_errors_follow_the_language(client: TestClient) -> None:
    response = client.post("/validate?lang=en", content=b"", headers=TTL)
    assert response.json()["title"] == "Bad request"
    response = client.post("/validate", content=b"", headers=TTL)
    assert response.json()["title"] == "Petición no válida"

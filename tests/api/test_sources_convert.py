"""GET /sources, POST /convert and national records through /validate over HTTP."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from app.rdf.namespaces import DCAT, DCT
from tests.conftest import CASES

JSON = {"content-type": "application/json"}
EU = "http://publications.europa.eu/resource/authority/"


def test_sources_lists_the_eight(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/sources").json()]
    assert names == ["dcat", "ckan", "socrata", "datajson", "co", "cl", "mx", "es"]


@pytest.mark.parametrize("source", ["ckan", "socrata", "datajson", "co", "cl", "mx", "es"])
def test_each_source_shows_its_crosswalk(client: TestClient, source: str) -> None:
    detail = client.get(f"/sources/{source}").json()
    assert detail["name"] == source and detail["rows"]
    assert all(r["target"] for r in detail["rows"])
    page = client.get(f"/sources/{source}", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert detail["rows"][0]["transform"] in page.text


def test_colombian_crosswalk_names_the_custom_fields(client: TestClient) -> None:
    rows = client.get("/sources/co").json()["rows"]
    sources = " ".join(r["source"] + " " + " ".join(r["fallbacks"]) for r in rows)
    for field in ("Nombre de la Entidad", "Frecuencia de Actualización", "Idioma", "Sector"):
        assert field in sources


@pytest.mark.parametrize("name", ["nope", "..%2Fmappings", "co.yaml"])
def test_unknown_source_is_404(client: TestClient, name: str) -> None:
    response = client.get(f"/sources/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


COUNTRY_CASES = [("co", "co/etwv-wj8f-pueblos-indigenas/input.json", "COL"),
                 ("cl", "cl/package-show/input.json", "CHL"),
                 ("mx", "mx/adela-catalogo/input.json", "MEX"),
                 ("es", "es/complete-record/input.ttl", "ESP")]


@pytest.mark.parametrize("source,path,country", COUNTRY_CASES, ids=[c[0] for c in COUNTRY_CASES])
def test_convert_gives_harmonised_dcat(client: TestClient, source: str, path: str, country: str) -> None:
    media = "text/turtle" if path.endswith(".ttl") else "application/json"
    response = client.post(f"/convert?source={source}", content=(CASES / path).read_bytes(),
                           headers={"content-type": media})
    assert response.status_code == 200
    assert response.headers["x-puente-source"] == source
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    dataset = next(iter(graph.subjects(RDF.type, DCAT.Dataset)))
    titles = list(graph.objects(dataset, DCT.title))
    assert any(getattr(t, "language", None) == "es" for t in titles)
    publisher = graph.value(dataset, DCT.publisher)
    assert publisher is not None
    themes = {str(t) for t in graph.objects(dataset, DCAT.theme)}
    assert any(t.startswith(f"{EU}data-theme/") for t in themes)
    assert str(graph.value(dataset, DCT.accrualPeriodicity)).startswith(f"{EU}frequency/")
    assert URIRef(f"{EU}country/{country}") in set(graph.objects(dataset, DCT.spatial))
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert str(graph.value(distribution, DCT.license)).startswith(("http://publications.europa.eu/", "https://datos.gob.mx/"))
        assert str(graph.value(distribution, DCT["format"])).startswith(f"{EU}file-type/")
        assert str(graph.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/") or source == "es"


@pytest.mark.parametrize("source,path,country", COUNTRY_CASES, ids=[c[0] for c in COUNTRY_CASES])
def test_validate_names_source_fields(client: TestClient, source: str, path: str, country: str) -> None:
    media = "text/turtle" if path.endswith(".ttl") else "application/json"
    report = client.post(f"/validate?source={source}", content=(CASES / path).read_bytes(),
                         headers={"content-type": media}).json()
    fields = [r["source_field"] for rec in report["records"] for r in rec["results"]]
    assert fields and any(fields)


def test_unknown_values_and_bad_fields_are_results(client: TestClient) -> None:
    body = (CASES / "co" / "defective" / "input.json").read_bytes()
    report = client.post("/validate?lang=en", content=body, headers=JSON).json()
    assert report["source"] == "co" and report["source_detected"] is True
    results = {(r["constraint"], r["source_field"]): r for rec in report["records"] for r in rec["results"]}
    frequency = results[("puente:UnknownValue",
                         'metadata.custom_fields."Información de Datos"."Frecuencia de Actualización"')]
    assert frequency["severity"] == "warning" and "Cada vez que hay elecciones" in frequency["message"]
    assert results[("puente:InvalidDate", "createdAt")]["severity"] == "violation"
    email = results[("puente:InvalidEmail", 'metadata.custom_fields."Common Core"."Contact Email"')]
    assert email["severity"] == "violation"


def test_convert_to_ckan_and_es(client: TestClient) -> None:
    body = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
    package = client.post("/convert?to=ckan", content=body, headers=JSON).json()
    assert package["title"] == "Pueblos indígenas a nivel Nacional 2020"
    spanish_record = (CASES / "es" / "complete-record" / "input.ttl").read_bytes()
    spanish = client.post("/convert?to=es&source=es", content=spanish_record,
                          headers={"content-type": "text/turtle", "accept": "application/ld+json"})
    assert spanish.headers["content-type"].startswith("application/ld+json")
    Graph().parse(data=spanish.text, format="json-ld")
    assert client.post("/convert?to=atlantis", content=body, headers=JSON).status_code == 400


def test_json_that_is_no_known_format_names_the_sources(client: TestClient) -> None:
    response = client.post("/validate", content=json.dumps({"hello": "world"}).encode(), headers=JSON)
    assert response.status_code == 400
    assert "source" in response.json()["detail"]


def test_package_search_page_gives_one_record_per_package(client: TestClient) -> None:
    body = (CASES / "cl" / "package-search" / "input.json").read_bytes()
    report = client.post("/validate?source=cl", content=body, headers=JSON).json()
    assert [r["id"] for r in report["records"] if r["type"] == "dataset"] == ["aa11", "bb22"]


def test_origin_gives_links_on_the_portal_and_nothing_else(client: TestClient) -> None:
    """?origin= is the portal a view comes from: its links are written under it; without it, none is written and
    the report says how to give it; anything but an http(s) address is a 400 naming the parameter."""
    body = (CASES / "socrata" / "views-2646-ez2p" / "input.json").read_bytes()
    headers = {"content-type": "application/json", "accept": "application/n-triples"}
    alone = client.post("/convert", content=body, headers=headers)
    assert alone.status_code == 200 and "/rows.csv" not in alone.text and "127.0.0.1" not in alone.text.replace(
        "127.0.0.1:8000/socrata/d/", "")  # only the harmonised identifier may name Puente's address
    linked = client.post("/convert?origin=https://soda.demo.socrata.com/", content=body, headers=headers)
    assert "<https://soda.demo.socrata.com/resource/2646-ez2p.json>" in linked.text
    report = client.post("/validate?lang=en", content=body, headers={"content-type": "application/json"}).json()
    gap = [r for rec in report["records"] for r in rec["results"] if r["constraint"] == "puente:NoOrigin"]
    assert gap and gap[0]["source_gap"] is True and gap[0]["source_field"] is None and "?origin=" in gap[0]["message"]
    for bad in ("ftp://example.org", "https://user@example.org", "example.org", "https://", "https://a b.org"):
        for path in ("/validate", "/convert"):
            answer = client.post(path, params={"origin": bad}, content=body,
                                 headers={"content-type": "application/json"})
            assert answer.status_code == 400, (path, bad)
            assert answer.headers["content-type"].startswith("application/problem+json")

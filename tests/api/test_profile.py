"""Publishing the profile: page, shapes, context, vocabularies, health and OpenAPI."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import SKOS

from app.profile.model import Profile
from app.rdf.namespaces import SH


def test_health(client: TestClient) -> None:
    from app.native import running_compiled

    found = client.get("/health").json()
    assert found["status"] == "ok" and found["compiled"] == running_compiled()
    workers = found["workers"]
    assert workers["configured"] == 2 and workers["idle"] + workers["busy"] == 2 and workers["waiting"] == 0


def test_profile_page_lists_every_class_and_property(client: TestClient, profile: Profile) -> None:
    response = client.get("/profile", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for label in ("Conjunto de datos", "Distribución", "Punto de contacto", "Licencia", "Registro del catálogo"):
        assert label in page
    for prop in ("dct:title", "dcat:accessURL", "dct:accrualPeriodicity", "vcard:hasEmail"):
        assert prop in page
    assert "Obligatorio" in page and "Recomendado" in page and "Opcional" in page
    assert "/vocabularies/frequency" in page


@pytest.mark.parametrize("lang,word", [("es", "Obligatorio"), ("en", "Mandatory"), ("pt", "Obrigatório")])
def test_profile_page_shows_the_publisher_as_a_regional_strengthening(client: TestClient, lang: str,
                                                                      word: str) -> None:
    """The dataset's publisher row says it is mandatory, and why: DCAT-AP only recommends it; these require it."""
    page = client.get(f"/profile?lang={lang}", headers={"accept": "text/html"}).text
    dataset = page[page.index('id="dcat-Dataset"'):page.index('id="dcat-Distribution"')]
    row = dataset[dataset.index('title="http://purl.org/dc/terms/publisher"'):]
    row = row[:row.index("</tr>")]
    assert word in row
    for standard in ("DCAT-AP 3.0.1", "DCAT-AP-ES", "NTI-RISP", "POD 1.1", "GEALC"):
        assert standard in row, (lang, standard)


def test_profile_page_lists_dataset_series(client: TestClient) -> None:
    page = client.get("/profile?lang=en").text
    assert 'id="dcat-DatasetSeries"' in page and "Dataset series" in page
    assert "/vocabularies/dataset-type" in page and "/vocabularies/distribution-status" in page


def test_profile_page_in_english(client: TestClient) -> None:
    page = client.get("/profile?lang=en").text
    assert "Mandatory" in page and "Dataset" in page and '<html lang="en">' in page


def test_profile_as_rdf_by_negotiation(client: TestClient) -> None:
    response = client.get("/profile", headers={"accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    Graph().parse(data=response.text, format="turtle")
    assert client.get("/profile?format=jsonld").headers["content-type"].startswith("application/ld+json")


def test_shapes_parse_and_speak_both_languages(client: TestClient) -> None:
    response = client.get("/profile/shapes")
    assert response.status_code == 200
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    shapes = set(graph.subjects(SH.message, None))
    assert len(shapes) >= 100
    for shape in shapes:
        langs = {m.language for m in graph.objects(shape, SH.message) if isinstance(m, Literal)}
        assert {"es", "en"} <= langs, shape


@pytest.mark.parametrize("fmt,rdflib_name", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"),
                                             ("nt", "nt")])
def test_shapes_in_every_syntax(client: TestClient, fmt: str, rdflib_name: str) -> None:
    response = client.get(f"/profile/shapes?format={fmt}")
    graph = Graph()
    graph.parse(data=response.content, format=rdflib_name)
    assert len(graph) > 500


def test_context(client: TestClient) -> None:
    response = client.get("/profile/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["title"] == {"@id": "dct:title"}
    assert context["publisher"]["@type"] == "@id"


def test_vocabulary_list(client: TestClient) -> None:
    items = client.get("/vocabularies").json()
    names = {i["name"] for i in items}
    assert {"data-theme", "frequency", "file-type", "language", "country", "licence", "access-right"} <= names


def test_data_theme_lists_13_themes_in_es_and_en(client: TestClient) -> None:
    detail = client.get("/vocabularies/data-theme", headers={"accept": "application/json"}).json()
    assert len(detail["items"]) == 13
    for item in detail["items"]:
        assert item["labels"]["es"] and item["labels"]["en"]
    economy = next(i for i in detail["items"] if i["notation"] == "ECON")
    assert economy["labels"] == {"es": "Economía y finanzas", "en": "Economy and finance"}


def test_data_theme_as_skos_turtle(client: TestClient) -> None:
    response = client.get("/vocabularies/data-theme")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph()
    graph.parse(data=response.text, format="turtle")
    assert len(set(graph.subjects(SKOS.inScheme, None))) == 13


def test_vocabulary_page(client: TestClient) -> None:
    page = client.get("/vocabularies/frequency?format=html").text
    assert "mensual" in page and "monthly" in page


@pytest.mark.parametrize("name", ["nope", "..%2F..%2Fetc%2Fpasswd", "data-theme.ttl"])
def test_unknown_vocabulary_is_404_problem(client: TestClient, name: str) -> None:
    response = client.get(f"/vocabularies/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "root:" not in response.text


def test_unknown_path_is_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert json.loads(response.text)["status"] == 404


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/validate", "/profile", "/profile/shapes", "/profile/context.jsonld", "/vocabularies",
                 "/vocabularies/{name}", "/health"):
        assert path in spec["paths"]
    assert "text/turtle" in spec["paths"]["/validate"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200

"""Publishing and reading back, on a real server with a real store on disk: every syntax, IRIs, checksums, ETags,
tombstones, refusals that store nothing."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from app.rdf.namespaces import ADMS, DCAT, DCT, FOAF, PUENTE, SPDX
from tests.catalogue.conftest import JSON, TURTLE, Server, case
from tests.stores import BOTH

STORES = BOTH  # every test here runs on pyoxigraph and on Virtuoso

CO_RECORD = "co/etwv-wj8f-pueblos-indigenas/input.json"
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
               "application/n-triples": "nt"}


def read(server: Server, path: str, media_type: str = "text/turtle") -> Graph:
    answer = server.get(path, headers={"Accept": media_type})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media_type)
    return Graph().parse(data=answer.text, format=RDF_FORMATS[media_type])


def test_publish_a_colombian_view_and_read_it_in_every_syntax(server: Server) -> None:
    answer = server.put("co", "etwv-wj8f", case(CO_RECORD), JSON)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    iri = f"{server.url}/catalogues/co/datasets/etwv-wj8f"
    assert body["status"] == "created" and body["iri"] == iri and body["report"]["conforms"]
    assert answer.headers["location"] == iri and answer.headers["x-puente-source"] == "co"
    graphs = {media: read(server, "/catalogues/co/datasets/etwv-wj8f", media) for media in RDF_FORMATS}
    turtle = graphs["text/turtle"]
    for media, graph in graphs.items():
        assert isomorphic(graph, turtle), media  # the same graph whatever the syntax
    dataset = URIRef(iri)
    assert (dataset, RDF.type, DCAT.Dataset) in turtle
    assert str(turtle.value(dataset, DCT.title)) == "Pueblos indígenas a nivel Nacional 2020"
    source = turtle.value(dataset, ADMS.identifier)  # the source's own IRI stays attached
    assert str(turtle.value(source, SKOS.notation)) == "https://www.datos.gov.co/d/etwv-wj8f"
    assert str(turtle.value(dataset, DCAT.landingPage)) == "https://www.datos.gov.co/d/etwv-wj8f"
    distributions = set(turtle.objects(dataset, DCAT.distribution))
    assert len(distributions) == 2 and all(str(d).startswith(iri + "#distribution-") for d in distributions)
    record = URIRef(f"{server.url}/catalogues/co/records/etwv-wj8f")
    assert (URIRef(f"{server.url}/catalogues/co"), DCAT.record, record) in turtle
    # vocabulary knowledge comes with it: consumers need no background (labels of the EU theme)
    theme = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
    assert (theme, SKOS.prefLabel, Literal("Gobierno y sector público", lang="es")) in turtle
    page = server.get("/catalogues/co/datasets/etwv-wj8f", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Pueblos indígenas a nivel Nacional 2020" in page.text
    assert "Ministerio del Interior" in page.text and "text/html" in page.headers["content-type"]


def test_the_catalogue_record(server: Server) -> None:
    server.put("co", "etwv-wj8f", case(CO_RECORD), JSON)
    graph = read(server, "/catalogues/co/records/etwv-wj8f")
    record = URIRef(f"{server.url}/catalogues/co/records/etwv-wj8f")
    assert (record, RDF.type, DCAT.CatalogRecord) in graph
    assert graph.value(record, FOAF.primaryTopic) == URIRef(f"{server.url}/catalogues/co/datasets/etwv-wj8f")
    assert graph.value(record, DCT.issued) is not None and graph.value(record, DCT.modified) is not None
    assert str(graph.value(record, DCT.identifier)) == "etwv-wj8f"
    assert str(graph.value(record, PUENTE.sourceFormat)) == "co"
    assert int(graph.value(record, PUENTE.changeSequence)) >= 1
    assert graph.value(record, ADMS.status) in (URIRef("http://purl.org/adms/changetype/Created"),
                                                URIRef("http://purl.org/adms/changetype/Updated"))
    checksum = graph.value(graph.value(record, SPDX.checksum), SPDX.checksumValue)
    assert checksum is not None and len(str(checksum)) == 64
    report = server.get("/catalogues/co/datasets/etwv-wj8f/report")
    assert report.status_code == 200 and report.json()["conforms"] is True
    assert report.json()["records"][0]["id"] == "etwv-wj8f"


def test_unchanged_updated_and_stable_distribution_iris(server: Server) -> None:
    server.put("co", "etwv-wj8f", case(CO_RECORD), JSON)
    first = server.get("/catalogues/co/datasets/etwv-wj8f")
    again = server.put("co", "etwv-wj8f", case(CO_RECORD), JSON)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert again.headers["etag"] == first.headers["etag"]
    record = json.loads(case(CO_RECORD))
    record["name"] = "Pueblos indígenas 2020 (revisado)"
    record["tags"] = list(reversed(record["tags"]))
    changed = server.put("co", "etwv-wj8f", json.dumps(record).encode(), JSON)
    assert changed.status_code == 200 and changed.json()["status"] == "updated"
    second = server.get("/catalogues/co/datasets/etwv-wj8f")
    assert second.headers["etag"] != first.headers["etag"]
    before = Graph().parse(data=first.text, format="turtle")
    after = Graph().parse(data=second.text, format="turtle")
    dataset = URIRef(f"{server.url}/catalogues/co/datasets/etwv-wj8f")
    assert str(after.value(dataset, DCT.title)) == "Pueblos indígenas 2020 (revisado)"
    assert set(before.objects(dataset, DCAT.distribution)) == set(after.objects(dataset, DCAT.distribution))


def test_one_record_in_three_syntaxes_is_one_record(server: Server) -> None:
    """Turtle, RDF/XML and JSON-LD of the same record: the second and third are `unchanged` (canonical checksum,
    blank nodes included)."""
    graph = Graph().parse(data=case("dcat/complete-dataset/input.ttl").decode(), format="turtle")
    first = server.put("cl", "calidad-del-aire", graph.serialize(format="turtle").encode(), TURTLE,
                       query="?source=dcat")
    assert first.status_code in (200, 201), first.text
    for media, name in (("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        answer = server.put("cl", "calidad-del-aire", graph.serialize(format=name).encode(), media,
                            query="?source=dcat")
        assert answer.status_code == 200 and answer.json()["status"] == "unchanged", (media, answer.text)


def test_if_match_and_if_none_match(server: Server) -> None:
    server.put("co", "etwv-wj8f", case(CO_RECORD), JSON)
    current = server.get("/catalogues/co/datasets/etwv-wj8f").headers["etag"]
    stale = server.put("co", "etwv-wj8f", case(CO_RECORD), JSON, headers={"If-Match": '"1-0000000000000000-x"'})
    assert stale.status_code == 412 and stale.headers["content-type"] == "application/problem+json"
    assert server.put("co", "etwv-wj8f", case(CO_RECORD), JSON, headers={"If-Match": current}).status_code == 200
    assert server.put("co", "etwv-wj8f", case(CO_RECORD), JSON, headers={"If-None-Match": "*"}).status_code == 412
    cached = server.get("/catalogues/co/datasets/etwv-wj8f", headers={"If-None-Match": current})
    assert cached.status_code == 304
    assert "max-age" in server.get("/catalogues/co/datasets/etwv-wj8f").headers["cache-control"]


def test_a_record_with_violations_is_refused_and_nothing_is_stored(server: Server) -> None:
    before = server.get("/catalogues/co?format=json").json()["totalItems"]
    feed = server.get("/catalogues/co/changes?limit=1000").json()["changes"]
    answer = server.put("co", "zzzz-0001", case("co/defective/input.json"), JSON)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["report"]["summary"]["violations"] > 0 and problem["report"]["conforms"] is False
    assert any(r["source_field"] == "createdAt" for rec in problem["report"]["records"] for r in rec["results"])
    assert server.get("/catalogues/co/datasets/zzzz-0001").status_code == 404
    assert server.get("/catalogues/co?format=json").json()["totalItems"] == before
    assert server.get("/catalogues/co/changes?limit=1000").json()["changes"] == feed


def test_the_url_and_the_body_must_name_one_record(server: Server) -> None:
    answer = server.put("co", "another-id", case(CO_RECORD), JSON)
    assert answer.status_code == 409 and "etwv-wj8f" in answer.json()["detail"]
    several = server.put("mx", "egresos-hospitalarios", case("mx/adela-catalogo/input.json"), JSON)
    assert several.status_code == 400 and several.json()["field"] == "body"


def test_delete_tombstone_and_recreate(server: Server) -> None:
    server.put("mx", "x", b"", JSON)  # (refused: empty body) the token exists now
    body = json.loads(case("mx/adela-catalogo/input.json"))
    body["dataset"] = body["dataset"][:1]
    record_id = body["dataset"][0]["identifier"]
    assert server.put("mx", record_id, json.dumps(body).encode(), JSON).status_code in (200, 201)
    count = server.get("/catalogues/mx?format=json").json()["totalItems"]
    deleted = httpx_delete(server, f"/catalogues/mx/datasets/{record_id}")
    assert deleted.status_code == 204
    gone = server.get(f"/catalogues/mx/datasets/{record_id}")
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    tombstone = read(server, f"/catalogues/mx/records/{record_id}")
    record = URIRef(f"{server.url}/catalogues/mx/records/{record_id}")
    assert tombstone.value(record, ADMS.status) == URIRef("http://purl.org/adms/changetype/Deleted")
    assert server.get("/catalogues/mx?format=json").json()["totalItems"] == count - 1
    assert httpx_delete(server, f"/catalogues/mx/datasets/{record_id}").status_code == 410
    changes = server.get("/catalogues/mx/changes?limit=1000").json()["changes"]
    assert changes[-1]["id"] == record_id and changes[-1]["change"] == "deleted"
    again = server.put("mx", record_id, json.dumps(body).encode(), JSON)
    assert again.status_code == 201 and again.json()["status"] == "created"
    assert server.get(f"/catalogues/mx/datasets/{record_id}").status_code == 200


def httpx_delete(server: Server, path: str, token: str | None = None) -> object:
    import httpx

    catalogue = path.split("/")[2]
    headers = {"Authorization": f"Bearer {token or server.token(catalogue)}"}
    return httpx.delete(f"{server.url}{path}", headers=headers, timeout=60)


def test_catalogues_are_listed_with_the_ones_from_settings(server: Server) -> None:
    items = server.get("/catalogues").json()
    assert {"co", "cl", "mx", "es", "pe-test"} <= {c["id"] for c in items}
    spain = next(c for c in items if c["id"] == "es")
    assert spain["country"].endswith("/country/ESP")
    graph = read(server, "/catalogues")
    assert (URIRef(f"{server.url}/catalogues/pe-test"), RDF.type, DCAT.Catalog) in graph
    assert server.get("/catalogues", headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.parametrize("path", ["/catalogues/xx", "/catalogues/co/datasets/no-such-record",
                                  "/catalogues/co/records/no-such-record", "/catalogues/co/datasets/nothing/report"])
def test_unknown_things_are_404(server: Server, path: str) -> None:
    answer = server.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"

"""What the catalogue serves conforms to the official shapes, with no background knowledge: DCAT-AP 3.0.1 for the
datasets, pages and exports (complete records from every source), DCAT-AP-ES 1.0 for the Spanish export."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.catalogue.conftest import JSON, TURTLE, Server, case
from tests.conftest import ORACLES, official_dcat_ap_shapes
from tests.stores import BOTH

# On pyoxigraph only (STORES = BOTH from tests/stores.py runs it on Virtuoso too), to keep the suite short:
# exports read Puente's index, not the store.
STORES = BOTH  # on pyoxigraph and on Virtuoso

# complete records (no violation, see tests/test_oracle.py), one per source, published into their catalogue
COMPLETE = [("co", "co/etwv-wj8f-pueblos-indigenas/input.json", JSON, ""),
            ("cl", "cl/package-show/input.json", JSON, ""),
            ("mx", "mx/adela-catalogo/input.json", JSON, ""),
            ("es", "es/complete-record/input.ttl", TURTLE, ""),
            ("cl", "dcat/complete-dataset/input.ttl", TURTLE, "?source=dcat"),
            ("pe-test", "ckan/latam-extras/input.json", JSON, "")]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return official_dcat_ap_shapes()


@pytest.fixture(scope="module")
def published(server: Server) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for catalogue, path, media, query in COMPLETE:
        answer = server.post(catalogue, case(path), media, query=query)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["refused"] == 0, body
        ids.setdefault(catalogue, []).extend(r["id"] for r in body["records"])
    return ids


def conforms(graph: Graph, shapes: Graph) -> None:
    ok, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert ok, text


def turtle(server: Server, path: str) -> Graph:
    answer = server.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.text
    return Graph().parse(data=answer.text, format="turtle")


def test_every_stored_dataset_conforms_to_dcat_ap_on_its_own(server: Server, published: dict[str, list[str]],
                                                             shapes: Graph) -> None:
    checked = 0
    for catalogue, ids in published.items():
        for record_id in ids:
            conforms(turtle(server, f"/catalogues/{catalogue}/datasets/{record_id}"), shapes)
            checked += 1
    assert checked >= 7


def test_catalogue_pages_and_records_conform(server: Server, published: dict[str, list[str]], shapes: Graph) -> None:
    for catalogue in published:
        conforms(turtle(server, f"/catalogues/{catalogue}?page_size=5"), shapes)
    record_id = published["mx"][0]
    conforms(turtle(server, f"/catalogues/mx/records/{record_id}"), shapes)


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_the_streamed_export_is_one_conforming_graph_in_every_syntax(server: Server, published: dict[str, list[str]],
                                                                    shapes: Graph, fmt: str, parser: str) -> None:
    answer = server.get(f"/catalogues/cl/export?format={fmt}")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    graph = Graph().parse(data=answer.text, format=parser)
    conforms(graph, shapes)
    reference = Graph().parse(data=server.get("/catalogues/cl/export?format=nt").text, format="nt")
    assert isomorphic(graph, reference)
    datasets = {str(s) for s in graph.subjects(predicate=None, object=None)
                if "/catalogues/cl/datasets/" in str(s) and "#" not in str(s)}
    assert len(datasets) == server.get("/catalogues/cl?format=json").json()["totalItems"]


def test_the_spanish_export_conforms_to_dcat_ap_es(server: Server, published: dict[str, list[str]]) -> None:
    shapes = Graph()
    for path in sorted((ORACLES / "dcat-ap-es-1.0.0").glob("shacl_*.ttl")):
        if "imports" not in path.name:
            shapes.parse(path, format="turtle")
    answer = server.get("/catalogues/es/export?format=ttl&to=es")
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format="turtle")
    ok, _, text = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert ok, text
    assert "http://datos.gob.es/kos/sector-publico/sector/medio-ambiente" in answer.text
    assert "CatalogRecord" not in answer.text
    # and the harmonised (DCAT-AP) export of the same catalogue is not DCAT-AP-ES: the oracle can fail
    plain = Graph().parse(data=server.get("/catalogues/es/export?format=ttl").text, format="turtle")
    assert not pyshacl.validate(plain, shacl_graph=shapes, allow_warnings=True)[0]
    assert server.get("/catalogues/es/export?format=jsonld&to=es").status_code == 400

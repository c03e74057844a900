"""A CKAN package's `uri` (ckanext-dcat) is the dataset's IRI as it is: an `iri: "{uri}"` template that is the
whole IRI keeps the address, not a percent-encoded segment of it (Puente's CKAN API round trip depends on it)."""

from __future__ import annotations

import json

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from app.pipeline.run import Pipeline
from app.rdf.namespaces import DCAT, DCT
from app.settings import Settings


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load(Settings())


def mapped(pipeline: Pipeline, package: dict[str, object]) -> set[tuple[object, ...]]:
    graph, _, _ = pipeline.read(json.dumps(package).encode(), media_type="application/json", source="ckan")
    return set(graph.triples)


def test_uris_of_the_dataset_its_publisher_and_resources_are_kept(pipeline: Pipeline) -> None:
    package = {"name": "aire", "title": "Aire", "notes": "Calidad del aire.",
               "uri": "https://example.org/catalogues/cl/datasets/Aire.2024~v1?x=1",
               "publisher": [{"name": "Ministerio", "uri": "https://example.org/org/ministerio"}],
               "resources": [{"url": "https://example.org/aire.csv", "format": "CSV",
                              "uri": "https://example.org/catalogues/cl/datasets/aire#distribution-1"}]}
    triples = mapped(pipeline, package)
    dataset = URIRef("https://example.org/catalogues/cl/datasets/Aire.2024~v1?x=1")
    assert (dataset, RDF.type, DCAT.Dataset) in triples
    assert (dataset, DCT.publisher, URIRef("https://example.org/org/ministerio")) in triples
    assert (dataset, DCAT.distribution, URIRef("https://example.org/catalogues/cl/datasets/aire#distribution-1")) \
        in triples


@pytest.mark.parametrize("uri", ["https://example.org/a b", "javascript:alert(1)", "not an iri", "<https://x>"])
def test_a_uri_that_is_not_an_http_iri_is_never_taken_as_one(pipeline: Pipeline, uri: str) -> None:
    triples = mapped(pipeline, {"name": "aire", "title": "Aire", "notes": "n", "uri": uri})
    datasets = {s for s, p, o in triples if p == RDF.type and o == DCAT.Dataset}
    assert len(datasets) == 1 and str(next(iter(datasets))) != uri

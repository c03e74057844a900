"""W3C DQV out, parsed back, equal to the JSON; typed values; the rating as a classifying annotation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rdflib import BNode, Graph, Literal, URIRef, namespace
from rdflib.namespace import PROV, RDF

from app.pipeline.run import Pipeline
from app.quality.aggregate import DatasetEntry, aggregate
from app.quality.dqv import catalogue_to_dqv, dataset_to_dqv, dqv_to_catalogue_values, dqv_to_dataset, rated_targets
from app.quality.models import DatasetQuality
from app.quality.score import Scorer, score_triples
from app.rdf.namespaces import DQV, OA, PQ
from tests.quality.data import country_cases

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scored(client_pipeline: Pipeline) -> list[DatasetQuality]:
    scorer = Scorer.for_profile(client_pipeline.profile)
    found = []
    for cc in ("co", "cl", "mx", "es"):
        for body, media_type in country_cases(cc):
            outcome = client_pipeline.validate(body, media_type=media_type, source=cc)
            found += [s.quality for s in score_triples(outcome.mapped.triples, outcome.findings, scorer=scorer,
                                                       now=NOW)]
    return found


def reparse(graph: Graph, fmt: str) -> Graph:
    again = Graph()
    again.parse(data=graph.serialize(format=fmt), format=fmt)
    return again


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "xml", "nt"])
def test_every_scored_dataset_round_trips(scored: list[DatasetQuality], client_pipeline: Pipeline, fmt: str) -> None:
    scorer = Scorer.for_profile(client_pipeline.profile)
    unique = list({q.dataset: q for q in scored}.values())  # two Spanish cases describe the same dataset IRI
    assert len(unique) >= 10
    graph = Graph()
    for quality in unique:  # all in one graph: each dataset's measurements are found by what they are computed on
        dataset_to_dqv(quality, graph=graph)
    graph = reparse(graph, fmt)
    targets = rated_targets(graph)
    assert len(targets) == len(unique)
    for quality in unique:
        target = BNode(quality.dataset[2:]) if quality.dataset.startswith("_:") else URIRef(quality.dataset)
        back = dqv_to_dataset(graph, target, metrics=scorer.metrics)
        assert back.model_dump_json() == quality.model_dump_json()


def test_measurements_are_typed_and_unmeasured_ones_are_absent(scored: list[DatasetQuality],
                                                               client_pipeline: Pipeline) -> None:
    scorer = Scorer.for_profile(client_pipeline.profile)
    quality = next(q for q in scored if q.freshness.overdue and q.freshness.last_modified)
    graph = dataset_to_dqv(quality)
    target = URIRef(quality.dataset)
    measurements = list(graph.subjects(RDF.type, DQV.QualityMeasurement))
    values = {}
    for m in measurements:
        assert (m, DQV.computedOn, target) in graph and (target, DQV.hasQualityMeasurement, m) in graph
        assert graph.value(m, PROV.generatedAtTime) == Literal(NOW)
        values[str(graph.value(m, DQV.isMeasurementOf))[len(str(PQ)):]] = graph.value(m, DQV.value)
    measured = {k for d in quality.dimensions.values() for k, v in d.indicators.items() if v is not None}
    assert {i.key for i in scorer.metrics.indicators} - measured == {"access_url_reachable", "download_url_reachable"}
    assert measured <= set(values) and "access_url_reachable" not in values
    assert len(measurements) == len(values) == len(measured) + 1 + 5 + 6  # indicators, score, dimensions, freshness
    assert values["keyword"].datatype == namespace.XSD.boolean
    assert values["score"] == Literal(quality.score, datatype=namespace.XSD.integer)
    assert values["findability_score"].datatype == namespace.XSD.integer
    assert values["last_modified"].datatype == namespace.XSD.date and values["due"].datatype == namespace.XSD.date
    assert values["days_overdue"].datatype == namespace.XSD.integer and values["overdue"] == Literal(True)
    assert values["frequency"].datatype == namespace.XSD.anyURI
    annotations = list(graph.subjects(RDF.type, DQV.QualityAnnotation))
    assert len(annotations) == 1
    annotation = annotations[0]
    assert (annotation, OA.motivatedBy, OA.classifying) in graph and (annotation, OA.hasTarget, target) in graph
    assert graph.value(annotation, OA.hasBody) == PQ[quality.rating]


def test_catalogue_dqv(scored: list[DatasetQuality], client_pipeline: Pipeline) -> None:
    scorer = Scorer.for_profile(client_pipeline.profile)
    result = aggregate("co", [DatasetEntry(q) for q in scored], metrics=scorer.metrics, checked_at=NOW)
    iri = "https://puente.example/catalogues/co"
    graph = reparse(catalogue_to_dqv(result, iri=iri), "turtle")
    rating, values = dqv_to_catalogue_values(graph, URIRef(iri))
    assert rating == result.rating
    assert values["score"] == result.score
    assert {k: values[f"{k}_score"] for k in result.dimensions} == {k: d.score for k, d in result.dimensions.items()}
    assert {k: values[k] for k in result.shares} == result.shares
    assert values["overdue_share"] == result.freshness.overdue_share
    some = next(iter(graph.subjects(DQV.computedOn, URIRef(iri))))
    assert graph.value(some, DQV.value).datatype == namespace.XSD.decimal  # type: ignore[union-attr]

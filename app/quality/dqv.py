"""Quality as W3C DQV (Data Quality Vocabulary), and back.

One dqv:QualityMeasurement per measured metric (dqv:computedOn the dataset, dqv:isMeasurementOf Puente's metric,
dqv:value typed: xsd:boolean for an indicator, xsd:integer for points and days, xsd:date for dates, xsd:anyURI
for a frequency IRI), prov:generatedAtTime the check's time; an indicator that was not measured (reachability
without link checks) has no measurement. The rating is a dqv:QualityAnnotation that classifies the dataset
(oa:motivatedBy oa:classifying, oa:hasBody the rating's concept). On a catalogue, an indicator's value is the share
of its datasets that satisfy it (xsd:decimal) and points have decimals. The metrics are described in
vocabularies/quality/metrics.ttl (served at /vocabularies/quality-metrics).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from app.quality.metrics import RATINGS, Metrics, Rating
from app.quality.models import CatalogueQuality, DatasetQuality, DimensionScore, Freshness
from app.rdf.namespaces import DQV, OA, PQ

_FRESHNESS = ("freshness_applicable", "frequency", "last_modified", "due", "overdue", "days_overdue")


def _node(iri: str) -> Node:
    return BNode(iri[2:]) if iri.startswith("_:") else URIRef(iri)


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (("dqv", DQV), ("oa", OA), ("pq", PQ), ("prov", PROV), ("xsd", XSD)):
        graph.bind(prefix, namespace)
    return graph


def _measure(graph: Graph, target: Node, metric: str, value: Literal, at: Literal) -> None:
    measurement = BNode()
    graph.add((target, DQV.hasQualityMeasurement, measurement))
    graph.add((measurement, RDF.type, DQV.QualityMeasurement))
    graph.add((measurement, DQV.computedOn, target))
    graph.add((measurement, DQV.isMeasurementOf, PQ[metric]))
    graph.add((measurement, DQV.value, value))
    graph.add((measurement, PROV.generatedAtTime, at))


def _classify(graph: Graph, target: Node, rating: Rating, at: Literal) -> None:
    annotation = BNode()
    graph.add((target, DQV.hasQualityAnnotation, annotation))
    graph.add((annotation, RDF.type, DQV.QualityAnnotation))
    graph.add((annotation, OA.hasTarget, target))
    graph.add((annotation, OA.motivatedBy, OA.classifying))
    graph.add((annotation, OA.hasBody, PQ[rating]))
    graph.add((annotation, PROV.generatedAtTime, at))


def _frequency_literal(value: str) -> Literal:
    return Literal(value, datatype=XSD.anyURI) if value.startswith(("http://", "https://")) else Literal(value)


def dataset_to_dqv(quality: DatasetQuality, *, graph: Graph | None = None) -> Graph:
    """The DQV graph of one dataset's quality (added to `graph` when given)."""
    graph = graph if graph is not None else _graph()
    target = _node(quality.dataset)
    at = Literal(quality.checked_at)
    _measure(graph, target, "score", Literal(quality.score, datatype=XSD.integer), at)
    for name, dimension in quality.dimensions.items():
        _measure(graph, target, f"{name}_score", Literal(dimension.score, datatype=XSD.integer), at)
        for key, points in dimension.indicators.items():
            if points is not None:
                _measure(graph, target, key, Literal(points > 0), at)
    fresh = quality.freshness
    values: dict[str, object] = {"freshness_applicable": fresh.applicable, "frequency": fresh.frequency,
                                 "last_modified": fresh.last_modified, "due": fresh.due, "overdue": fresh.overdue,
                                 "days_overdue": fresh.days_overdue}
    for key in _FRESHNESS:
        value = values[key]
        if value is None:
            continue
        if key == "frequency":
            literal = _frequency_literal(str(value))
        elif isinstance(value, bool):
            literal = Literal(value)
        elif isinstance(value, int):
            literal = Literal(value, datatype=XSD.integer)
        else:
            literal = Literal(value, datatype=XSD.date)
        _measure(graph, target, key, literal, at)
    _classify(graph, target, quality.rating, at)
    return graph


def _measurements(graph: Graph, target: Node) -> dict[str, tuple[Literal, Node | None]]:
    found: dict[str, tuple[Literal, Node | None]] = {}
    for measurement in graph.subjects(DQV.computedOn, target):
        metric = graph.value(measurement, DQV.isMeasurementOf)
        value = graph.value(measurement, DQV.value)
        if isinstance(metric, URIRef) and str(metric).startswith(str(PQ)) and isinstance(value, Literal):
            found[str(metric)[len(str(PQ)):]] = (value, graph.value(measurement, PROV.generatedAtTime))
    return found


def _rating(graph: Graph, target: Node) -> Rating:
    for annotation in graph.subjects(OA.hasTarget, target):
        if (annotation, OA.motivatedBy, OA.classifying) in graph:
            body = str(graph.value(annotation, OA.hasBody))
            name = body[len(str(PQ)):] if body.startswith(str(PQ)) else body
            if name in RATINGS:
                return RATINGS[RATINGS.index(name)]
    raise ValueError(f"no rating annotation for {target}")


def rated_targets(graph: Graph) -> list[Node]:
    """The datasets or catalogues a DQV graph rates."""
    return sorted({t for a in graph.subjects(OA.motivatedBy, OA.classifying) for t in graph.objects(a, OA.hasTarget)},
                  key=str)


def dqv_to_dataset(graph: Graph, dataset: Node, *, metrics: Metrics) -> DatasetQuality:
    """Read one dataset's quality back from DQV (the inverse of dataset_to_dqv)."""
    found = _measurements(graph, dataset)
    score, at = found["score"]
    dimensions: dict[str, DimensionScore] = {}
    for dimension in metrics.dimensions:
        indicators: dict[str, int | None] = {}
        for indicator in metrics.of_dimension(dimension.key):
            value = found.get(indicator.key)
            indicators[indicator.key] = None if value is None else indicator.points if value[0].toPython() else 0
        dimensions[dimension.key] = DimensionScore(score=int(found[f"{dimension.key}_score"][0].toPython()),
                                                   max=dimension.max_points, indicators=indicators)

    def get(key: str) -> object:
        value = found.get(key)
        return None if value is None else value[0].toPython()

    last, due = get("last_modified"), get("due")
    frequency, days = get("frequency"), get("days_overdue")
    freshness = Freshness(
        applicable=bool(get("freshness_applicable")), frequency=None if frequency is None else str(frequency),
        last_modified=last if isinstance(last, date) else None, due=due if isinstance(due, date) else None,
        overdue=bool(get("overdue")), days_overdue=int(str(days)) if days is not None else None)
    checked = at.toPython() if isinstance(at, Literal) else None
    if not isinstance(checked, datetime):
        raise ValueError(f"no prov:generatedAtTime on the score of {dataset}")
    return DatasetQuality(dataset=str(dataset) if isinstance(dataset, URIRef) else f"_:{dataset}",
                          score=int(score.toPython()), max=metrics.max_points, rating=_rating(graph, dataset),
                          dimensions=dimensions, freshness=freshness, checked_at=checked)


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


def catalogue_to_dqv(quality: CatalogueQuality, *, iri: str, graph: Graph | None = None) -> Graph:
    """The DQV graph of a catalogue's aggregate: points with decimals, indicators as shares of datasets."""
    graph = graph if graph is not None else _graph()
    target = _node(iri)
    at = Literal(quality.checked_at)
    _measure(graph, target, "score", _decimal(quality.score), at)
    for name, dimension in quality.dimensions.items():
        _measure(graph, target, f"{name}_score", _decimal(dimension.score), at)
    for key, share in quality.shares.items():
        _measure(graph, target, key, _decimal(share), at)
    if quality.freshness.overdue_share is not None:
        _measure(graph, target, "overdue_share", _decimal(quality.freshness.overdue_share), at)
    _classify(graph, target, quality.rating, at)
    return graph


def dqv_to_catalogue_values(graph: Graph, catalogue: Node) -> tuple[Rating, dict[str, float]]:
    """A catalogue's rating and measured values back from DQV (metric key → number)."""
    return _rating(graph, catalogue), {k: float(v[0].toPython()) for k, v in _measurements(graph, catalogue).items()}

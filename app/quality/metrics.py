"""The metrics table: MQA indicators, their points and dimensions, the rating bands, read from
vocabularies/quality/metrics.ttl (the data; this module only reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal as TypingLiteral

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from app.errors import ConfigurationError
from app.i18n import LocalText
from app.rdf.namespaces import DQV, PQ
from app.settings import REPO_ROOT

Level = TypingLiteral["dataset", "distribution", "dataset-or-distribution"]
Rating = TypingLiteral["excellent", "good", "sufficient", "bad"]
RATINGS: tuple[Rating, ...] = ("excellent", "good", "sufficient", "bad")
METRICS_FILE = Path("vocabularies") / "quality" / "metrics.ttl"
_LEVELS: dict[str, Level] = {"dataset": "dataset", "distribution": "distribution",
                             "dataset-or-distribution": "dataset-or-distribution"}


@dataclass(frozen=True)
class Dimension:
    """One MQA dimension (findability ...), or Puente's currentness (no points)."""

    key: str
    iri: URIRef
    label: LocalText
    max_points: int
    order: int


@dataclass(frozen=True)
class Indicator:
    """One MQA indicator: a yes/no question about a dataset (or its best distribution) worth some points."""

    key: str
    iri: URIRef
    dimension: str
    points: int
    level: Level
    order: int
    label: LocalText
    definition: LocalText
    differs: bool            # Puente reads it differently from data.europa.eu
    note: LocalText          # how, when it does
    piveau: URIRef | None    # piveau's metric IRI (exact or close match)
    piveau_exact: bool


@dataclass(frozen=True)
class Metrics:
    """The whole table, in the order of the MQA methodology."""

    dimensions: tuple[Dimension, ...]   # the five MQA dimensions (points > 0)
    indicators: tuple[Indicator, ...]
    bands: tuple[tuple[Rating, int], ...]   # (rating, lowest score), best first
    rating_labels: dict[str, LocalText]
    labels: dict[str, LocalText]            # every metric of the file by key (scores and freshness too)
    graph: Graph

    @property
    def max_points(self) -> int:
        return sum(i.points for i in self.indicators)

    def indicator(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)

    def of_dimension(self, dimension: str) -> tuple[Indicator, ...]:
        return self._by_dimension[dimension]

    @cached_property
    def _by_dimension(self) -> dict[str, tuple[Indicator, ...]]:
        return {d.key: tuple(i for i in self.indicators if i.dimension == d.key) for d in self.dimensions}

    def rating(self, score: float) -> Rating:
        """The MQA band of a score: the best band whose lowest score it reaches (350.5 is still good)."""
        for rating, lowest in self.bands:
            if score >= lowest:
                return rating
        return "bad"


def _texts(graph: Graph, node: URIRef, predicate: URIRef) -> LocalText:
    return {v.language: str(v) for v in graph.objects(node, predicate) if isinstance(v, Literal) and v.language}


def _int(graph: Graph, node: URIRef, predicate: URIRef) -> int | None:
    value = graph.value(node, predicate)
    return int(str(value)) if value is not None else None


def _fail(message: str) -> ConfigurationError:
    return ConfigurationError({"es": message, "en": message})


def parse_metrics(graph: Graph) -> Metrics:
    """Read the table from the metrics vocabulary's graph; a broken file is a start-up error."""
    dimensions: list[Dimension] = []
    for node in graph.subjects(RDF.type, DQV.Dimension):
        assert isinstance(node, URIRef)
        maximum = _int(graph, node, PQ.maxPoints)
        if maximum is None:
            continue  # currentness: Puente's, outside the 405 points
        dimensions.append(Dimension(key=str(graph.value(node, SKOS.notation)), iri=node, max_points=maximum,
                                    label=_texts(graph, node, SKOS.prefLabel), order=_int(graph, node, PQ.order) or 0))
    dimensions.sort(key=lambda d: d.order)
    keys = {d.iri: d.key for d in dimensions}
    indicators: list[Indicator] = []
    labels: dict[str, LocalText] = {}
    for node in graph.subjects(RDF.type, DQV.Metric):
        assert isinstance(node, URIRef)
        key = str(graph.value(node, SKOS.notation))
        labels[key] = _texts(graph, node, SKOS.prefLabel)
        points = _int(graph, node, PQ.points)
        if points is None:
            continue  # a score or freshness measurement, not an indicator
        in_dimension = graph.value(node, DQV.inDimension)
        level = str(graph.value(node, PQ.level))
        if not isinstance(in_dimension, URIRef) or in_dimension not in keys or level not in _LEVELS:
            raise _fail(f"{METRICS_FILE}: {key} needs an MQA dimension and a pq:level")
        exact = graph.value(node, SKOS.exactMatch)
        close = graph.value(node, SKOS.closeMatch)
        piveau = exact if exact is not None else close
        indicators.append(Indicator(
            key=key, iri=node, dimension=keys[in_dimension], points=points, level=_LEVELS[level],
            order=_int(graph, node, PQ.order) or 0, label=labels[key], definition=_texts(graph, node, SKOS.definition),
            differs=str(graph.value(node, PQ.differsFromMqa)).lower() == "true",
            note=_texts(graph, node, SKOS.scopeNote), piveau=piveau if isinstance(piveau, URIRef) else None,
            piveau_exact=exact is not None))
    indicators.sort(key=lambda i: i.order)
    bands: list[tuple[Rating, int]] = []
    rating_labels: dict[str, LocalText] = {}
    for node in graph.subjects(RDF.type, PQ.Rating):
        assert isinstance(node, URIRef)
        name = str(graph.value(node, SKOS.notation))
        lowest = _int(graph, node, PQ.minPoints)
        if name not in RATINGS or lowest is None:
            raise _fail(f"{METRICS_FILE}: rating {name} needs a known name and pq:minPoints")
        bands.append((RATINGS[RATINGS.index(name)], lowest))
        rating_labels[name] = _texts(graph, node, SKOS.prefLabel)
    bands.sort(key=lambda band: -band[1])
    for dimension in dimensions:
        total = sum(i.points for i in indicators if i.dimension == dimension.key)
        if total != dimension.max_points:
            raise _fail(f"{METRICS_FILE}: {dimension.key} indicators add up to {total}, not {dimension.max_points}")
    return Metrics(dimensions=tuple(dimensions), indicators=tuple(indicators), bands=tuple(bands),
                   rating_labels=rating_labels, labels=labels, graph=graph)


@lru_cache(maxsize=4)
def load_metrics(assets_dir: Path = REPO_ROOT) -> Metrics:
    """The metrics table of an assets folder (read once per folder)."""
    graph = Graph()
    graph.parse(assets_dir / METRICS_FILE, format="turtle")
    return parse_metrics(graph)


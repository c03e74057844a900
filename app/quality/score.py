"""The score stage: a record's profile triples and Puente's validation of them in, DatasetQuality out.

`Scorer` holds what scoring reads (the metrics table, the vocabulary look-ups, the frequency intervals), built
once per profile. `score_outcome` scores every dataset of a validated input: what /validate?quality=true and the
validator page call, and what the catalogue will call for each stored record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from app.findings import Finding, Severity
from app.profile.model import Profile
from app.quality.formats import QualityTables, tables_for
from app.quality.freshness import assess, frequency_text, load_intervals
from app.quality.indicators import Answer, RecordIndex, dataset_answers, last_change, publisher_name
from app.quality.linkcheck import LinkCheck
from app.quality.metrics import Metrics, load_metrics
from app.quality.models import DatasetQuality, DimensionScore
from app.rdf.namespaces import DCAT, DCT
from app.settings import REPO_ROOT

_FREQUENCY, _TITLE = DCT.accrualPeriodicity, DCT.title  # a namespace builds a new term on each look-up


@dataclass(frozen=True)
class ScoredDataset:
    """A dataset's quality with what lists and pages show beside it."""

    quality: DatasetQuality
    node: Node
    title: str | None
    publisher: str | None
    answers: dict[str, Answer]
    best_distribution: Node | None


def _as_date(value: Node) -> date | datetime | None:
    if not isinstance(value, Literal):
        return None
    python = value.toPython()
    if isinstance(python, datetime | date):
        return python
    text = str(value).strip()
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _latest(values: Iterable[date | datetime]) -> date | datetime | None:
    def instant(value: date | datetime) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime(value.year, value.month, value.day, 23, 59, 59, tzinfo=UTC)

    return max(values, key=instant, default=None)


def _iri(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


class Scorer:
    """Scores datasets: MQA indicators, points by dimension, rating and freshness."""

    def __init__(self, *, metrics: Metrics, tables: QualityTables, intervals: dict[str, timedelta | None]) -> None:
        self.metrics = metrics
        self.tables = tables
        self.intervals = intervals

    @classmethod
    def for_profile(cls, profile: Profile, *, assets_dir: Path = REPO_ROOT) -> Scorer:
        return cls(metrics=load_metrics(assets_dir), tables=tables_for(profile), intervals=load_intervals(assets_dir))

    def points(self, answers: Mapping[str, Answer]) -> tuple[int, dict[str, DimensionScore]]:
        """The total and the dimensions of a set of answers (an unmeasured indicator earns nothing)."""
        dimensions: dict[str, DimensionScore] = {}
        for dimension in self.metrics.dimensions:
            indicators: dict[str, int | None] = {}
            for indicator in self.metrics.of_dimension(dimension.key):
                answer = answers[indicator.key]
                indicators[indicator.key] = None if answer is None else indicator.points if answer else 0
            dimensions[dimension.key] = DimensionScore(score=sum(v or 0 for v in indicators.values()),
                                                       max=dimension.max_points, indicators=indicators)
        return sum(d.score for d in dimensions.values()), dimensions

    def score(self, index: RecordIndex, dataset: Node, *, compliant: bool, now: datetime,
              links: Mapping[str, LinkCheck] | None = None, lang: str = "es") -> ScoredDataset:
        """Score one dataset of `index`; `links`: link-check results by URL (None: not checked, reachability
        unknown); `now`: the clock (freshness and checked_at)."""
        found = dataset_answers(index, dataset, metrics=self.metrics, tables=self.tables, compliant=compliant,
                                links=links)
        total, dimensions = self.points(found.answers)
        frequencies = index.objects(dataset, _FREQUENCY)
        frequency = frequency_text(sorted(frequencies, key=str)[0]) if frequencies else None
        dates = [d for d in (_as_date(v) for v in last_change(index, dataset)) if d is not None]
        freshness = assess(frequency, _latest(dates), now=now, intervals=self.intervals)
        quality = DatasetQuality(dataset=_iri(dataset), score=total, max=self.metrics.max_points,
                                 rating=self.metrics.rating(total), dimensions=dimensions, freshness=freshness,
                                 checked_at=now)
        return ScoredDataset(quality=quality, node=dataset, title=index.text(dataset, _TITLE, lang),
                             publisher=publisher_name(index, dataset, lang=lang), answers=found.answers,
                             best_distribution=found.best)


def violating_datasets(index: RecordIndex, findings: Iterable[Finding]) -> set[Node]:
    """The datasets whose description (the nodes it reaches: distributions, agents...) holds a violation."""
    focuses = {f.focus for f in findings if f.severity == Severity.VIOLATION}
    if not focuses:
        return set()
    records = index.records()
    return {d for d in index.of_type(DCAT.Dataset) if not focuses.isdisjoint(index.reach(d, stop=records))}


def score_triples(triples: Iterable[tuple[Node, Node, Node]] | RecordIndex, findings: Iterable[Finding], *,
                  scorer: Scorer, now: datetime, links: Mapping[str, LinkCheck] | None = None,
                  lang: str = "es") -> list[ScoredDataset]:
    """Score every dataset of a validated input (its profile triples, or their index, and Puente's findings)."""
    index = triples if isinstance(triples, RecordIndex) else RecordIndex(triples)
    violating = violating_datasets(index, findings)
    return [scorer.score(index, d, compliant=d not in violating, now=now, links=links, lang=lang)
            for d in index.of_type(DCAT.Dataset)]  # in the order the input describes them

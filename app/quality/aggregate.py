"""A catalogue's quality the MQA way: for each indicator, the share of its datasets that satisfy it × its points;
the dimensions and the score are sums of those, the rating the score's band. Plus the score distribution, the
freshness share and the overdue list (worst first), and one day of history for the trends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.quality.metrics import RATINGS, Metrics
from app.quality.models import (
    CatalogueDimension,
    CatalogueQuality,
    DatasetQuality,
    FreshnessSummary,
    HistoryPoint,
    OverdueDataset,
)

HISTOGRAM_STEP = 45   # nine bands over 0–405
DECIMALS = 2


@dataclass(frozen=True)
class DatasetEntry:
    """What a catalogue aggregate reads of one dataset: its quality and the words its overdue line shows."""

    quality: DatasetQuality
    title: str | None = None
    publisher: str | None = None


def _indicator_points(quality: DatasetQuality) -> dict[str, int | None]:
    return {k: v for dimension in quality.dimensions.values() for k, v in dimension.indicators.items()}


def _overdue_order(entry: OverdueDataset) -> tuple[int, int, str]:
    # no date at all first (nothing says it was ever updated), then most days overdue
    return (0 if entry.days_overdue is None else 1, -(entry.days_overdue or 0), entry.title or entry.dataset)


def aggregate(catalogue: str, entries: Iterable[DatasetEntry], *, metrics: Metrics, checked_at: datetime,
              title: str | None = None, overdue_limit: int | None = None) -> CatalogueQuality:
    """The aggregate of a catalogue's scored datasets, read once (a stream: a catalogue of 100,000 is never held
    whole); `overdue_limit`: keep that many overdue lines."""
    count = 0
    satisfied = {i.key: 0 for i in metrics.indicators}
    unmeasured = {i.key: 0 for i in metrics.indicators}
    ratings = dict.fromkeys(RATINGS, 0)
    histogram = [0] * (metrics.max_points // HISTOGRAM_STEP)
    overdue: list[OverdueDataset] = []
    applicable = 0
    for entry in entries:
        count += 1
        quality = entry.quality
        for key, points in _indicator_points(quality).items():
            if points is None:
                unmeasured[key] += 1
            elif points > 0:
                satisfied[key] += 1
        ratings[quality.rating] += 1
        histogram[min(quality.score // HISTOGRAM_STEP, len(histogram) - 1)] += 1
        fresh = quality.freshness
        applicable += fresh.applicable
        if fresh.overdue:
            overdue.append(OverdueDataset(dataset=quality.dataset, title=entry.title, publisher=entry.publisher,
                                          frequency=fresh.frequency, last_modified=fresh.last_modified, due=fresh.due,
                                          days_overdue=fresh.days_overdue))
    shares = {k: round(v / count, 4) if count else 0.0 for k, v in satisfied.items()}
    dimensions: dict[str, CatalogueDimension] = {}
    total = 0.0
    for dimension in metrics.dimensions:  # sums of the exact values, each rounded once for the answer
        earned = {i.key: satisfied[i.key] / count * i.points if count else 0.0
                  for i in metrics.of_dimension(dimension.key)}
        total += sum(earned.values())
        dimensions[dimension.key] = CatalogueDimension(
            score=round(sum(earned.values()), DECIMALS), max=dimension.max_points,
            indicators={k: round(v, DECIMALS) for k, v in earned.items()})
    score = round(total, DECIMALS)
    overdue.sort(key=_overdue_order)
    return CatalogueQuality(
        catalogue=catalogue, title=title, datasets=count, score=score, max=metrics.max_points,
        rating=metrics.rating(score), dimensions=dimensions, shares=shares,
        unmeasured={k: round(v / count, 4) if count else 0.0 for k, v in unmeasured.items()}, ratings=ratings,
        histogram=histogram,
        freshness=FreshnessSummary(datasets=count, applicable=applicable, overdue=len(overdue),
                                   overdue_share=round(len(overdue) / applicable, 4) if applicable else None),
        overdue=overdue[:overdue_limit] if overdue_limit is not None else overdue, checked_at=checked_at)


def history_point(aggregate_: CatalogueQuality, *, day: date | None = None) -> HistoryPoint:
    """The day's line of a catalogue's history (by default the day it was checked)."""
    return HistoryPoint(catalogue=aggregate_.catalogue, day=day or aggregate_.checked_at.date(),
                        datasets=aggregate_.datasets, score=aggregate_.score, rating=aggregate_.rating,
                        dimensions={k: v.score for k, v in aggregate_.dimensions.items()},
                        overdue_share=aggregate_.freshness.overdue_share)

"""What would raise a dataset's score most: its missing indicators, most points first, with plain advice."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.i18n import LocalText, render, text
from app.quality.metrics import Metrics
from app.quality.models import DatasetQuality


@dataclass(frozen=True)
class Improvement:
    """One indicator a dataset misses (or that was not measured), what it is worth and how to earn it."""

    indicator: str
    dimension: str
    points: int
    label: LocalText
    advice: LocalText
    measured: bool


@lru_cache(maxsize=64)
def _advice(key: str) -> LocalText:
    return text(f"quality.advice.{key}")  # the same few texts for every dataset: looked up once each


def improvements(quality: DatasetQuality, *, metrics: Metrics) -> list[Improvement]:
    """The indicators that earned nothing, most points first (ties in the methodology's order); those not
    measured (reachability without link checks) come after, marked, since nothing here can tell."""
    found: list[Improvement] = []
    for indicator in metrics.indicators:
        points = quality.dimensions[indicator.dimension].indicators[indicator.key]
        if points:
            continue
        found.append(Improvement(indicator=indicator.key, dimension=indicator.dimension, points=indicator.points,
                                 label=indicator.label, advice=_advice(indicator.key),
                                 measured=points is not None))
    order = {i.key: i.order for i in metrics.indicators}
    return sorted(found, key=lambda m: (not m.measured, -m.points, order[m.indicator]))


def improvements_json(quality: DatasetQuality, *, metrics: Metrics, lang: str) -> list[dict[str, Any]]:
    """`improvements` as plain JSON in `lang` (what the pages and /validate?quality=true show)."""
    return [{"indicator": m.indicator, "dimension": m.dimension, "points": m.points, "measured": m.measured,
             "label": render(m.label, lang), "advice": render(m.advice, lang)}
            for m in improvements(quality, metrics=metrics)]


def reachability_points(metrics: Metrics) -> int:
    """What the URL-reachability indicators are worth: only link checks measure them."""
    return sum(i.points for i in metrics.indicators if i.key.endswith("_reachable"))

"""The cross-country dashboard, built from plain data: catalogue aggregates and their dated history.

`QualitySource` is where the page reads them (the catalogue implements it on what it stores; tests and an
empty service use `StaticQualitySource`). Every figure is also a table (`figure_table`) that the page offers
as CSV and JSON, so each chart's numbers can be downloaded and checked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.i18n import render, text
from app.quality.aggregate import HISTOGRAM_STEP
from app.quality.charts import Bar, Series, bar_chart, histogram, line_chart
from app.quality.metrics import Metrics
from app.quality.models import CatalogueQuality, HistoryPoint

FIGURES = ("comparison", "dimensions", "scores", "overdue", "overdue-list", "trends")


class QualitySource(Protocol):
    """Where the dashboard reads quality from: the latest aggregate of each catalogue and their history.
    (A source may also have `titles(lang) -> {catalogue: name}`: the page then names catalogues in its language.)"""

    def aggregates(self) -> Sequence[CatalogueQuality]:
        """The latest aggregate of every catalogue (one each), in the order the page shows them."""
        ...

    def history(self) -> Sequence[HistoryPoint]:
        """Every catalogue's dated points (at least one a day), any order."""
        ...


@dataclass(frozen=True)
class StaticQualitySource:
    """A QualitySource over data held in memory (tests; a service with no catalogue yet)."""

    catalogues: Sequence[CatalogueQuality] = ()
    points: Sequence[HistoryPoint] = ()

    def aggregates(self) -> Sequence[CatalogueQuality]:
        return self.catalogues

    def history(self) -> Sequence[HistoryPoint]:
        return self.points


def _band(index: int, top: int) -> tuple[int, int]:
    low = index * HISTOGRAM_STEP
    return low, top if (index + 2) * HISTOGRAM_STEP > top else low + HISTOGRAM_STEP - 1


def figure_table(kind: str, aggregates: Sequence[CatalogueQuality], history: Sequence[HistoryPoint], *,
                 metrics: Metrics, catalogue: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """The numbers behind one figure (`catalogue`: that catalogue's rows only): columns and rows."""
    chosen = [a for a in aggregates if catalogue is None or a.catalogue == catalogue]
    dims = [d.key for d in metrics.dimensions]
    if kind == "comparison":
        return (["catalogue", "title", "datasets", "score", "max", "rating", *dims, "overdue_share"],
                [[a.catalogue, a.title, a.datasets, a.score, a.max, a.rating, *(a.dimensions[d].score for d in dims),
                  a.freshness.overdue_share] for a in chosen])
    if kind == "dimensions":
        return (["catalogue", "dimension", "score", "max", "percent"],
                [[a.catalogue, d, a.dimensions[d].score, a.dimensions[d].max,
                  round(a.dimensions[d].score / a.dimensions[d].max * 100, 1)] for a in chosen for d in dims])
    if kind == "scores":
        return (["catalogue", "score_from", "score_to", "datasets"],
                [[a.catalogue, *_band(i, a.max), count] for a in chosen for i, count in enumerate(a.histogram)])
    if kind == "overdue":
        return (["catalogue", "datasets", "applicable", "overdue", "overdue_share"],
                [[a.catalogue, a.freshness.datasets, a.freshness.applicable, a.freshness.overdue,
                  a.freshness.overdue_share] for a in chosen])
    if kind == "overdue-list":
        return (["catalogue", "dataset", "title", "publisher", "frequency", "last_modified", "due", "days_overdue"],
                [[a.catalogue, o.dataset, o.title, o.publisher, o.frequency,
                  o.last_modified.isoformat() if o.last_modified else None, o.due.isoformat() if o.due else None,
                  o.days_overdue] for a in chosen for o in a.overdue])
    if kind == "trends":
        points = sorted((p for p in history if catalogue is None or p.catalogue == catalogue),
                        key=lambda p: (p.catalogue, p.day))
        return (["catalogue", "day", "datasets", "score", "rating", *dims, "overdue_share"],
                [[p.catalogue, p.day.isoformat(), p.datasets, p.score, p.rating, *(p.dimensions.get(d) for d in dims),
                  p.overdue_share] for p in points])
    raise KeyError(kind)


def as_csv(columns: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def as_records(columns: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


@dataclass(frozen=True)
class Chart:
    """A chart's visible title and its SVG."""

    title: str
    svg: str


@dataclass
class CountryView:
    """One catalogue's section of the page."""

    catalogue: str
    name: str
    aggregate: CatalogueQuality
    charts: dict[str, Chart] = field(default_factory=dict)


@dataclass
class DashboardView:
    """What the template shows: the comparison charts and one section per catalogue."""

    comparison: dict[str, Chart]
    countries: list[CountryView]
    unmeasured: dict[str, float]


def build_view(aggregates: Sequence[CatalogueQuality], history: Sequence[HistoryPoint], *, metrics: Metrics,
               lang: str, titles: Mapping[str, str] | None = None) -> DashboardView:
    """Every chart of the dashboard, rendered in `lang` (`titles`: catalogue names in `lang`, where the source
    knows them; else each aggregate's own title)."""
    def t(key: str, **params: object) -> str:
        return render(text(key, **params), lang)

    def rating(value: str) -> str:
        return render(metrics.rating_labels[value], lang)

    dim_label = {d.key: render(d.label, lang) for d in metrics.dimensions}
    names = {a.catalogue: (titles or {}).get(a.catalogue) or a.title or a.catalogue.upper() for a in aggregates}
    comparison: dict[str, Chart] = {}
    if aggregates:
        top = float(aggregates[0].max)
        title = t("ui.dashboard.fig.comparison")
        comparison["scores"] = Chart(title, bar_chart(
            "cmp-scores", [Bar(names[a.catalogue], a.score, f"{a.score:g} / {a.max} · {rating(a.rating)}", i)
                           for i, a in enumerate(aggregates)],
            maximum=top, title=title, desc=t("ui.dashboard.desc.comparison")))
        title = t("ui.dashboard.fig.dimensions_compared")
        comparison["dimensions"] = Chart(title, bar_chart(
            "cmp-dims", [Bar(f"{dim_label[d.key]} · {a.catalogue.upper()}", _share(a, d.key) * 100,
                             f"{_share(a, d.key) * 100:.0f} % ({a.dimensions[d.key].score:g}/{d.max_points})", i)
                         for d in metrics.dimensions for i, a in enumerate(aggregates)],
            maximum=100.0, title=title, desc=t("ui.dashboard.desc.dimensions"), label_width=230))
        title = t("ui.dashboard.fig.overdue_compared")
        comparison["overdue"] = Chart(title, bar_chart(
            "cmp-overdue", [Bar(names[a.catalogue], (a.freshness.overdue_share or 0) * 100,
                                f"{_pct(a.freshness.overdue_share)} ({a.freshness.overdue}/{a.freshness.applicable})",
                                i) for i, a in enumerate(aggregates)],
            maximum=100.0, title=title, desc=t("ui.dashboard.desc.overdue")))
        series = [Series(a.catalogue.upper(), [(p.day, p.score) for p in history if p.catalogue == a.catalogue])
                  for a in aggregates]
        title = t("ui.dashboard.fig.trends")
        comparison["trends"] = Chart(title, line_chart("cmp-trends", [s for s in series if s.points], maximum=top,
                                                       title=title, desc=t("ui.dashboard.desc.trends")))
    countries: list[CountryView] = []
    for index, a in enumerate(aggregates):
        cc, name = a.catalogue, names[a.catalogue]
        view = CountryView(catalogue=cc, name=name, aggregate=a)
        title = t("ui.dashboard.fig.scores", name=name)
        bands = [(*_band(i, a.max), count) for i, count in enumerate(a.histogram)]
        view.charts["scores"] = Chart(title, histogram(
            f"{cc}-scores", [Bar(f"{low}–{high}", count, str(count), index) for low, high, count in bands],
            title=title, desc=t("ui.dashboard.desc.scores")))
        title = t("ui.dashboard.fig.dimensions", name=name)
        view.charts["dimensions"] = Chart(title, bar_chart(
            f"{cc}-dims", [Bar(dim_label[d.key], _share(a, d.key) * 100,
                               f"{a.dimensions[d.key].score:g} / {d.max_points}", n)
                           for n, d in enumerate(metrics.dimensions)],
            maximum=100.0, title=title, desc=t("ui.dashboard.desc.dimensions"), label_width=150))
        fresh = a.freshness
        title = t("ui.dashboard.fig.overdue", name=name)
        view.charts["overdue"] = Chart(title, bar_chart(
            f"{cc}-overdue", [Bar(t("ui.dashboard.overdue"), fresh.overdue, str(fresh.overdue), 5),
                              Bar(t("ui.dashboard.up_to_date"), fresh.applicable - fresh.overdue,
                                  str(fresh.applicable - fresh.overdue), 0),
                              Bar(t("ui.dashboard.not_applicable"), fresh.datasets - fresh.applicable,
                                  str(fresh.datasets - fresh.applicable), 2)],
            maximum=float(max(fresh.datasets, 1)), title=title, label_width=200,
            desc=t("ui.dashboard.desc.overdue_one", share=_pct(fresh.overdue_share))))
        own = [(p.day, p.score) for p in history if p.catalogue == cc]
        title = t("ui.dashboard.fig.trend", name=name)
        view.charts["trends"] = Chart(title, line_chart(f"{cc}-trends", [Series(cc.upper(), own)] if own else [],
                                                        maximum=float(a.max), title=title,
                                                        desc=t("ui.dashboard.desc.trends")))
        countries.append(view)
    unmeasured = {k: max((a.unmeasured.get(k, 0.0) for a in aggregates), default=0.0)
                  for k in ("access_url_reachable", "download_url_reachable")}
    return DashboardView(comparison=comparison, countries=countries, unmeasured=unmeasured)


def _share(aggregate: CatalogueQuality, dimension: str) -> float:
    part = aggregate.dimensions[dimension]
    return part.score / part.max if part.max else 0.0

"""`puente quality` output: catalogue aggregates as JSON, CSV (one sheet) or text for a terminal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Literal

from app.i18n import render, text
from app.quality.metrics import Metrics
from app.quality.models import CatalogueQuality

Format = Literal["json", "csv", "text"]
CSV_COLUMNS = ("catalogue", "kind", "name", "dimension", "value", "max", "share", "dataset", "title", "publisher",
               "frequency", "last_modified", "due", "days_overdue")
BAR = 20


def as_json(aggregates: Sequence[CatalogueQuality]) -> str:
    """One catalogue: its aggregate (what GET /catalogues/{cc}/quality answers); several: a list of them."""
    data: Any = [a.model_dump(mode="json") for a in aggregates]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=1) + "\n"


def as_csv(aggregates: Sequence[CatalogueQuality], *, metrics: Metrics) -> str:
    """One row per figure: the score, each dimension, each indicator (points and share), freshness, and each
    overdue dataset (worst first); the `kind` column says which."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for a in aggregates:
        def row(kind: str, name: str, catalogue: str = a.catalogue, **values: Any) -> None:
            writer.writerow({"catalogue": catalogue, "kind": kind, "name": name,
                             **{k: "" if v is None else v for k, v in values.items()}})

        row("score", "score", value=a.score, max=a.max, title=a.rating)
        for dimension in metrics.dimensions:
            part = a.dimensions[dimension.key]
            row("dimension", dimension.key, value=part.score, max=part.max)
            for indicator in metrics.of_dimension(dimension.key):
                row("indicator", indicator.key, dimension=dimension.key, value=part.indicators[indicator.key],
                    max=indicator.points, share=a.shares[indicator.key])
        fresh = a.freshness
        row("freshness", "overdue", value=fresh.overdue, max=fresh.applicable, share=fresh.overdue_share)
        for o in a.overdue:
            row("overdue", "dataset", dataset=o.dataset, title=o.title, publisher=o.publisher, frequency=o.frequency,
                last_modified=o.last_modified.isoformat() if o.last_modified else None,
                due=o.due.isoformat() if o.due else None, days_overdue=o.days_overdue)
    return buffer.getvalue()


def _bar(value: float, maximum: float) -> str:
    filled = round(value / maximum * BAR) if maximum else 0
    return "█" * filled + "░" * (BAR - filled)


def as_text(aggregates: Sequence[CatalogueQuality], *, metrics: Metrics, lang: str, overdue_lines: int = 20) -> str:
    """A readable summary per catalogue: score and rating, the dimensions as bars, the overdue list."""
    def t(key: str, **params: object) -> str:
        return render(text(key, **params), lang)

    lines: list[str] = []
    for a in aggregates:
        name = a.title or a.catalogue.upper()
        rating = render(metrics.rating_labels[a.rating], lang)
        lines.append(f"{name} ({a.catalogue}) — " + t("ui.dashboard.summary", score=f"{a.score:g}", max=a.max,
                                                      rating=rating, count=a.datasets, overdue=a.freshness.overdue))
        width = max(len(render(d.label, lang)) for d in metrics.dimensions)
        for dimension in metrics.dimensions:
            part = a.dimensions[dimension.key]
            lines.append(f"  {render(dimension.label, lang):<{width}}  {_bar(part.score, part.max)}  "
                         f"{part.score:g} / {part.max}")
        lines.append(f"  {t('ui.dashboard.fig.overdue_list')}:")
        if not a.overdue:
            lines.append(f"    {t('ui.dashboard.no_overdue')}")
        for position, o in enumerate(a.overdue[:overdue_lines], start=1):
            late = t("ui.dashboard.no_date") if o.days_overdue is None else f"{o.days_overdue} d"
            lines.append(f"    {position}. {o.title or o.dataset} — {o.publisher or '–'} — {late}"
                         + (f" ({t('ui.dashboard.col.due')} {o.due.isoformat()})" if o.due else ""))
        if len(a.overdue) > overdue_lines:
            lines.append(f"    {t('ui.dashboard.more', shown=overdue_lines, total=len(a.overdue))}")
        lines.append("")
    return "\n".join(lines)


def format_quality(aggregates: Sequence[CatalogueQuality], *, fmt: Format, metrics: Metrics, lang: str = "es") -> str:
    """What `puente quality --format FMT` prints for these catalogues."""
    if fmt == "json":
        return as_json(aggregates)
    if fmt == "csv":
        return as_csv(aggregates, metrics=metrics)
    return as_text(aggregates, metrics=metrics, lang=lang)

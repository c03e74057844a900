"""`puente quality` output formats (json, csv, text) from plain aggregates."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.pipeline.run import Pipeline
from app.quality.formatting import CSV_COLUMNS, format_quality
from app.quality.metrics import load_metrics
from app.quality.models import CatalogueQuality
from app.settings import REPO_ROOT
from tests.quality.data import scored_catalogues


@pytest.fixture(scope="module")
def aggregates(client_pipeline: Pipeline) -> list[CatalogueQuality]:
    return scored_catalogues(client_pipeline)[0]


def test_json(aggregates: list[CatalogueQuality]) -> None:
    metrics = load_metrics(REPO_ROOT)
    one = json.loads(format_quality(aggregates[:1], fmt="json", metrics=metrics))
    assert CatalogueQuality.model_validate(one) == aggregates[0]
    many = json.loads(format_quality(aggregates, fmt="json", metrics=metrics))
    assert [CatalogueQuality.model_validate(a) for a in many] == aggregates


def test_csv(aggregates: list[CatalogueQuality]) -> None:
    metrics = load_metrics(REPO_ROOT)
    rows = list(csv.DictReader(io.StringIO(format_quality(aggregates, fmt="csv", metrics=metrics))))
    assert tuple(rows[0]) == CSV_COLUMNS
    for a in aggregates:
        mine = [r for r in rows if r["catalogue"] == a.catalogue]
        kinds = [r["kind"] for r in mine]
        assert kinds.count("score") == 1 and kinds.count("dimension") == 5 and kinds.count("indicator") == 23
        assert kinds.count("overdue") == len(a.overdue)
        score = next(r for r in mine if r["kind"] == "score")
        assert float(score["value"]) == a.score and score["title"] == a.rating
        keyword = next(r for r in mine if r["name"] == "keyword")
        assert float(keyword["share"]) == a.shares["keyword"] and keyword["dimension"] == "findability"
        overdue = [r["dataset"] for r in mine if r["kind"] == "overdue"]
        assert overdue == [o.dataset for o in a.overdue]


def test_text(aggregates: list[CatalogueQuality]) -> None:
    metrics = load_metrics(REPO_ROOT)
    spanish = format_quality(aggregates, fmt="text", metrics=metrics, lang="es")
    english = format_quality(aggregates, fmt="text", metrics=metrics, lang="en")
    for a in aggregates:
        assert f"({a.catalogue}) — {a.score:g} de 405 puntos de media" in spanish
        assert f"({a.catalogue}) — {a.score:g} of 405 points on average" in english
        for o in a.overdue[:3]:
            assert (o.title or o.dataset) in spanish
    assert "Localización" in spanish and "Findability" in english and "█" in spanish
    assert "Desactualizados, del mayor al menor retraso" in spanish

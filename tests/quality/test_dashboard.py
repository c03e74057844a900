"""GET /dashboard and its downloads, fed by a test QualitySource built from the four countries' test records."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.quality.dashboard import FIGURES, StaticQualitySource, figure_table
from app.quality.metrics import load_metrics
from app.quality.models import CatalogueQuality, HistoryPoint
from app.settings import REPO_ROOT, Settings
from tests.quality.data import NOW, scored_catalogues

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(workers=0), clock=lambda: NOW)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def data(client: TestClient) -> tuple[list[CatalogueQuality], list[HistoryPoint]]:
    app = client.app
    aggregates, history = scored_catalogues(app.state.pipeline)  # type: ignore[attr-defined]
    app.state.quality_source = StaticQualitySource(aggregates, history)  # type: ignore[attr-defined]
    return aggregates, history


def svgs(html: str) -> list[ET.Element]:
    found = []
    start = 0
    while (begin := html.find("<svg", start)) >= 0:
        end = html.index("</svg>", begin) + len("</svg>")
        found.append(ET.fromstring(html[begin:end]))
        start = end
    return found


def test_the_catalogues_are_the_four_countries(data: tuple[list[CatalogueQuality], list[HistoryPoint]]) -> None:
    aggregates, history = data
    assert [a.catalogue for a in aggregates] == ["co", "cl", "mx", "es"]
    assert all(a.datasets >= 2 for a in aggregates)
    assert len(history) == 4 * 5


def test_dashboard_page(client: TestClient, data: tuple[list[CatalogueQuality], list[HistoryPoint]]) -> None:
    aggregates, _ = data
    response = client.get("/dashboard?lang=es")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    charts = svgs(html)
    assert len(charts) == 4 + 4 * 4  # four comparisons, four charts per country
    comparison = next(c for c in charts if c.get("id") == "cmp-scores")
    bars = [r for r in comparison.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert [(b.get("data-label"), float(b.get("data-value") or 0)) for b in bars] == [
        (a.title, a.score) for a in aggregates]
    for a in aggregates:
        assert f'id="cat-{a.catalogue}"' in html and f"/dashboard/data/overdue-list.csv?catalogue={a.catalogue}" in html
        dims = next(c for c in charts if c.get("id") == f"{a.catalogue}-dims")
        values = [float(r.get("data-value") or 0) for r in dims.iter(f"{SVG}rect") if r.get("class") == "bar"]
        assert values == pytest.approx([d.score / d.max * 100 for d in a.dimensions.values()], abs=0.05)
    assert "Localización" in html and "Donde Puente lee un indicador de otra forma" in html
    for kind in FIGURES:
        assert f"/dashboard/data/{kind}.csv" in html and f"/dashboard/data/{kind}.json" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    english = client.get("/dashboard?lang=en").text
    assert "Quality and freshness of the catalogues" in english and "Findability" in english


def test_downloads_match_the_figures(client: TestClient,
                                     data: tuple[list[CatalogueQuality], list[HistoryPoint]]) -> None:
    aggregates, history = data
    metrics = load_metrics(REPO_ROOT)
    for kind in FIGURES:
        columns, rows = figure_table(kind, aggregates, history, metrics=metrics)
        as_csv = client.get(f"/dashboard/data/{kind}.csv")
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert f'filename="puente-{kind}.csv"' in as_csv.headers["content-disposition"]
        parsed = list(csv.reader(io.StringIO(as_csv.text)))
        assert parsed[0] == columns and len(parsed) == len(rows) + 1
        as_json = client.get(f"/dashboard/data/{kind}.json").json()
        assert [list(r) for r in as_json] == [columns] * len(rows) or not rows
        assert [list(r.values()) for r in as_json] == rows
    comparison = client.get("/dashboard/data/comparison.json").json()
    assert [(r["catalogue"], r["score"], r["rating"]) for r in comparison] == [
        (a.catalogue, a.score, a.rating) for a in aggregates]
    only = client.get("/dashboard/data/overdue-list.json?catalogue=mx").json()
    mx = next(a for a in aggregates if a.catalogue == "mx")
    assert [r["dataset"] for r in only] == [o.dataset for o in mx.overdue] and all(r["catalogue"] == "mx" for r in only)
    trends = client.get("/dashboard/data/trends.csv?catalogue=co").text.splitlines()
    assert len(trends) == 1 + 5 and trends[-1].startswith("co,2026-11-30,")


@pytest.mark.parametrize("path,status", [("/dashboard/data/nope.csv", 404), ("/dashboard/data/comparison.xml", 404),
                                         ("/dashboard/data/comparison", 404),
                                         ("/dashboard/data/comparison.csv?catalogue=../etc", 400),
                                         ("/dashboard/data/comparison.csv?catalogue=" + "x" * 40, 400)])
def test_bad_download_requests_are_problems(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_empty_dashboard() -> None:
    with TestClient(create_app(Settings(workers=0), clock=lambda: NOW)) as fresh:
        html = fresh.get("/dashboard?lang=es").text
        assert 'id="dashboard-empty"' in html and "<svg" not in html
        assert fresh.get("/dashboard/data/comparison.csv").text.strip() == (
            "catalogue,title,datasets,score,max,rating,findability,accessibility,interoperability,reusability,"
            "contextuality,overdue_share")

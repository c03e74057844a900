"""The quality dashboard and the validator's quality box in a real browser (Debian's Chromium, Playwright), on a
real server (uvicorn on 127.0.0.1, in this process so it can be handed a test QualitySource of the four
countries' test records)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app.main import create_app
from app.settings import Settings
from tests.browser.test_validator_page import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.conftest import CASES
from tests.quality.data import NOW, quality_source, serving


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = create_app(Settings(workers=0), clock=lambda: NOW)
    with serving(app) as url:
        app.state.quality_source = quality_source(app.state.pipeline)
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium is required for this test ({CHROMIUM}); .ci/run installs it"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900}, locale="es-CO")
    yield context.new_page()
    context.close()


def test_dashboard(server: str, page: Page, tmp_path: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server}/dashboard")
    assert page.locator("h1").inner_text() == "Calidad y actualidad de los catálogos"
    assert page.locator("svg.chart").count() == 20
    assert page.locator("#fig-comparison svg rect.bar").count() == 4
    assert page.locator("#fig-comparison figcaption").inner_text() == "Puntuación MQA media por catálogo"
    for cc, name in (("co", "Colombia"), ("cl", "Chile"), ("mx", "México"), ("es", "España")):
        assert page.locator(f"#h-{cc}").inner_text().startswith(name)
        assert page.locator(f"#cat-{cc} svg.chart").count() == 4
    # readable without colour: every bar's value is written beside it
    values = page.locator("#cmp-scores text.value").all_text_contents()
    assert len(values) == 4 and all("/ 405" in v for v in values)
    assert page.locator("#overdue-co tbody tr").count() >= 1
    assert page.locator("#differences dt").count() >= 6
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-es.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator("#dl-comparison-csv").click()
    saved = tmp_path / "comparison.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [r["catalogue"] for r in rows] == ["co", "cl", "mx", "es"]
    shown = page.locator("#comparison-table tbody tr").first.locator("td").nth(1).inner_text()
    assert shown.split(" / ")[0] == f"{float(rows[0]['score']):g}"

    with page.expect_download() as download_info:
        page.locator("#dl-mx-overdue-list-json").click()
    saved = tmp_path / "overdue.json"
    download_info.value.save_as(saved)
    overdue = json.loads(saved.read_text(encoding="utf-8"))
    assert overdue and all(row["catalogue"] == "mx" for row in overdue)

    page.locator("#switch-lang").click()
    page.wait_for_selector("text=Quality and freshness of the catalogues")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
    assert requested and all(url.startswith(server) for url in requested), [u for u in requested
                                                                           if not u.startswith(server)]


def test_dashboard_fits_a_phone(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server}/dashboard")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_the_validator_quality_box(server: str, page: Page) -> None:
    page.goto(f"{server}/")
    page.get_by_label("Registro o catálogo").fill((CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json")
                                                  .read_text())
    page.get_by_label("Calcular también la puntuación de calidad").check()
    page.get_by_role("button", name="Validar").click()
    page.wait_for_selector("#quality-1")
    box = page.locator("#quality-1")
    assert "260 de 405 puntos" in box.inner_text()
    first = box.locator("ol.improvements li").first.inner_text()
    assert first.startswith("+20 puntos")
    assert "desconocida" in box.locator(".unmeasured").inner_text()
    box.screenshot(path=str(ARTIFACTS / "validator-quality-es.png"))

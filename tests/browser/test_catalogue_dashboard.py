"""The dashboard on the harmonised catalogue itself, in a real browser (Debian's Chromium, Playwright): the four
countries' catalogues filled over five days (by the clock the app is given) with the tests' golden records, so the
trends are the catalogue's own kept measurements. Charts present, the CSV and JSON downloads equal to the catalogue
quality endpoints, no request leaves the server. The screenshot is kept as docs/dashboard.png for the README."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from app.settings import REPO_ROOT
from tests.browser.test_validator_page import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.quality.catalogue_data import Puente, running_puente
from tests.quality.data import NOW, country_cases

DAYS = 5
SCREENSHOT = REPO_ROOT / "docs" / "dashboard.png"


@pytest.fixture(scope="module")
def puente(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Puente]:
    with running_puente(tmp_path_factory.mktemp("dashboard-data")) as running:
        running.clock.now = NOW - timedelta(days=DAYS - 1)
        cases = {cc: country_cases(cc) for cc in ("co", "cl", "mx", "es")}
        for day in range(DAYS):  # each day some more of each country's records arrive, then the day is measured
            for cc, found in cases.items():
                for body, media_type in found[day::DAYS]:
                    answer = httpx.post(
                        f"{running.url}/catalogues/{cc}/datasets", content=body, timeout=300,
                        headers={**running.auth(cc), "Content-Type": media_type})
                    assert answer.status_code == 200, answer.text
                running.app.state.catalogue_quality.refresh(cc)
            if day < DAYS - 1:
                running.clock.days_later(1)
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium is required for this test ({CHROMIUM}); .ci/run installs it"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_the_dashboard_compares_the_four_catalogues(puente: Puente, browser: Browser, tmp_path: Path) -> None:
    expected = {cc: puente.get(f"/catalogues/{cc}/quality").json() for cc in ("co", "cl", "mx", "es")}
    assert all(q["datasets"] > 0 for q in expected.values()), {cc: q["datasets"] for cc, q in expected.items()}
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1600}, locale="en-GB")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{puente.url}/dashboard?lang=en")
    assert page.locator("h1").inner_text() == "Quality and freshness of the catalogues"
    assert page.locator("#fig-comparison svg rect.bar").count() == 4
    assert page.locator("svg.chart").count() == 4 + 4 * 4
    for cc, name in (("co", "Colombia"), ("cl", "Chile"), ("mx", "Mexico"), ("es", "Spain")):
        assert page.locator(f"#h-{cc}").inner_text().startswith(name)
        assert page.locator(f"#cat-{cc} svg.chart").count() == 4
    # every country's trend is a line over the five kept days
    assert page.locator("#cmp-trends").count() == 1
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-dashboard-en.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator("#dl-comparison-csv").click()
    saved = tmp_path / "comparison.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [r["catalogue"] for r in rows] == ["co", "cl", "mx", "es"]
    assert {r["catalogue"]: float(r["score"]) for r in rows} == {cc: q["score"] for cc, q in expected.items()}
    assert {r["catalogue"]: int(r["datasets"]) for r in rows} == {cc: q["datasets"] for cc, q in expected.items()}

    with page.expect_download() as download_info:
        page.locator("#dl-trends-json").click()
    saved = tmp_path / "trends.json"
    download_info.value.save_as(saved)
    trends = json.loads(saved.read_text(encoding="utf-8"))
    days = sorted({t["day"] for t in trends})
    assert len(days) == DAYS and days[-1] == NOW.date().isoformat()
    assert {t["catalogue"] for t in trends} == {"co", "cl", "mx", "es"}
    last = {t["catalogue"]: t["score"] for t in trends if t["day"] == days[-1]}
    assert last == {cc: q["score"] for cc, q in expected.items()}
    context.close()
    assert requested and all(url.startswith(puente.url) for url in requested), [
        u for u in requested if not u.startswith(puente.url)]

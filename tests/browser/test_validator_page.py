"""A real browser (Debian's Chromium, driven by Playwright) on the validator page of a real server."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app.settings import REPO_ROOT
from bench.server import running_server
from tests.conftest import CASES

CHROMIUM = os.environ.get("PUENTE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as (url, _process):
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
    # A Spanish-speaking operator: the browser asks for Spanish, and the page answers in it.
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900}, locale="es-CO")
    yield context.new_page()
    context.close()


def test_validate_the_colombian_sample(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{server}/")
    assert page.get_by_label("Registro o catálogo").is_visible()
    page.get_by_label("Registro o catálogo").fill((CASES / "co" / "defective" / "input.json").read_text())
    page.get_by_role("button", name="Validar").click()
    page.wait_for_selector("#results")

    summary = page.locator(".summary").inner_text()
    assert "Hay errores que corregir" in summary and "co" in page.locator("#source-used").inner_text()
    fields = page.locator("mark.field-name").all_inner_texts()
    assert "createdAt" in fields and 'metadata.custom_fields."Common Core"."Contact Email"' in fields
    assert page.get_by_text("«ayer» en createdAt no es una fecha válida").is_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "validator-results-es.png"), full_page=True)

    page.locator("#filter input[value=warning]").uncheck()  # the severity filter
    assert page.locator("section.group[data-severity=warning]").first.is_hidden()
    assert page.locator("section.group[data-severity=violation]").first.is_visible()

    page.locator("#switch-lang").click()  # to English, same result
    page.wait_for_selector("#results")
    assert page.get_by_text('"ayer" in createdAt is not a valid date').is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(ARTIFACTS / "validator-results-en.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator("#download-csv").click()
    saved = tmp_path / "report.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert any(r["source_field"] == "createdAt" and r["severity"] == "violation" for r in rows)
    assert any("is not a valid date" in r["message"] for r in rows)


def test_samples_and_keyboard(server: str, page: Page) -> None:
    page.goto(f"{server}/?lang=en")
    page.locator("#sample-mx").click()
    assert "Egresos hospitalarios" in page.locator("#content").input_value()
    page.locator("#content").focus()
    page.keyboard.press("Tab")  # the file input follows the text area
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "source"
    page.locator("#validate").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#results")
    assert "meets the profile" in page.locator(".summary").inner_text()
    assert page.locator("a[href^='/sources/mx']").count() == 1


def test_bad_input_is_explained_on_the_page(server: str, page: Page) -> None:
    page.goto(f"{server}/")
    page.get_by_label("Registro o catálogo").fill('{"title": "x",, }')
    page.get_by_role("button", name="Validar").click()
    alert = page.get_by_role("alert")
    assert "línea 1" in alert.inner_text()


def test_phone_width_has_no_horizontal_scroll(server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server}/?sample=co")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    context.close()

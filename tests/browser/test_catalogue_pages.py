"""A real browser on the catalogue pages: reached from the validator, searched, filtered, paged, a dataset read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from bench.corpus import generate
from bench.server import free_port, running_server
from tests.browser.test_validator_page import ARTIFACTS, browser  # noqa: F401  (the same Chromium)
from tests.catalogue.conftest import ADMIN, server_env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    with running_server(server_env(data_dir, port), port=port, access_log=False) as (url, _process):
        token = httpx.post(f"{url}/admin/tokens", json={"catalogue": "co"},
                           headers={"Authorization": f"Bearer {ADMIN}"}).json()["token"]
        views = json.loads(generate(records=45, seed=21)[0].body)
        answer = httpx.post(f"{url}/catalogues/co/datasets", content=json.dumps(views).encode(), timeout=300,
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        yield url


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="es-CO")
    yield context.new_page()
    context.close()


def test_from_the_validator_to_a_dataset(server: str, page: Page, tmp_path: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server}/")
    page.locator("#catalogues-link").click()
    page.wait_for_selector("#catalogue-co")
    assert "Catálogos armonizados" in page.locator("h1").inner_text()
    page.locator("#catalogue-co").click()
    page.wait_for_selector("#results-title")
    total = int(page.locator("#results-title").inner_text().split()[0])
    assert total > 30 and page.locator(".dataset-item").count() == total  # one page (under 100)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-co-es.png"), full_page=True)

    page.get_by_label("Palabras").fill("salud")
    page.locator("#search-button").click()
    page.wait_for_selector("#results-title")
    found = int(page.locator("#results-title").inner_text().split()[0])
    assert 0 < found < total

    page.goto(f"{server}/catalogues/co?format=html")
    page.get_by_label("Tema").select_option(label=page.locator("#theme option").nth(1).inner_text())
    page.locator("#search-button").click()
    page.wait_for_selector("#results-title")
    themed = int(page.locator("#results-title").inner_text().split()[0])
    assert 0 < themed <= total and "theme=" in page.url
    assert page.locator("#clear").is_visible()

    page.locator(".dataset-link").first.click()
    page.wait_for_selector("#dataset-title")
    assert page.locator("#distributions").is_visible() and page.locator(".distribution").count() >= 1
    assert "Cumple el perfil" in page.locator("#validation-summary").inner_text()
    assert page.locator("a[href='?format=ttl']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "catalogue-dataset-es.png"), full_page=True)
    assert all(url.startswith(server) for url in requested), [u for u in requested if not u.startswith(server)]


def test_paging_and_the_keyboard(server: str, page: Page) -> None:
    page.goto(f"{server}/catalogues/co?format=html&page_size=10&lang=en")
    assert page.locator(".dataset-item").count() == 10
    first = page.locator(".dataset-link").first.inner_text()
    page.locator("#next-page").click()
    page.wait_for_selector(".dataset-item")
    assert page.locator(".dataset-link").first.inner_text() != first
    assert "Next page" in page.content()
    page.locator("#q").focus()
    page.keyboard.type("agua")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results-title")
    assert "q=agua" in page.url


def test_catalogue_pages_fit_a_phone(server: str, browser: Browser) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    for path in ("/catalogues?format=html", "/catalogues/co?format=html"):
        phone.goto(f"{server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path
    phone.goto(f"{server}/catalogues/co?format=html")
    phone.locator(".dataset-link").first.click()
    phone.wait_for_selector("#dataset-title")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

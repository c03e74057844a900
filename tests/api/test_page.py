"""The validator page without a browser: form, samples, results, downloads, errors."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient
from rdflib import Graph

from tests.conftest import CASES


def _submit(client: TestClient, content: str, **extra: str) -> str:
    response = client.post("/", data={"content": content, "source": "", "ui_lang": "es", **extra},
                           follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/?result=")
    return location


def test_form_page(client: TestClient) -> None:
    page = client.get("/", headers={"accept-language": "es"}).text
    assert '<label for="content">' in page and '<label for="upload">' in page and '<label for="source">' in page
    for sample in ("co", "cl", "mx", "es"):
        assert f'href="/?sample={sample}' in page
    assert "/profile" in page and "/sources" in page
    assert "<script src=\"/static/page.js\"" in page and "<script>" not in page


def test_sample_fills_the_form(client: TestClient) -> None:
    page = client.get("/?sample=cl").text
    assert "atenciones-de-urgencia" in page
    assert '<option value="cl" selected>' in page


def test_results_and_downloads(client: TestClient) -> None:
    location = _submit(client, (CASES / "co" / "defective" / "input.json").read_text())
    page = client.get(location).text
    assert "createdAt" in page and "field-name" in page and "co" in page
    token = re.search(r"result=([^&]+)", location).group(1)  # type: ignore[union-attr]
    report = json.loads(client.get(f"/results/{token}/report.json").text)
    assert report["summary"]["violations"] == 4
    rows = list(csv.DictReader(io.StringIO(client.get(f"/results/{token}/report.csv?lang=en").text)))
    assert any(r["source_field"] == "createdAt" for r in rows)
    Graph().parse(data=client.get(f"/results/{token}/report.ttl").text, format="turtle")
    Graph().parse(data=client.get(f"/results/{token}/dcat.ttl").text, format="turtle")
    Graph().parse(data=client.get(f"/results/{token}/dcat.jsonld").text, format="json-ld")
    assert client.get(f"/results/{token}/nothing").status_code == 404


def test_upload_a_file(client: TestClient) -> None:
    body = (CASES / "es" / "complete-record" / "input.ttl").read_bytes()
    response = client.post("/", data={"source": "", "ui_lang": "en"},
                           files={"upload": ("registro.ttl", body, "text/turtle")}, follow_redirects=True)
    assert "meets the profile" in response.text and ">es<" in response.text


def test_unknown_result_says_it_expired(client: TestClient) -> None:
    assert "ya no está disponible" in client.get("/?result=nope", headers={"accept-language": "es"}).text
    assert client.get("/results/nope/report.json").status_code == 404


def test_unreadable_input_is_shown_on_the_form(client: TestClient) -> None:
    response = client.post("/", data={"content": "@prefix x: <http://x/> .\nx:a x:b .", "source": "",
                                      "ui_lang": "es"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "línea 2" in response.text


def test_shared_results_are_shown_once_and_long_reports_are_cut(client: TestClient) -> None:
    from bench.worst import shared_distributions, tiny_datasets

    body, _ = shared_distributions(scale=0.002)  # 29 datasets sharing 62 distributions
    page = client.get(_submit(client, body.decode()), headers={"accept-language": "en"}).text
    assert page.count('class="record shared"') == 1 and "Compartido por 29 registros" in page
    assert page.count('href="#shared-0"') == 29
    body, _ = tiny_datasets(scale=0.005)  # 250 datasets: the page shows 200, the download has them all
    location = _submit(client, body.decode())
    page = client.get(location, headers={"accept-language": "en"}).text
    assert 'id="truncated"' in page and "Se muestran 200 de 250" in page
    token = re.search(r"result=([^&]+)", location).group(1)  # type: ignore[union-attr]
    assert len(json.loads(client.get(f"/results/{token}/report.json").text)["records"]) == 250

"""/validate?quality=true and the validator page's quality box; the default answer is unchanged, byte for byte."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import CASES
from tests.quality.data import NOW

CO = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
MX = (CASES / "mx" / "adela-catalogo" / "input.json").read_bytes()
DEFECTIVE = (CASES / "co" / "defective" / "input.json").read_bytes()
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module", params=[0, 1], ids=["in-process", "worker"])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(workers=request.param), clock=lambda: NOW)) as test_client:
        yield test_client


def same_labels(answer: bytes) -> bytes:
    """Blank-node labels are fresh in every answer: number them in order of appearance to compare answers."""
    labels: dict[bytes, bytes] = {}
    return re.sub(rb"_:N[0-9a-f]{32}x\d+", lambda m: labels.setdefault(m.group(0), b"_:b%d" % len(labels)), answer)


@pytest.mark.parametrize("body", [CO, MX, DEFECTIVE], ids=["co", "mx", "defective"])
def test_the_default_answer_is_unchanged(client: TestClient, body: bytes) -> None:
    plain = same_labels(client.post("/validate?lang=en", content=body, headers=JSON).content)
    assert same_labels(client.post("/validate?lang=en&quality=false", content=body, headers=JSON).content) == plain
    scored = client.post("/validate?lang=en&quality=true", content=body, headers=JSON)
    assert scored.status_code == 200 and scored.headers["content-type"] == "application/json"
    # the same bytes, with one member added at the end
    assert same_labels(scored.content).startswith(plain[:-1] + b',"quality":{')
    data = json.loads(same_labels(scored.content))
    quality = data.pop("quality")
    assert data == json.loads(plain)
    assert quality["link_checks"] is False and "80" in quality["note"]
    assert len(quality["datasets"]) == sum(1 for r in data["records"] if r["type"] == "dataset")


def test_the_record_score(client: TestClient) -> None:
    quality = client.post("/validate?lang=es&quality=1", content=CO, headers=JSON).json()["quality"]
    (entry,) = quality["datasets"]
    assert entry["id"] == "etwv-wj8f" and entry["iri"] == "https://www.datos.gov.co/d/etwv-wj8f"
    score = entry["quality"]
    assert set(score) == {"dataset", "score", "max", "rating", "dimensions", "freshness", "checked_at"}
    assert score["checked_at"] == "2026-11-30T12:00:00Z" and score["max"] == 405
    assert score["dimensions"]["accessibility"]["indicators"]["access_url_reachable"] is None
    assert score["score"] == sum(d["score"] for d in score["dimensions"].values())
    # the Colombian record: csv distribution with format, media type, licence; keywords, theme, spatial, dates
    assert score["score"] == 260 and score["rating"] == "good"
    assert score["freshness"] == {"applicable": True, "frequency":
                                  "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
                                  "last_modified": "2021-01-26", "due": "2022-04-09", "overdue": True,
                                  "days_overdue": 1696}
    improvements = entry["improvements"]
    measured = [m for m in improvements if m["measured"]]
    assert [m["points"] for m in measured] == sorted((m["points"] for m in measured), reverse=True)
    assert measured[0]["indicator"] in ("temporal", "contact_point") and measured[0]["points"] == 20
    assert {m["indicator"] for m in improvements if not m["measured"]} == {"access_url_reachable",
                                                                           "download_url_reachable"}
    assert "dct:temporal" in next(m["advice"] for m in measured if m["indicator"] == "temporal")
    assert sum(m["points"] for m in improvements) == 405 - score["score"]


def test_violations_cost_the_compliance_points(client: TestClient) -> None:
    quality = client.post("/validate?quality=true", content=DEFECTIVE, headers=JSON).json()["quality"]
    entry = quality["datasets"][0]
    assert entry["quality"]["dimensions"]["interoperability"]["indicators"]["dcat_ap_compliance"] == 0
    assert any(m["indicator"] == "dcat_ap_compliance" for m in entry["improvements"])


def test_rdf_answers_ignore_quality(client: TestClient) -> None:
    body = (CASES / "dcat" / "complete-dataset" / "input.ttl").read_bytes()
    headers = {"content-type": "text/turtle", "accept": "text/turtle"}
    assert client.post("/validate?quality=true", content=body, headers=headers).headers[
        "content-type"].startswith("text/turtle")


def test_the_validator_page_shows_the_score(client: TestClient) -> None:
    posted = client.post("/?lang=es", data={"content": CO.decode(), "source": "", "quality": "on"},
                         follow_redirects=False)
    assert posted.status_code == 303 and "quality=true" in posted.headers["location"]
    page = client.get(posted.headers["location"]).text
    assert 'id="quality-1"' in page and "260 de 405 puntos" in page and 'data-rating="good"' in page
    assert 'data-indicator="temporal"' in page and "Desactualizado" in page
    assert 'id="quality" name="quality" value="on" checked' in page
    plain = client.post("/?lang=es", data={"content": CO.decode(), "source": ""}, follow_redirects=False)
    assert "quality" not in plain.headers["location"]
    assert 'class="quality"' not in client.get(plain.headers["location"]).text

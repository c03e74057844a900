"""The quality of the harmonised catalogue, on an in-process Puente with its own data folder and a fixed clock:
two hand-made datasets scored and aggregated by hand; link checks against a real loopback server; DQV parsed back
and compared with the JSON; measurements kept by day; 404, 410, 406, 401, 403 as the dataset routes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef

from app.net.client import HttpPolicy, SafeClient
from app.quality import catalogue_quality
from app.quality import refresher as refresher_module
from app.quality.catalogue_quality import CatalogueQualityService, RefreshStopped
from app.quality.dqv import dqv_to_catalogue_values, dqv_to_dataset
from app.quality.linkcheck import LinkChecker, LinkPolicy
from app.quality.metrics import load_metrics
from app.quality.models import CatalogueQuality, DatasetQuality
from app.quality.refresher import MAX_DEFERRED_LOOKS, QualityRefresher
from app.quality.safe_fetch import SafeFetch
from app.settings import Settings
from tests.quality.catalogue_data import (
    Puente,
    full_record,
    link_server,
    poor_record,
    redirect_and_slow_record,
    running_puente,
    wait_for_run,
)
from tests.quality.data import NOW

SYNTAXES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
            "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def links() -> Iterator[str]:
    with link_server() as url:
        yield url


@pytest.fixture(scope="module")
def puente(tmp_path_factory: pytest.TempPathFactory, links: str) -> Iterator[Puente]:
    with running_puente(tmp_path_factory.mktemp("quality-data")) as running:
        assert running.put_turtle("co", "a", full_record(links)).status_code == 201
        assert running.put_turtle("co", "b", poor_record(links)).status_code == 201
        assert running.put_turtle("mx", "c", redirect_and_slow_record(links)).status_code == 201
        yield running


def quality(puente: Puente) -> CatalogueQualityService:
    service: CatalogueQualityService = puente.app.state.catalogue_quality
    return service


def test_each_dataset_and_the_catalogue_by_hand_before_link_checks(puente: Puente) -> None:
    a = puente.get("/catalogues/co/datasets/a/quality").json()
    b = puente.get("/catalogues/co/datasets/b/quality").json()
    assert a["dataset"].endswith("/catalogues/co/datasets/a")
    # a: every indicator but the two reachability ones (50 + 30, not measured yet)
    assert a["score"] == 405 - 80 and a["rating"] == "good"
    assert a["dimensions"]["accessibility"]["indicators"] == {"access_url_reachable": None, "download_url": 20,
                                                              "download_url_reachable": None}
    # b: publisher (10) and DCAT-AP compliance (30, its stored report has no violation)
    assert b["score"] == 40 and b["rating"] == "bad"
    assert {k for d in b["dimensions"].values() for k, v in d["indicators"].items() if v} == {
        "publisher", "dcat_ap_compliance"}
    assert a["freshness"] == {"applicable": True, "frequency": "http://publications.europa.eu/resource/authority/"
                              "frequency/MONTHLY", "last_modified": "2026-09-15", "due": "2026-10-21",
                              "overdue": True, "days_overdue": 40}
    assert b["freshness"]["overdue"] is True and b["freshness"]["days_overdue"] is None

    catalogue = puente.get("/catalogues/co/quality").json()
    assert catalogue["datasets"] == 2
    # share of datasets × points: a indicator both meet counts whole, one only a meets counts half
    assert catalogue["dimensions"]["findability"] == {"score": 50.0, "max": 100, "indicators": {
        "keyword": 15.0, "theme": 15.0, "spatial": 10.0, "temporal": 10.0}}
    assert catalogue["dimensions"]["accessibility"]["score"] == 10.0   # download_url: ½ × 20
    assert catalogue["dimensions"]["interoperability"]["score"] == 10 + 5 + 5 + 10 + 10 + 30
    assert catalogue["dimensions"]["reusability"]["score"] == 10 + 5 + 5 + 2.5 + 10 + 10
    assert catalogue["dimensions"]["contextuality"]["score"] == 10.0
    assert catalogue["score"] == (325 + 40) / 2 == 182.5 and catalogue["rating"] == "sufficient"
    assert catalogue["unmeasured"]["access_url_reachable"] == 1.0
    assert catalogue["freshness"] == {"datasets": 2, "applicable": 2, "overdue": 2, "overdue_share": 1.0}
    # worst first: no date at all, then the most days overdue; with the publisher
    assert [(o["title"], o["publisher"], o["days_overdue"]) for o in catalogue["overdue"]] == [
        ("Presupuesto", "Ministerio de Hacienda", None), ("Calidad del aire", "Ministerio del Aire", 40)]
    assert catalogue["ratings"] == {"excellent": 0, "good": 1, "sufficient": 0, "bad": 1}


def test_the_dataset_page_shows_its_quality(puente: Puente) -> None:
    """The catalogue's page for a dataset carries its score, rating, what would raise it and its freshness; its
    ETag also names the day and the link checks (the quality moves with them), unlike the dataset's RDF."""
    page = puente.get("/catalogues/co/datasets/a?format=html&lang=en")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert "325 of 405 points" in html and 'data-rating="good"' in html
    assert "Overdue: an update was due on 2026-10-21 (40 days late; last change on 2026-09-15)." in html
    assert "measured by the catalogue&#39;s link check, which has not run yet" in html
    assert 'href="/catalogues/co/datasets/a/quality"' in html
    poor = puente.get("/catalogues/co/datasets/b?format=html&lang=es").text
    assert "40 de 405 puntos" in poor and 'data-rating="bad"' in poor
    assert '<ol class="improvements">' in poor  # the missing indicators, most points first
    turtle = puente.get("/catalogues/co/datasets/a", headers={"Accept": "text/turtle"})
    assert page.headers["ETag"] != turtle.headers["ETag"]
    assert page.headers["ETag"].endswith('.2026-11-30.0"') and page.headers["ETag"].startswith(
        turtle.headers["ETag"][:-1])
    again = puente.get("/catalogues/co/datasets/a?format=html&lang=en", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304


def test_link_checks_need_the_catalogues_token(puente: Puente) -> None:
    assert httpx.post(f"{puente.url}/catalogues/co/linkchecks", timeout=30).status_code == 401
    other = httpx.post(f"{puente.url}/catalogues/co/linkchecks", headers=puente.auth("cl"), timeout=30)
    assert other.status_code == 403
    assert puente.get("/catalogues/co/linkchecks/0123abcd").status_code == 404
    assert puente.get("/catalogues/co/linkchecks/not-an-id").status_code in (400, 422)


def test_a_link_check_run_feeds_the_accessibility_indicators(puente: Puente, links: str) -> None:
    started = httpx.post(f"{puente.url}/catalogues/co/linkchecks", headers=puente.auth("co"), timeout=30)
    assert started.status_code == 202, started.text
    body = started.json()
    assert set(body) == {"id", "status"} and body["status"] in ("queued", "running")
    assert started.headers["Location"] == f"/catalogues/co/linkchecks/{body['id']}"
    run = wait_for_run(puente, "co", body["id"])
    assert run["status"] == "done" and run["total"] == run["done"] == 3, run
    results = {r["url"].removeprefix(links): r for r in run["results"]}  # type: ignore[attr-defined]
    assert {k: (r["status"], r["reachable"], r["method"]) for k, r in results.items()} == {
        "/ok": (200, True, "HEAD"), "/no-head": (200, True, "GET"), "/missing": (404, False, "HEAD")}
    assert results["/missing"]["datasets"] == ["b"] and results["/ok"]["checked_at"] == NOW.isoformat()
    assert run["counts"] == {"reachable": 2, "unreachable": 1, "unchecked": 0}

    a = puente.get("/catalogues/co/datasets/a/quality").json()
    b = puente.get("/catalogues/co/datasets/b/quality").json()
    assert a["score"] == 405 and a["rating"] == "excellent"
    assert b["dimensions"]["accessibility"]["indicators"]["access_url_reachable"] == 0   # known broken, not null
    catalogue = puente.get("/catalogues/co/quality").json()
    assert catalogue["dimensions"]["accessibility"]["indicators"] == {
        "access_url_reachable": 25.0, "download_url": 10.0, "download_url_reachable": 15.0}
    assert catalogue["score"] == (405 + 40) / 2 == 222.5 and catalogue["rating"] == "good"
    assert catalogue["unmeasured"]["access_url_reachable"] == 0.0

    # within the re-check interval a second run reuses every result: no new request
    asked = len(puente_requests())
    again = httpx.post(f"{puente.url}/catalogues/co/linkchecks", headers=puente.auth("co"), timeout=30).json()
    rerun = wait_for_run(puente, "co", again["id"])
    assert rerun["reused"] == rerun["total"] == 3 and len(puente_requests()) == asked
    listed = puente.get("/catalogues/co/linkchecks").json()
    assert {r["id"] for r in listed} == {again["id"], body["id"]} and "results" not in listed[0]


def puente_requests() -> list[tuple[str, str]]:
    from tests.quality.catalogue_data import LinkHandler

    return list(LinkHandler.seen)


def test_redirects_are_followed_and_a_slow_server_times_out(puente: Puente, links: str) -> None:
    started = httpx.post(f"{puente.url}/catalogues/mx/linkchecks", headers=puente.auth("mx"), timeout=30).json()
    run = wait_for_run(puente, "mx", started["id"])
    results = {r["url"].removeprefix(links): r for r in run["results"]}  # type: ignore[attr-defined]
    assert (results["/moved"]["status"], results["/moved"]["reachable"]) == (200, True)   # 301 → /ok
    assert results["/slow"]["error"] == "timeout" and results["/slow"]["reachable"] is False
    assert results["/slow"]["status"] is None


def test_private_addresses_are_refused_unless_allowed(links: str) -> None:
    policy = LinkPolicy(timeout_s=2)
    refusing = SafeFetch(SafeClient(HttpPolicy(allow_private=False, retries=0)), threads=2)
    checker = LinkChecker(refusing, clock=lambda: NOW, policy=policy)
    import asyncio

    try:
        check = asyncio.run(checker.check(f"{links}/ok"))
    finally:
        refusing.close()
    assert (check.error, check.reachable, check.status) == ("refused", False, None)


def test_dqv_parsed_back_equals_the_json(puente: Puente) -> None:
    metrics = load_metrics(Settings().assets_dir)
    as_json = DatasetQuality.model_validate(puente.get("/catalogues/co/datasets/a/quality").json())
    catalogue_json = CatalogueQuality.model_validate(puente.get("/catalogues/co/quality").json())
    catalogue_iri = puente.app.state.catalogue.catalogue("co").iri
    for media_type, syntax in SYNTAXES.items():
        answer = puente.get("/catalogues/co/datasets/a/quality", headers={"Accept": media_type})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media_type)
        graph = Graph().parse(data=answer.text, format=syntax)
        assert dqv_to_dataset(graph, URIRef(as_json.dataset), metrics=metrics) == as_json
        answer = puente.get("/catalogues/co/quality", headers={"Accept": media_type})
        graph = Graph().parse(data=answer.text, format=syntax)
        rating, values = dqv_to_catalogue_values(graph, URIRef(catalogue_iri))
        assert rating == catalogue_json.rating and values["score"] == catalogue_json.score
        assert {k: values[f"{k}_score"] for k in catalogue_json.dimensions} == {
            k: d.score for k, d in catalogue_json.dimensions.items()}
        assert {k: values[k] for k in catalogue_json.shares} == catalogue_json.shares
        assert values["overdue_share"] == catalogue_json.freshness.overdue_share
    assert puente.get("/catalogues/co/quality?format=ttl").headers["content-type"].startswith("text/turtle")
    assert puente.get("/catalogues/co/quality", headers={"Accept": "image/png"}).status_code == 406


def test_unknown_and_deleted_answer_like_the_dataset(puente: Puente) -> None:
    assert puente.get("/catalogues/co/datasets/zz/quality").status_code == 404
    assert puente.get("/catalogues/zz/quality").status_code == 404
    assert puente.get("/catalogues/zz/datasets/a/quality").status_code == 404
    assert puente.get("/catalogues/co/datasets/a%2Fb/quality").status_code == 400
    assert puente.put_turtle("co", "gone", poor_record("http://127.0.0.1:9").replace("ex:b ", "ex:gone ")
                             .replace('"b"', '"gone"')).status_code == 201
    assert puente.get("/catalogues/co/quality").json()["datasets"] == 3
    deleted = httpx.delete(f"{puente.url}/catalogues/co/datasets/gone", headers=puente.auth("co"), timeout=30)
    assert deleted.status_code == 204
    assert puente.get("/catalogues/co/datasets/gone/quality").status_code == 410
    assert puente.get("/catalogues/co/quality").json()["datasets"] == 2


def test_measurements_are_kept_one_a_day(puente: Puente) -> None:
    service = quality(puente)
    before = puente.get("/catalogues/co/quality/history").json()
    assert [p["day"] for p in before] == ["2026-11-30"]
    puente.clock.days_later(1)   # nothing published: freshness still moves
    refresher = QualityRefresher(service, poll_s=3600, linkcheck_after_publish=False)
    assert "co" in refresher.tick()   # a new day: every catalogue is scored again
    history = puente.get("/catalogues/co/quality/history").json()
    assert [p["day"] for p in history] == ["2026-11-30", "2026-12-01"]
    a = puente.get("/catalogues/co/datasets/a/quality").json()
    assert a["freshness"]["days_overdue"] == 41 and a["checked_at"].startswith("2026-12-01")
    assert [line["days_overdue"] for line in service.store.dataset_history("co", "a")] == [40, 41]
    assert refresher.tick() == []   # same day, nothing written: nothing to do


def test_a_write_is_scored_and_can_start_a_link_check(puente: Puente, links: str) -> None:
    service = quality(puente)
    refresher = QualityRefresher(service, poll_s=3600, linkcheck_after_publish=True)
    refresher.tick()
    runs_before = len(puente.get("/catalogues/co/linkchecks").json())
    better = poor_record(links).replace("dct:publisher ex:hacienda ;", 'dct:publisher ex:hacienda ; '
                                        'dcat:keyword "presupuesto"@es ;')
    assert puente.put_turtle("co", "b", better).status_code == 200
    # the dataset read first: the catalogue's aggregate of the day is computed again all the same
    assert puente.get("/catalogues/co/datasets/b/quality").json()["dimensions"]["findability"]["score"] == 30
    assert puente.get("/catalogues/co/quality").json()["shares"]["keyword"] == 1.0
    assert refresher.tick() == []   # written since the last look: scored once a look finds no new write
    assert refresher.tick() == ["co"]
    assert service.store.dataset("co", "b").quality.dimensions["findability"].indicators["keyword"] == 30  # type: ignore[union-attr]
    runs = puente.get("/catalogues/co/linkchecks").json()
    assert len(runs) == runs_before + 1 and runs[0]["reason"] == "publish"
    wait_for_run(puente, "co", runs[0]["id"])



def test_a_catalogue_written_at_every_look_is_still_scored(puente: Puente, links: str) -> None:
    """Scoring waits for a look with no new write, but not for ever: a catalogue written at every look (a long
    harvest) is scored after MAX_DEFERRED_LOOKS of them."""
    refresher = QualityRefresher(quality(puente), poll_s=3600, linkcheck_after_publish=False)
    refresher.tick()
    for look in range(MAX_DEFERRED_LOOKS + 1):
        keyword = f'dct:publisher ex:hacienda ; dcat:keyword "presupuesto {look}"@es ;'
        assert puente.put_turtle("co", "b", poor_record(links).replace("dct:publisher ex:hacienda ;", keyword)
                                 ).status_code == 200
        assert refresher.tick() == ([] if look < MAX_DEFERRED_LOOKS else ["co"]), look
    assert refresher.tick() == []   # nothing written since


def _publish_during_the_first_batch(running: Puente, service: CatalogueQualityService, links: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Dataset "c" is published right after the scoring's first batch is saved (a publication starting meanwhile)."""
    saved = service.store.save_datasets
    writes = iter([running.put_turtle])
    third = full_record(links).replace("ex:a", "ex:c").replace('identifier "a"', 'identifier "c"')

    def save_then_publish(catalogue: str, batch: list[Any]) -> None:
        saved(catalogue, batch)
        for put in writes:  # once
            assert put("co", "c", third).status_code == 201

    monkeypatch.setattr(service.store, "save_datasets", save_then_publish)


def test_a_look_that_a_write_interrupts_leaves_the_rest_for_the_next_quiet_one(
        tmp_path_factory: pytest.TempPathFactory, links: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring yields to publishing: a write that lands while a look scores stops it between batches; what was
    scored is kept, and the catalogue is scored once the writes pause."""
    monkeypatch.setattr(catalogue_quality, "REFRESH_BATCH", 1)
    with running_puente(tmp_path_factory.mktemp("yielding")) as running:
        service = quality(running)
        refresher = QualityRefresher(service, poll_s=3600, linkcheck_after_publish=False)
        refresher.tick()
        assert running.put_turtle("co", "a", full_record(links)).status_code == 201
        assert running.put_turtle("co", "b", poor_record(links)).status_code == 201
        assert refresher.tick() == []  # written since the last look
        _publish_during_the_first_batch(running, service, links, monkeypatch)
        assert refresher.tick() == []  # stopped after its first batch
        assert len(service.store.stamps("co")) == 1
        assert refresher.tick() == []  # the write it saw: still busy
        assert refresher.tick() == ["co"]  # quiet: everything scored
        assert len(service.store.stamps("co")) == 3


def test_a_look_forced_by_a_long_harvest_scores_everything_even_while_it_writes(
        tmp_path_factory: pytest.TempPathFactory, links: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The look that MAX_DEFERRED_LOOKS busy ones force does not yield to writes: a catalogue written at every
    look is scored all the same."""
    monkeypatch.setattr(catalogue_quality, "REFRESH_BATCH", 1)
    monkeypatch.setattr(refresher_module, "MAX_DEFERRED_LOOKS", 1)
    with running_puente(tmp_path_factory.mktemp("forced")) as running:
        service = quality(running)
        refresher = QualityRefresher(service, poll_s=3600, linkcheck_after_publish=False)
        refresher.tick()
        assert running.put_turtle("co", "a", full_record(links)).status_code == 201
        assert refresher.tick() == []  # the first busy look
        assert running.put_turtle("co", "b", poor_record(links)).status_code == 201
        _publish_during_the_first_batch(running, service, links, monkeypatch)
        assert refresher.tick() == ["co"]  # forced: scored to the end although "c" was written meanwhile
        assert len(service.store.stamps("co")) >= 2


def test_the_dashboard_reads_the_catalogue(puente: Puente) -> None:
    page = puente.get("/dashboard")
    assert page.status_code == 200
    rows: list[dict[str, Any]] = puente.get("/dashboard/data/comparison.json").json()
    assert [r["catalogue"] for r in rows] == ["co", "mx"]   # the catalogues that hold datasets
    assert rows[0]["score"] == puente.get("/catalogues/co/quality").json()["score"]
    trends = puente.get("/dashboard/data/trends.json?catalogue=co").json()
    assert [t["day"] for t in trends] == ["2026-11-30", "2026-12-01"]


def test_the_setting_checks_links_after_publishing(tmp_path_factory: pytest.TempPathFactory, links: str) -> None:
    import time

    with running_puente(tmp_path_factory.mktemp("after-publish"), quality_poll_s=0.1,
                        linkcheck_after_publish=True) as running:
        assert running.get("/catalogues/co/linkchecks").json() == []
        assert running.put_turtle("co", "b", poor_record(links)).status_code == 201
        deadline = time.monotonic() + 60
        runs: list[dict[str, Any]] = []
        while not runs and time.monotonic() < deadline:
            runs = running.get("/catalogues/co/linkchecks").json()
            time.sleep(0.1)
        assert runs and runs[0]["reason"] == "publish"
        run = wait_for_run(running, "co", runs[0]["id"])
        assert run["counts"] == {"reachable": 0, "unreachable": 1, "unchecked": 0}
        quality = running.get("/catalogues/co/datasets/b/quality").json()
        assert quality["dimensions"]["accessibility"]["indicators"]["access_url_reachable"] == 0


def test_the_dashboard_does_not_wait_for_a_refresh_under_way(puente: Puente) -> None:
    service = quality(puente)
    kept = service.store.catalogue("co")
    with service._locks["co"]:   # a long rescoring holds the catalogue (the day's first, on a large one)
        assert service.current("co") == kept


def test_a_refresh_stops_between_batches_when_the_service_stops(tmp_path_factory: pytest.TempPathFactory,
                                                                 links: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stopping service does not wait for a long rescoring: what was scored is kept, the rest comes next time."""
    monkeypatch.setattr(catalogue_quality, "REFRESH_BATCH", 1)
    with running_puente(tmp_path_factory.mktemp("stopping")) as running:
        assert running.put_turtle("co", "a", full_record(links)).status_code == 201
        assert running.put_turtle("co", "b", poor_record(links)).status_code == 201
        service = quality(running)
        stopping = threading.Event()
        stopping.set()
        with pytest.raises(RefreshStopped):
            service.refresh("co", stop=stopping.is_set)
        assert len(service.store.stamps("co")) == 1
        assert service.refresh("co").scored == 1
        assert len(service.store.stamps("co")) == 2



def test_stored_qualities_are_read_in_keyset_pages(puente: Puente) -> None:
    """The aggregate reads a catalogue's stored qualities as a stream of pages (never the whole catalogue at once):
    the pages, however small, hold every dataset once, in id order."""
    store = quality(puente).store
    whole = [stored.id for stored in store.datasets("co")]
    assert len(whole) >= 2 and whole == sorted(whole)
    assert [stored.id for stored in store.datasets("co", chunk=1)] == whole
    assert [stored.id for stored in store.datasets("co", chunk=len(whole))] == whole  # a last page that is full

"""Harvests into the harmonised catalogue (app/harvest/catalogue_sink.py, runs.py), on the loopback fakes: each
source type fills a catalogue, the second run is incremental and all unchanged, a changed record is updated, a
vanished one deleted with a tombstone in the changes feed, a source failing mid-run leaves the catalogue as it was
before the failing page, and a datos.gob.es-style DCAT harvest yields records that conform to DCAT-AP 3.0.1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import FOAF

from app.catalogue.service import CatalogueService
from app.errors import ConflictError, GoneError, InputError, NotFoundError
from app.harvest.catalogue_sink import prepare_here
from app.harvest.registry import HarvestDb, SourceEntry
from app.harvest.runs import HarvestManager
from app.net.client import SafeClient
from app.pipeline.run import Pipeline
from app.settings import Settings
from tests.conftest import official_dcat_ap_shapes
from tests.harvest.conftest import POLICY
from tests.harvest.fakes import (
    CkanPortal,
    DatajsonPortal,
    DcatPortal,
    Fake,
    SocrataPortal,
    arcgis_hub_document,
    ckan_packages,
    datos_gob_es_datasets,
    socrata_views,
)
from tests.loopback import Answer

SEARCH = "/api/3/action/package_search"


@dataclass
class Place:
    service: CatalogueService
    db: HarvestDb
    manager: HarvestManager


def open_place(data_dir: Path, pipeline: Pipeline, fake: Fake | None = None) -> Place:
    settings = Settings(data_dir=data_dir, allow_private_urls=True)
    service = CatalogueService.open(settings, pipeline.profile, sources=set(pipeline.registry.sources))
    db = HarvestDb(data_dir / "harvest.sqlite3")
    routes = {("datos.gob.es", 80): ("127.0.0.1", fake.server.port)} if fake is not None else None
    manager = HarvestManager(service=service, db=db, prepare=prepare_here(pipeline),
                             client=lambda: SafeClient(POLICY, sleep=lambda s: None, connect_to=routes))
    return Place(service, db, manager)


@pytest.fixture()
def place(tmp_path: Path, pipeline: Pipeline) -> Iterator[Place]:
    opened = open_place(tmp_path / "data", pipeline)
    yield opened
    opened.db.close()
    opened.service.close()


def created_once(service: CatalogueService, catalogue: str) -> Counter[str]:
    """Every record the changes feed says was created, each exactly once."""
    found = service.catalogue(catalogue)
    created: Counter[str] = Counter()
    since = None
    while True:
        page = service.changes(found, since=since, limit=1000)
        created.update(c["id"] for c in page["changes"] if c["change"] == "created")
        since = page["next"]
        if not page["more"]:
            break
    assert not created or max(created.values()) == 1, [k for k, v in created.items() if v > 1]
    return created


# (type, catalogue, the fake, its URL, options, datasets it holds, of which refused)
KINDS: dict[str, tuple[str, Any, str, dict[str, Any], int, int]] = {
    "ckan": ("cl", lambda: CkanPortal(ckan_packages(60)), "", {"rows": 10}, 60, 0),
    "socrata": ("co", lambda: SocrataPortal(socrata_views(30)), "", {"rows": 10, "domain": "datos.example.gov"}, 30, 1),
    "datajson": ("mx", lambda: DatajsonPortal(arcgis_hub_document(extra=16)), "/data.json", {}, 20, 0),
    "dcat": ("es", lambda: DcatPortal(datos_gob_es_datasets(25), per_page=10), "/catalogo.ttl?page=1",
             {"format": "es"}, 25, 0),
}


def remove(portal: Any, source_id: str) -> None:
    """Take one dataset (by the id the harvest knows it by) off a fake portal."""
    if isinstance(portal, CkanPortal):
        portal.remove(source_id)
    elif isinstance(portal, SocrataPortal):
        portal.remove(source_id)
    elif isinstance(portal, DcatPortal):
        portal.remove(source_id)
    else:
        document = dict(portal.document)
        document["dataset"] = [d for d in document["dataset"] if d["identifier"] != source_id]
        assert len(document["dataset"]) == len(portal.document["dataset"]) - 1
        portal.change(document)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_source_type_fills_a_catalogue_then_runs_incrementally(tmp_path: Path, pipeline: Pipeline,
                                                                    kind: str) -> None:
    catalogue, make, path, options, total, refused = KINDS[kind]
    with make() as portal:
        place = open_place(tmp_path / "data", pipeline, portal)
        try:
            entry = place.manager.register(SourceEntry(id=f"{kind}-1", catalogue=catalogue, type=kind,
                                                       url=portal.url + path, options=options))
            first = place.manager.run_now(entry)
            assert first["status"] == "done", first["errors"]
            assert first["counts"]["created"] == total - refused and first["counts"]["refused"] == refused
            assert first["counts"]["errors"] == 0 and first["requests"] == len(portal.requests)
            assert place.service.count(catalogue) == (total - refused, 0)
            assert len(created_once(place.service, catalogue)) == total - refused
            if refused:
                assert all(r["url"] and r["violations"] for r in first["refusals"])
            feed = place.service.changes(place.service.catalogue(catalogue), since=None, limit=1000)

            before = len(portal.requests)
            second = place.manager.run_now(entry)
            made = len(portal.requests) - before
            assert second["status"] == "done" and second["requests"] == made
            assert second["counts"] == {"created": 0, "updated": 0, "unchanged": total - refused, "deleted": 0,
                                        "refused": refused, "errors": 0}
            if kind == "datajson":  # one file: the second run's conditional GET is answered 304, no body
                assert made == 1 and portal.requests[-1].headers.get("if-none-match")
            else:
                assert made * 2 <= first["requests"], (made, first["requests"])
            assert place.service.changes(place.service.catalogue(catalogue), since=None, limit=1000) == feed
            runs = place.manager.runs(catalogue)
            assert [r["id"] for r in runs] == [second["id"], first["id"]]
            assert place.manager.run(catalogue, first["id"])["counts"] == first["counts"]

            # a dataset vanishes from the portal: the next complete listing deletes it, with a tombstone
            vanished = sorted(place.db.record_hashes(entry.id))[-1]
            record = place.db.record_hashes(entry.id)[vanished][0]
            remove(portal, vanished)
            third = place.manager.run_now(entry, full=True)
            assert third["status"] == "done" and third["counts"]["deleted"] == 1, third
            assert place.service.count(catalogue) == (total - refused - 1, 1)
            with pytest.raises(GoneError):
                place.service.entry(catalogue, record)
            last = place.service.changes(place.service.catalogue(catalogue), since=None, limit=1000)["changes"][-1]
            assert (last["id"], last["change"]) == (record, "deleted")
        finally:
            place.db.close()
            place.service.close()


def test_a_changed_record_is_updated_and_a_vanished_one_deleted_with_a_tombstone(place: Place) -> None:
    with CkanPortal(ckan_packages(30)) as portal:
        entry = place.manager.register(SourceEntry(id="cl-ckan", catalogue="cl", type="ckan", url=portal.url,
                                                   options={"rows": 10}))
        assert place.manager.run_now(entry)["counts"]["created"] == 30
        records = place.db.record_hashes("cl-ckan")
        changed, gone = records["dataset-00004"][0], records["dataset-00007"][0]
        portal.touch("dataset-00004", title="Un título nuevo")
        portal.remove("dataset-00007")

        run = place.manager.run_now(entry)
        assert run["status"] == "done", run["errors"]
        assert run["counts"] == {"created": 0, "updated": 1, "unchanged": 28, "deleted": 1, "refused": 0, "errors": 0}
        assert place.service.count("cl") == (29, 1)
        assert "Un título nuevo" in place.service.entry("cl", changed).row.title
        with pytest.raises(GoneError):
            place.service.entry("cl", gone)
        feed = place.service.changes(place.service.catalogue("cl"), since=None, limit=1000)["changes"]
        assert [(c["id"], c["change"]) for c in feed[-2:]] == [(changed, "updated"), (gone, "deleted")]
        assert "dataset-00007" not in place.db.record_hashes("cl-ckan")


def fail_after(portal: CkanPortal, pages: int) -> Any:
    """A progress callback that makes the portal fail (500, more times than the client retries) once `pages`
    pages of the run are stored."""

    def progress(run: Any) -> None:
        if run.progress.pages == pages and run.status.value == "running":
            for path in (SEARCH, "/api/3/action/package_list"):
                portal.fail(path, *([Answer(500, b"down")] * 3))

    return progress


def test_a_source_failing_mid_run_leaves_the_catalogue_as_before_that_page(place: Place) -> None:
    with CkanPortal(ckan_packages(60)) as portal:
        entry = place.manager.register(SourceEntry(id="cl-ckan", catalogue="cl", type="ckan", url=portal.url,
                                                   options={"rows": 10}))
        failing = place.manager.run_now(entry, on_progress=fail_after(portal, 2))
        assert failing["status"] == "failed"
        assert failing["errors"][-1]["url"].startswith(portal.url + "/api/3/action/")
        # pages 1 and 2 (20 records) are in; nothing of page 3 and nothing deleted
        assert place.service.count("cl") == (20, 0) and failing["counts"]["created"] == 20
        assert failing["counts"]["deleted"] == 0
        portal.faults.clear()

        resumed = place.manager.run_now(entry)
        assert resumed["status"] == "done" and resumed["resumed"] is True
        assert resumed["counts"]["created"] == 40
        assert len(created_once(place.service, "cl")) == 60 and place.service.count("cl") == (60, 0)

        # a run that fails after a dataset vanished deletes nothing (deletions only after a complete listing)
        portal.remove("dataset-00001")
        broken = place.manager.run_now(entry, full=True, on_progress=fail_after(portal, 1))
        assert broken["status"] == "failed"
        assert broken["counts"]["deleted"] == 0 and place.service.count("cl") == (60, 0)
        portal.faults.clear()
        healed = place.manager.run_now(entry, full=True)
        assert healed["counts"]["deleted"] == 1 and place.service.count("cl") == (59, 1)


def test_refused_records_leave_the_stored_version(place: Place) -> None:
    with CkanPortal(ckan_packages(12)) as portal:
        entry = place.manager.register(SourceEntry(id="cl-ckan", catalogue="cl", type="ckan", url=portal.url))
        place.manager.run_now(entry)
        record = place.db.record_hashes("cl-ckan")["dataset-00002"][0]
        portal.touch("dataset-00002", notes="")  # no description any more: a violation
        run = place.manager.run_now(entry)
        assert run["counts"]["refused"] == 1 and run["counts"]["updated"] == 0
        refusal = run["refusals"][0]
        assert refusal["id"] == "dataset-00002" and refusal["violations"] >= 1 and refusal["message"]
        assert place.service.entry("cl", record).row.status == "active"


def test_datos_gob_es_records_have_named_publishers_and_conform_to_dcat_ap(tmp_path: Path,
                                                                           pipeline: Pipeline) -> None:
    with DcatPortal(datos_gob_es_datasets(25), per_page=10) as portal:
        place = open_place(tmp_path / "data", pipeline, portal)
        try:
            entry = place.manager.register(SourceEntry(id="es-dcat", catalogue="es", type="dcat",
                                                       url=portal.page_url(1), options={"format": "es"}))
            run = place.manager.run_now(entry)
            assert run["status"] == "done" and run["counts"]["created"] == 25, run
            catalogue = place.service.catalogue("es")
            lines: list[str] = []
            keys: set[str] = set()
            for entries in place.service.export_rows("es"):
                for stored in entries:
                    lines += stored.lines
                    keys.update(stored.keys)
            lines += place.service.knowledge.lines(sorted(keys)) + place.service.catalogue_lines(catalogue)
            graph = Graph().parse(data="\n".join(dict.fromkeys(lines)), format="nt")
        finally:
            place.db.close()
            place.service.close()
    publishers = set(graph.objects(None, DCT.publisher))
    assert URIRef("http://datos.gob.es/recurso/sector-publico/org/Organismo/L01280796") in publishers
    for publisher in publishers:
        assert graph.value(publisher, FOAF.name) is not None, publisher
    conforms, _, report = pyshacl.validate(graph, shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, report


def test_one_run_per_source_and_unknown_sources_and_runs(place: Place) -> None:
    with CkanPortal(ckan_packages(3)) as portal:
        entry = place.manager.register(SourceEntry(id="cl-ckan", catalogue="cl", type="ckan", url=portal.url))
        release = portal.hold(SEARCH, 1)
        started = place.manager.start("cl", "cl-ckan")
        assert started["status"] == "queued" and started["source"]["id"] == "cl-ckan"
        assert portal.arrived(SEARCH, 1).wait(timeout=60)
        assert place.manager.run("cl", started["id"])["status"] == "running"
        with pytest.raises(ConflictError):
            place.manager.start("cl", "cl-ckan")
        release.set()
        place.manager.close()
        done = place.manager.run("cl", started["id"])
        assert done["status"] == "done" and done["counts"]["created"] == 3 and done["finished_at"]
    with pytest.raises(NotFoundError):
        place.manager.start("co", entry.id)  # a source of another catalogue
    with pytest.raises(NotFoundError):
        place.manager.run("co", started["id"])


def test_a_run_a_dead_process_left_running_is_marked_interrupted(tmp_path: Path, pipeline: Pipeline) -> None:
    first = open_place(tmp_path / "data", pipeline)
    first.db.save_run({"id": "r1", "source": {"id": "s", "type": "ckan", "url": "http://x.example/"},
                       "catalogue": "cl", "status": "running", "created_at": "2026-01-01T00:00:00Z",
                       "counts": {"errors": 0}, "errors": []})
    first.db.close()
    first.service.close()
    again = open_place(tmp_path / "data", pipeline)
    try:
        assert again.manager.interrupted == 1
        run = again.manager.run("cl", "r1")
        assert run["status"] == "failed" and run["interrupted"] is True
        assert run["errors"][-1]["kind"] == "interrupted" and run["counts"]["errors"] == 1
    finally:
        again.db.close()
        again.service.close()


def test_a_record_deleted_by_hand_in_the_catalogue_comes_back_with_the_next_run(place: Place) -> None:
    with CkanPortal(ckan_packages(12)) as portal:
        entry = place.manager.register(SourceEntry(id="cl-ckan", catalogue="cl", type="ckan", url=portal.url))
        place.manager.run_now(entry)
        record = place.db.record_hashes("cl-ckan")["dataset-00003"][0]
        place.service.delete(place.service.catalogue("cl"), record, who="someone")
        run = place.manager.run_now(entry)
        assert run["counts"]["created"] == 1 and run["counts"]["unchanged"] == 11, run
        assert place.service.entry("cl", record).row.status == "active"


@pytest.mark.parametrize("change,field", [
    ({"type": "gopher"}, "type"), ({"url": "ftp://portal.example/"}, "url"), ({"schedule": "0 25 * * *"}, "schedule"),
    ({"rate_limit": 0.0}, "rate_limit"), ({"options": {"rows": True}}, "options"),
    ({"options": {"modified_since": "yes"}}, "options"), ({"options": {"overlap_s": -5}}, "options"),
    ({"options": {"domain": ""}}, "options"), ({"options": {"colour": "red"}}, "options")])
def test_a_source_that_cannot_run_is_refused_naming_the_field(place: Place, change: dict[str, Any],
                                                              field: str) -> None:
    fields: dict[str, Any] = {"id": "x", "catalogue": "cl", "type": "ckan", "url": "https://portal.example/",
                              **change}
    with pytest.raises(InputError) as refused:
        place.manager.register(SourceEntry(**fields))
    assert refused.value.field == field
    assert place.db.sources() == []
    with pytest.raises(NotFoundError):
        place.manager.register(SourceEntry(id="y", catalogue="zz", type="ckan", url="https://portal.example/"))


def test_the_service_wiring_ticks_scheduled_sources_into_runs(tmp_path: Path, pipeline: Pipeline) -> None:
    """start_harvests (what the lifespan calls): with PUENTE_HARVEST_SCHEDULER the scheduler exists, and its tick
    (a fixed clock) starts a real run of a due source, prepared through the runner, like the service does."""
    import asyncio
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from app.harvest.service import start_harvests, stop_harvests

    class Runner:
        workers = 1

        def run_blocking(self, function: Any, *arguments: Any) -> Any:
            return function(pipeline, *arguments)

    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, harvest_scheduler=True,
                        http_per_host_rate=0)
    service = CatalogueService.open(settings, pipeline.profile, sources=set(pipeline.registry.sources))
    state = SimpleNamespace(catalogue=service, runner=Runner(), pipeline=pipeline)
    clock = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)

    async def scenario(url: str) -> dict[str, Any]:
        start_harvests(state, settings, clock=lambda: clock)
        try:
            manager = state.harvests
            manager.register(SourceEntry(id="nightly", catalogue="cl", type="ckan", url=url, schedule="0 3 * * *"))
            assert state.harvest_scheduler.tick(clock) == []
            assert state.harvest_scheduler.tick(datetime(2026, 3, 1, 3, 0, tzinfo=UTC)) == ["nightly"]
            manager.close()  # waits for the run
            [run] = manager.runs("cl")
            return dict(run)
        finally:
            stop_harvests(state)

    try:
        with CkanPortal(ckan_packages(5)) as portal:
            run = asyncio.run(scenario(portal.url))
    finally:
        service.close()
    assert run["status"] == "done" and run["counts"]["created"] == 5 and run["started_by"] == "scheduler"


def test_harvest_yaml_registers_its_sources_and_a_broken_one_stops_the_start(tmp_path: Path,
                                                                            pipeline: Pipeline) -> None:
    from app.errors import ConfigurationError
    from app.harvest.runs import open_manager

    listing = tmp_path / "harvest.yaml"
    listing.write_text("- catalogue: cl\n  type: ckan\n  url: https://datos.gob.cl\n  schedule: '0 3 * * *'\n"
                       "  rate_limit: 2\n- id: es-dcat\n  catalogue: es\n  type: dcat\n"
                       "  url: https://datos.gob.es/apidata/catalog/dataset.ttl\n  options: {format: es}\n",
                       encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", harvest_file=listing)
    service = CatalogueService.open(settings, pipeline.profile, sources=set(pipeline.registry.sources))
    try:
        manager = open_manager(settings, service, prepare=prepare_here(pipeline),
                               formats=set(pipeline.registry.sources))
        found = {(s.catalogue, s.type, s.schedule, s.rate_limit, s.origin) for s in manager.db.sources()}
        assert found == {("cl", "ckan", "0 3 * * *", 2.0, "file"), ("es", "dcat", None, None, "file")}
        assert manager.source("es-dcat").options == {"format": "es"}
        manager.db.close()
        for broken, says in (("- catalogue: cl\n  type: ckan\n", "url"), ("catalogue: cl\n", "list"),
                             ("- {catalogue: cl, type: ckan, url: 'https://x.example', colour: red}\n", "colour"),
                             ("- {catalogue: cl, type: ckan, url: 'https://x.example', schedule: 'soon'}\n",
                              "schedule"), ("- [unclosed\n", "harvest.yaml")):
            listing.write_text(broken, encoding="utf-8")
            with pytest.raises(ConfigurationError) as stopped:
                open_manager(settings, service, prepare=prepare_here(pipeline))
            assert says in stopped.value.detail["en"], stopped.value.detail
    finally:
        service.close()

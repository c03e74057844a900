"""DCAT harvests against a loopback datos.gob.es-style endpoint: Hydra pages (both vocabularies), loops,
modified_since, and DIR3 publishers whose names come from dereferencing their IRIs."""

from __future__ import annotations

from collections.abc import Iterator

import pyshacl
import pytest

from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunStatus
from app.harvest.sink import MemorySink
from app.harvest.source import HarvestSource
from app.harvest.state import MemoryStateStore
from app.i18n import render
from app.net.client import SafeClient
from app.pipeline.enrichment import for_publication
from app.pipeline.run import Pipeline
from tests.conftest import official_dcat_ap_shapes
from tests.harvest.conftest import POLICY
from tests.harvest.fakes import DIR3, DcatPortal, datos_gob_es_datasets
from tests.loopback import Answer

ORGANISMO = "/recurso/sector-publico/org/Organismo/"


@pytest.fixture()
def portal() -> Iterator[DcatPortal]:
    with DcatPortal(datos_gob_es_datasets(25), per_page=10) as fake:
        yield fake


def routed_client(portal: DcatPortal) -> SafeClient:
    """datos.gob.es (where the DIR3 IRIs point) is routed to the fake, as a test must: no network."""
    routes = {("datos.gob.es", 80): ("127.0.0.1", portal.server.port)}
    return SafeClient(POLICY, sleep=lambda s: None, connect_to=routes)


class Harvest:
    def __init__(self, portal: DcatPortal, pipeline: Pipeline | None, **options: object) -> None:
        self.source = HarvestSource(type="dcat", url=portal.page_url(1), record_format="es", **options)  # type: ignore[arg-type]
        self.sink, self.store, self.client = MemorySink(pipeline), MemoryStateStore(), routed_client(portal)

    def run(self, *, full: bool = False) -> HarvestRun:
        return harvest(self.source, sink=self.sink, client=self.client, store=self.store, full=full)


def lookups(portal: DcatPortal) -> list[str]:
    return [r.path for r in portal.requests if r.path.startswith(ORGANISMO)]


def test_publishers_given_by_iri_are_named_and_the_records_conform(portal: DcatPortal, pipeline: Pipeline) -> None:
    job = Harvest(portal, pipeline)
    run = job.run()
    assert run.status is RunStatus.DONE, run.to_json(lang="en")
    assert (run.counts.created, run.counts.refused, run.counts.errors) == (25, 0, 0)
    assert run.progress.pages == 3
    assert sorted(lookups(portal)) == sorted(ORGANISMO + code for code in
                                             ("L01280796", "L01080193", "A13002908", "E05024401"))  # once each
    madrid = next(i for i in job.sink.records.values() if "l01280796" in i.source_id)
    assert madrid.publishers == {DIR3 + "L01280796": "Ayuntamiento de Madrid"}
    assert f'<{DIR3}L01280796> <http://xmlns.com/foaf/0.1/name> "Ayuntamiento de Madrid"@es .'.encode() in madrid.body
    assert madrid.media_type == "application/n-triples" and madrid.source_format == "es"
    assert run.requests == 3 + 4


def test_the_harvested_record_conforms_to_dcat_ap_3(portal: DcatPortal, pipeline: Pipeline) -> None:
    """Done when: a datos.gob.es-style DCAT harvest yields records whose publishers have names and which conform
    to DCAT-AP 3.0.1 (the official shapes, on the record as Puente publishes it)."""
    job = Harvest(portal, pipeline)
    job.run()
    item = job.sink.records[next(iter(sorted(job.sink.records)))]
    mapped, _, _ = pipeline.read(item.body, media_type=item.media_type, source=item.source_format)
    emitted = for_publication(mapped.graph, profile=pipeline.profile)
    conforms, _, report = pyshacl.validate(emitted, shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, report


def test_without_the_lookup_the_records_are_refused(portal: DcatPortal, pipeline: Pipeline) -> None:
    """The control: the same records, publishers unnamed, have a violation (the body has no name)."""
    job = Harvest(portal, pipeline, lookup_publishers=False)
    run = job.run()
    assert run.counts.refused == 25 and run.counts.created == 0
    assert lookups(portal) == []
    assert "name" in (run.refusals[0].message or {}).get("en", "")


def test_old_hydra_vocabulary_with_literal_next_pages(pipeline: Pipeline) -> None:
    with DcatPortal(datos_gob_es_datasets(25), per_page=10, vocabulary="old") as portal:
        run = Harvest(portal, pipeline).run()
        assert run.status is RunStatus.DONE and run.counts.created == 25 and run.progress.pages == 3
        with routed_client(portal) as http:
            page = http.fetch(portal.page_url(1)).body
        assert b"hydra:PagedCollection" in page and b'hydra:nextPage "' in page and b"hydra:next " not in page


def test_second_run_unchanged_without_lookups_then_changes_and_deletions(portal: DcatPortal) -> None:
    job = Harvest(portal, None)
    job.run()
    before = len(portal.requests)
    second = job.run()
    assert second.counts.unchanged == 25 and second.counts.created == second.counts.updated == 0
    assert len(portal.requests) - before == 3  # the pages only: no publisher is looked up for unchanged records

    changed = sorted(portal.datasets)[3]
    portal.change(changed, "deporte escolar", "deporte en la escuela")
    portal.remove(sorted(portal.datasets)[7])
    third = job.run()
    assert (third.counts.updated, third.counts.deleted, third.counts.unchanged) == (1, 1, 23)
    assert b"deporte en la escuela" in job.sink.records[changed].body


def test_a_next_link_that_loops_back_stops_the_run(portal: DcatPortal) -> None:
    job = Harvest(portal, None)
    job.run()
    portal.remove(sorted(portal.datasets)[0])
    portal.loop_at = 2
    run = job.run()
    assert run.status is RunStatus.FAILED and run.counts.deleted == 0
    assert [r.param("page") for r in portal.requests if r.path == "/catalogo.ttl"][-2:] == ["1", "2"]
    message = render(run.errors[0].message, "en")
    assert "already read" in message and "page=1" in message
    assert "ya se leyó" in render(run.errors[0].message, "es")


def test_a_page_repeating_another_stops_the_run(portal: DcatPortal) -> None:
    """An endpoint that ignores the page parameter answers page 1 again and again: caught by content."""
    portal.ignore_page = True
    run = Harvest(portal, None).run()
    assert run.status is RunStatus.FAILED
    assert len([r for r in portal.requests if r.path == "/catalogo.ttl"]) == 2
    assert "repeats the content" in render(run.errors[0].message, "en")


def test_modified_since_incremental_runs_and_periodic_full_ones(portal: DcatPortal) -> None:
    job = Harvest(portal, None, modified_since=True, full_every=3, overlap_s=60)
    job.run()
    newest = max(portal.datasets)  # sintetico-00024: the newest dct:modified
    portal.change(newest, "deporte escolar", "deporte base")
    portal.remove(sorted(portal.datasets)[5])
    before = len(portal.requests)
    incremental = job.run()
    asked = portal.requests[before]
    assert asked.param("modified_since") == "2024-04-16T00:23:00Z"  # newest (00:24) minus the 60 s overlap
    assert [r.path for r in portal.requests[before:]] == ["/catalogo.ttl", ORGANISMO + "L01280796"]  # one page

    assert incremental.counts.updated == 1 and incremental.counts.deleted == 0  # not a complete listing
    assert incremental.counts.unchanged == 24
    second_incremental = job.run()
    assert second_incremental.counts.deleted == 0
    full = job.run()  # every third run lists everything
    assert full.counts.deleted == 1


def test_a_publisher_that_cannot_be_dereferenced(portal: DcatPortal, pipeline: Pipeline) -> None:
    del portal.publishers["A13002908"]
    run = Harvest(portal, pipeline).run()
    problems = [e for e in run.errors if e.kind == "publisher"]
    assert len(problems) == 1 and problems[0].url == DIR3 + "A13002908"  # reported once, however many records
    assert "404" in render(problems[0].message, "en")
    assert run.counts.refused == len([i for i in portal.datasets.values() if "A13002908" in i])
    assert run.status is RunStatus.DONE


def test_a_truncated_page_is_retried_and_a_page_that_is_not_rdf_fails(portal: DcatPortal) -> None:
    portal.fail("/catalogo.ttl", Answer(200, b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<x> a " + b" " * 500,
                                        {"Content-Type": "text/turtle"}, truncate_at=60))
    job = Harvest(portal, None)
    assert job.run().counts.created == 25

    portal.fail("/catalogo.ttl", Answer(200, b"<!DOCTYPE html><html><body>Mantenimiento</body></html>",
                                        {"Content-Type": "text/html"}))
    failed = Harvest(portal, None).run()
    assert failed.status is RunStatus.FAILED
    assert portal.page_url(1) in (failed.errors[0].url or "")


def test_publisher_iris_are_not_fetched_from_private_addresses(portal: DcatPortal, pipeline: Pipeline) -> None:
    """The look-up goes through the same SSRF rules: with private addresses refused and no route, the
    loopback publisher IRI of this page is refused, reported, and the harvest goes on."""
    from app.net.client import HttpPolicy

    datasets = datos_gob_es_datasets(3)
    local = {iri: block.replace(DIR3, "http://127.0.0.1:9/org/") for iri, block in datasets.items()}
    with DcatPortal(local, per_page=10) as fake:
        strict = SafeClient(HttpPolicy(allow_private=False, per_host_rate=0),
                            connect_to={("catalogo.example", 80): ("127.0.0.1", fake.server.port)})
        source = HarvestSource(type="dcat", url="http://catalogo.example/catalogo.ttl?page=1", record_format="es")
        run = harvest(source, sink=MemorySink(pipeline), client=strict, store=MemoryStateStore())
    assert run.status is RunStatus.DONE and run.counts.refused == 3
    assert any("loopback" in render(e.message, "en") for e in run.errors if e.kind == "publisher")

"""data.json harvests against a loopback file server: conditional GET, content hashes, ArcGIS Hub and ADELA."""

from __future__ import annotations

import copy

from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunStatus
from app.harvest.sink import MemorySink
from app.harvest.source import HarvestSource
from app.harvest.state import MemoryStateStore
from app.i18n import render
from app.net.client import SafeClient
from app.pipeline.run import Pipeline
from tests.harvest.fakes import POD_CONTEXT, DatajsonPortal, arcgis_hub_document, fixture
from tests.loopback import Answer


class Harvest:
    def __init__(self, portal: DatajsonPortal, client: SafeClient, pipeline: Pipeline | None = None,
                 **options: object) -> None:
        self.source = HarvestSource(type="datajson", url=portal.url + portal.path, **options)  # type: ignore[arg-type]
        self.sink, self.store, self.client = MemorySink(pipeline), MemoryStateStore(), client

    def run(self, *, full: bool = False) -> HarvestRun:
        return harvest(self.source, sink=self.sink, client=self.client, store=self.store, full=full)


def test_an_arcgis_hub_data_json_with_context_then_304(client: SafeClient, pipeline: Pipeline) -> None:
    """ArcGIS Hub (and Socrata, ckanext-datajson) start their data.json with "@context": it is still read as
    data.json, dataset by dataset."""
    document = arcgis_hub_document(extra=6)
    assert document["@context"] == POD_CONTEXT
    with DatajsonPortal(document) as portal:
        job = Harvest(portal, client, pipeline)
        first = job.run()
        assert first.status is RunStatus.DONE, first.to_json(lang="en")
        assert first.counts.created == 10 and first.counts.refused == 0
        assert job.sink.records["http://dx.doi.org/10.7927/H45X26V8"].source_format == "datajson"

        second = job.run()
        assert second.requests == 1 and portal.requests[-1].headers.get("if-none-match")
        assert second.counts.unchanged == 10 and second.counts.created == second.counts.updated == 0
        assert any("304" in render(n, "en") for n in second.notes)


def test_content_hashes_decide_what_changed(client: SafeClient) -> None:
    document = arcgis_hub_document(extra=6)
    with DatajsonPortal(document) as portal:
        job = Harvest(portal, client)
        job.run()
        changed = copy.deepcopy(document)
        for entry in changed["dataset"]:
            entry["modified"] = "2030-01-01"  # bumped every day by some portals: not a change on its own
        changed["dataset"][2]["title"] = "Título nuevo"
        removed = changed["dataset"].pop(5)["identifier"]
        portal.change(changed)
        run = job.run()
        assert (run.counts.updated, run.counts.deleted, run.counts.unchanged) == (1, 1, 8)
        assert removed not in job.sink.records


def test_a_full_run_ignores_the_etag(client: SafeClient) -> None:
    with DatajsonPortal(arcgis_hub_document()) as portal:
        job = Harvest(portal, client)
        job.run()
        run = job.run(full=True)
        assert "if-none-match" not in portal.requests[-1].headers
        assert run.counts.unchanged == 4


def test_adela_catalogo_json_read_with_mexican_conventions(client: SafeClient, pipeline: Pipeline) -> None:
    with DatajsonPortal(fixture("adela_catalogo.json"), path="/secretaria-de-salud/catalogo.json") as portal:
        job = Harvest(portal, client, pipeline, record_format="mx")
        run = job.run()
        assert run.counts.created == 2, run.to_json(lang="en")
        assert sorted(job.sink.records) == ["egresos-hospitalarios", "recursos-en-salud"]


def test_duplicate_and_missing_identifiers_are_reported(client: SafeClient) -> None:
    document = arcgis_hub_document()
    document["dataset"].append(copy.deepcopy(document["dataset"][0]))
    document["dataset"].append({"title": "Sin identificador"})
    with DatajsonPortal(document) as portal:
        run = Harvest(portal, client).run()
        assert run.counts.created == 4 and run.counts.errors == 2
        messages = [render(e.message, "en") for e in run.errors]
        assert any("more than once" in m for m in messages) and any("no. 5" in m for m in messages)


def test_a_truncated_document_fails_and_deletes_nothing(client: SafeClient) -> None:
    with DatajsonPortal(arcgis_hub_document()) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.change({"dataset": []})
        portal.fail("/data.json", *[Answer(200, b'{"dataset": [' + b" " * 100, truncate_at=20)] * 3)
        failed = job.run(full=True)
        assert failed.status is RunStatus.FAILED and len(job.sink.records) == 4
        assert failed.requests == 3  # tried and retried twice


def test_a_document_that_suddenly_lists_nothing_deletes_nothing(client: SafeClient) -> None:
    with DatajsonPortal(arcgis_hub_document()) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.change({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": []})
        run = job.run()
        assert run.status is RunStatus.DONE and run.counts.deleted == 0 and len(job.sink.records) == 4
        assert any("4" in render(n, "en") for n in run.notes)


def test_not_a_data_json(client: SafeClient) -> None:
    with DatajsonPortal({"results": []}) as portal:
        run = Harvest(portal, client).run()
        assert run.status is RunStatus.FAILED
        assert "data.json" in render(run.errors[0].message, "en")


def test_a_server_that_never_answers_fails_the_run_on_its_timeout() -> None:
    """The slow-server fault: a socket that accepts and never answers; the client's read timeout fires (no
    timed assertion: the server would wait forever)."""
    from app.harvest.state import MemoryStateStore
    from app.net.client import HttpPolicy
    from tests.loopback import Silent

    silent = Silent()
    try:
        policy = HttpPolicy(allow_private=True, per_host_rate=0, retries=1, backoff_s=0, read_timeout_s=0.3)
        with SafeClient(policy) as client:
            source = HarvestSource(type="datajson", url=silent.url + "/data.json")
            run = harvest(source, sink=MemorySink(), client=client, store=MemoryStateStore())
        assert run.status is RunStatus.FAILED and run.requests == 2
        assert run.errors[0].url == silent.url + "/data.json"
        assert "did not answer in time" in render(run.errors[0].message, "en")
        assert "no respondió a tiempo" in render(run.errors[0].message, "es")
    finally:
        silent.close()

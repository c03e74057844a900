"""Socrata harvests against a loopback portal: Discovery API with scroll_id, views fetched only when changed."""

from __future__ import annotations

import orjson

from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunStatus
from app.harvest.sink import MemorySink
from app.harvest.source import HarvestSource
from app.harvest.state import MemoryStateStore
from app.i18n import render
from app.net.client import SafeClient
from app.pipeline.run import Pipeline
from tests.harvest.fakes import SocrataPortal, fixture, socrata_views
from tests.loopback import Answer

DISCOVERY = "/api/catalog/v1"


class Harvest:
    def __init__(self, portal: SocrataPortal, client: SafeClient, pipeline: Pipeline | None = None,
                 **options: object) -> None:
        self.source = HarvestSource(type="socrata", url=portal.url, domain=portal.domain,
                                    rows=options.pop("rows", 10), **options)  # type: ignore[arg-type]
        self.sink, self.store, self.client = MemorySink(pipeline), MemoryStateStore(), client

    def run(self, *, full: bool = False) -> HarvestRun:
        return harvest(self.source, sink=self.sink, client=self.client, store=self.store, full=full)


def views_fetched(portal: SocrataPortal, since: int = 0) -> list[str]:
    return [r.path.split("/")[-1][:-5] for r in portal.requests[since:] if r.path.startswith("/api/views/")]


def test_first_run_then_nothing_but_the_listing(client: SafeClient, pipeline: Pipeline) -> None:
    with SocrataPortal(socrata_views(25)) as portal:
        job = Harvest(portal, client, pipeline)
        first = job.run()
        assert first.status is RunStatus.DONE, first.to_json(lang="en")
        # the real soda.demo view 2646-ez2p has no description: refused
        assert (first.counts.created, first.counts.refused) == (24, 1)
        assert first.refusals[0].source_id == "2646-ez2p"
        assert len(views_fetched(portal)) == 25 and first.requests == 3 + 25
        scrolls = [r.param("scroll_id") for r in portal.requests if r.path == DISCOVERY]
        assert scrolls[0] == "" and all(s for s in scrolls[1:])  # deep paging by the last id, never by offset
        assert not any(r.param("offset") for r in portal.requests if r.path == DISCOVERY)
        assert all(r.param("domains") == portal.domain for r in portal.requests if r.path == DISCOVERY)

        before = len(portal.requests)
        second = job.run()
        assert second.requests == 3 and views_fetched(portal, before) == []
        assert (second.counts.unchanged, second.counts.refused, second.counts.created) == (24, 1, 0)


def test_a_changed_view_is_fetched_again_a_removed_one_deleted(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(25)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.touch("v003-0003", description="Nueva descripción")
        portal.remove("v010-0010")
        before = len(portal.requests)
        run = job.run()
        assert views_fetched(portal, before) == ["v003-0003"]
        assert (run.counts.updated, run.counts.deleted, run.counts.unchanged) == (1, 1, 23)
        assert orjson.loads(job.sink.records["v003-0003"].body)["description"] == "Nueva descripción"


def test_the_data_date_comes_from_rows_updated_at(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(3)) as portal:
        job = Harvest(portal, client)
        job.run()
        item = job.sink.records["v000-0000"]
        assert item.data_modified == "2023-11-14T22:13:20Z"  # rowsUpdatedAt 1,700,000,000
        assert item.modified == "2023-11-14T22:13:20.000Z"   # Discovery's metadata_updated_at


def test_view_counters_are_not_a_change(client: SafeClient) -> None:
    """A full run fetches every view again; views whose only difference is their counters are unchanged."""
    with SocrataPortal(socrata_views(3)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.views["v001-0001"].update(viewCount=99999, downloadCount=5, indexUpdatedAt=1_800_000_000)
        before = len(portal.requests)
        run = job.run(full=True)
        assert len(views_fetched(portal, before)) == 3
        assert run.counts.unchanged == 3 and run.counts.updated == 0


def test_colombian_custom_fields_come_from_the_view(client: SafeClient, pipeline: Pipeline) -> None:
    """Discovery results carry no custom fields; datos.gov.co keeps the entity, frequency and language there,
    so the view is what Puente reads (with Colombia's conventions)."""
    view = fixture("socrata_view_co_etwv-wj8f.json")
    with SocrataPortal([view], domain="www.datos.gov.co") as portal:
        job = Harvest(portal, client, pipeline, record_format="co")
        run = job.run()
        assert run.counts.created == 1, run.to_json(lang="en")
        assert "Información de la Entidad" in orjson.loads(job.sink.records["etwv-wj8f"].body)["metadata"][
            "custom_fields"]


def test_a_view_that_cannot_be_fetched(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(12)) as portal:
        portal.fail("/api/views/v004-0004.json", *[Answer(404, b"{}")])
        job = Harvest(portal, client)
        run = job.run()
        assert run.status is RunStatus.DONE and run.counts.created == 11 and run.counts.errors == 1
        assert run.errors[0].source_id == "v004-0004" and "404" in render(run.errors[0].message, "en")
        again = job.run()  # its mark was not kept: fetched again, now it answers
        assert again.counts.created == 1 and "v004-0004" in job.sink.records


def test_429_on_the_listing_is_waited_for(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(5)) as portal:
        portal.fail(DISCOVERY, Answer(429, b"", {"Retry-After": "2"}))
        run = Harvest(portal, client).run()
        assert run.status is RunStatus.DONE and run.counts.created == 5
        assert [r.path for r in portal.requests].count(DISCOVERY) == 2


def test_a_discovery_api_that_ignores_scroll_id_fails_the_run(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(25)) as portal:
        original = portal.route

        def no_scroll(request):  # type: ignore[no-untyped-def]
            request.query.pop("scroll_id", None)
            return original(request)

        portal.route = no_scroll  # type: ignore[method-assign]
        job = Harvest(portal, client)
        job.run()
        run = Harvest(portal, client).run()
        assert run.status is RunStatus.FAILED
        assert "scroll_id" in render(run.errors[0].message, "en")


def test_the_discovery_base_can_be_configured(client: SafeClient) -> None:
    with SocrataPortal(socrata_views(4)) as portal:
        job = Harvest(portal, client, discovery_url=portal.url + "/api/catalog/v1")
        assert job.run().counts.created == 4

"""CKAN harvests against a loopback CKAN (tests/harvest/fakes.py): incremental runs, the sweep, faults."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunStatus
from app.harvest.sink import MemorySink
from app.harvest.source import HarvestSource
from app.harvest.state import MemoryStateStore
from app.i18n import render
from app.net.client import SafeClient
from app.pipeline.run import Pipeline
from tests.harvest.fakes import CkanPortal, ckan_packages
from tests.loopback import Answer

SEARCH, LIST = "/api/3/action/package_search", "/api/3/action/package_list"


class Harvest:
    """A source, its sink and its state: run it again and again as a scheduler would."""

    def __init__(self, portal: CkanPortal, client: SafeClient, pipeline: Pipeline | None = None,
                 **options: object) -> None:
        self.source = HarvestSource(type="ckan", url=portal.url, rows=options.pop("rows", 100),  # type: ignore[arg-type]
                                    **options)  # type: ignore[arg-type]
        self.sink, self.store, self.client = MemorySink(pipeline), MemoryStateStore(), client

    def run(self, *, full: bool = False) -> HarvestRun:
        return harvest(self.source, sink=self.sink, client=self.client, store=self.store, full=full)

    def body(self, name: str) -> dict[str, object]:
        record: dict[str, object] = orjson.loads(self.sink.records[name].body)
        return record


def search_params(portal: CkanPortal) -> list[dict[str, str]]:
    """The package_search pages asked for (the sweep's count query, rows=0, left out)."""
    asked = [{k: v[-1] for k, v in parse_qs(urlsplit(r.target).query).items()}
             for r in portal.requests if r.path == SEARCH]
    return [p for p in asked if p.get("rows") != "0"]


def test_first_run_creates_everything_and_the_second_is_incremental(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(300)) as portal:
        job = Harvest(portal, client)
        first = job.run()
        assert first.status is RunStatus.DONE, first.to_json(lang="en")
        assert (first.counts.created, first.counts.unchanged, first.counts.errors) == (300, 0, 0)
        assert first.progress.pages == 4 and first.progress.records == 300
        # three full pages, an empty one, then the sweep: package_list and the count
        assert first.requests == 6 == len(portal.requests)
        assert sorted(job.sink.records) == sorted(portal.packages)

        before = len(portal.requests)
        second = job.run()
        assert second.status is RunStatus.DONE
        assert second.counts.unchanged == 300
        assert (second.counts.created, second.counts.updated, second.counts.deleted) == (0, 0, 0)
        assert second.requests == 3 == len(portal.requests) - before  # one search page, the sweep's two
        assert second.requests * 2 <= first.requests
        incremental = search_params(portal)[-1]
        assert incremental["fq"].startswith("metadata_modified:[2024-01-13T")  # the last run's newest, minus 1 h
        assert incremental["sort"] == "metadata_modified asc,name asc"


def test_changed_and_vanished_datasets(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(120)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.touch("dataset-00005", title="Título corregido")
        portal.remove("dataset-00007")
        run = job.run()
        assert (run.counts.updated, run.counts.deleted, run.counts.created) == (1, 1, 0)
        assert run.counts.unchanged == 118
        assert job.body("dataset-00005")["title"] == "Título corregido"
        assert "dataset-00007" not in job.sink.records


def test_deletions_only_on_a_sweep(client: SafeClient) -> None:
    """With sweep_every=0 only a full run lists every id: an incremental run cannot know what vanished."""
    with CkanPortal(ckan_packages(50)) as portal:
        job = Harvest(portal, client, sweep_every=0)
        assert job.run(full=True).counts.created == 50
        portal.remove("dataset-00003")
        incremental = job.run()
        assert incremental.counts.deleted == 0 and incremental.requests == 1
        assert "dataset-00003" in job.sink.records
        full = job.run(full=True)
        assert full.counts.deleted == 1 and "dataset-00003" not in job.sink.records
        assert "fq" not in search_params(portal)[-1]  # a full run reads from the start


def test_sweep_every_n_runs(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(20)) as portal:
        job = Harvest(portal, client, sweep_every=3)
        job.run()                          # the first run sweeps (nothing known yet counts as due)
        portal.remove("dataset-00001")
        assert job.run().counts.deleted == 0
        assert job.run().counts.deleted == 1  # the third run after the last sweep


def test_no_deletion_when_a_run_fails_midway_and_the_next_one_resumes(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(300)) as portal:
        job = Harvest(portal, client)
        job.run()
        for name in ("dataset-00100", "dataset-00200", "dataset-00290"):
            portal.touch(name, notes="Cambiado")  # these three move to the end: one incremental page of 100
        portal.remove("dataset-00050")
        portal.fail(LIST, *[Answer(500, b"oops")] * 3)  # the sweep cannot list: retried twice, then given up
        failed = job.run()
        assert failed.status is RunStatus.FAILED
        assert failed.counts.deleted == 0 and failed.counts.updated == 3
        assert "dataset-00050" in job.sink.records
        error = failed.errors[0]
        assert error.kind == "page" and error.url is not None and LIST in error.url
        assert "500" in render(error.message, "en") and "500" in render(error.message, "es")

        resumed = job.run()
        assert resumed.status is RunStatus.DONE and resumed.resumed
        assert resumed.counts.deleted == 1 and resumed.counts.updated == 0
        assert "dataset-00050" not in job.sink.records


def test_an_unreadable_page_fails_the_run_with_its_url(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(250)) as portal:
        job = Harvest(portal, client)
        portal.fail(SEARCH, Answer(200, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"}))
        failed = job.run()
        assert failed.status is RunStatus.FAILED and job.sink.records == {}
        assert failed.requests == 1  # an answer that is not JSON is not retried
        assert "cannot be read" in render(failed.errors[0].message, "en")
        assert failed.errors[0].url is not None and SEARCH in failed.errors[0].url

        again = job.run()
        assert again.status is RunStatus.DONE and again.counts.created == 250


def test_page_failure_after_two_pages_keeps_their_records_and_resumes_at_page_three(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(250)) as portal:
        job = Harvest(portal, client)
        original_route = portal.route
        calls = {"n": 0}

        def failing_third_page(request):  # type: ignore[no-untyped-def]
            if request.path == SEARCH:
                calls["n"] += 1
                if calls["n"] >= 3:  # from the third page on, the portal is down (retries included)
                    return Answer(500, b"down")
            return original_route(request)

        portal.route = failing_third_page  # type: ignore[method-assign]
        failed = job.run()
        assert failed.status is RunStatus.FAILED and failed.counts.created == 200
        assert len(job.sink.records) == 200

        portal.route = original_route  # type: ignore[method-assign]
        resumed = job.run()
        assert resumed.resumed and resumed.status is RunStatus.DONE
        assert resumed.counts.created == 50
        assert search_params(portal)[3]["start"] == "1"  # keyset: the cursor is the 200th dataset's time
        assert sorted(job.sink.records) == sorted(portal.packages)


def test_retry_after_500s_and_a_truncated_page(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(150)) as portal:
        portal.fail(SEARCH, Answer(429, b"", {"Retry-After": "1"}), Answer(200, b'{"success": tr' + b" " * 186,
                                                                            truncate_at=14))
        portal.fail(LIST, Answer(500))
        job = Harvest(portal, client)
        run = job.run()
        assert run.status is RunStatus.DONE and run.counts.errors == 0
        assert run.counts.created == 150
        assert run.requests == 2 + 2 + 3 == len(portal.requests)  # 2 pages + 2 sweep requests + 3 retries


def test_a_proxy_that_drops_fq_is_noticed_and_the_run_stays_complete(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(150)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.touch("dataset-00010", title="Otro título")
        portal.drop_fq = True
        run = job.run()
        assert run.status is RunStatus.DONE
        assert (run.counts.updated, run.counts.unchanged, run.counts.created) == (1, 149, 0)
        assert any("fq" in render(n, "en") for n in run.notes)
        assert "fq" not in search_params(portal)[-1]  # it fell back to plain offsets


def test_datasets_with_the_same_timestamp_beyond_a_page(client: SafeClient) -> None:
    """A bulk import gives many datasets one metadata_modified: keyset paging counts them, never loops."""
    packages = ckan_packages(25)
    for package in packages:
        package["metadata_modified"] = "2024-03-01T10:00:00.000000"
    with CkanPortal(packages) as portal:
        job = Harvest(portal, client, rows=10)
        run = job.run()
        assert run.counts.created == 25 and run.progress.pages == 3
        assert [p.get("start") for p in search_params(portal)] == ["0", "10", "20"]


def test_a_dataset_edited_during_the_crawl_is_not_skipped(client: SafeClient) -> None:
    """Sorting ascending by metadata_modified sends an edited dataset to the end, where it is read again; the
    others do not shift (offset paging would skip one)."""
    with CkanPortal(ckan_packages(30)) as portal:
        job = Harvest(portal, client, rows=10)
        release = portal.hold(SEARCH, 2)
        outcome: dict[str, HarvestRun] = {}
        worker = threading.Thread(target=lambda: outcome.setdefault("run", job.run()))
        worker.start()
        assert portal.arrived(SEARCH, 2).wait(timeout=30)
        portal.touch("dataset-00001", title="Editado mientras se cosechaba")   # already read on page 1
        portal.touch("dataset-00015", title="Editado antes de leerse")         # on page 2, not read yet
        release.set()
        worker.join(timeout=60)
        run = outcome["run"]
        assert run.status is RunStatus.DONE
        assert sorted(job.sink.records) == sorted(portal.packages)
        assert job.body("dataset-00001")["title"] == "Editado mientras se cosechaba"
        assert job.body("dataset-00015")["title"] == "Editado antes de leerse"
        assert run.counts.created == 30 and run.counts.updated == 1


def test_a_refused_record_is_reported_and_not_fetched_again(client: SafeClient, pipeline: Pipeline) -> None:
    packages = ckan_packages(20)
    packages[4]["notes"] = ""  # no description: a violation of the profile
    with CkanPortal(packages) as portal:
        job = Harvest(portal, client, pipeline)
        first = job.run()
        assert first.counts.refused == 1 and first.counts.created == 19
        refusal = first.refusals[0]
        assert refusal.source_id == "dataset-00004" and refusal.violations >= 1
        assert refusal.message is not None and "description" in refusal.message["en"]
        assert "dataset-00004" not in job.sink.records

        second = job.run()
        assert second.requests == 3  # the sweep does not fetch the refused dataset again
        assert second.counts.unchanged == 19 and second.counts.created == 0

        portal.touch("dataset-00004", notes="Ahora con descripción.")
        fixed = job.run()
        assert fixed.counts.created == 1 and "dataset-00004" in job.sink.records


def test_the_sweep_fetches_what_the_incremental_listing_missed(client: SafeClient) -> None:
    """A dataset that appears with an old metadata_modified (made public, or copied from elsewhere) is older
    than the incremental window; the sweep lists it and fetches it with package_show."""
    with CkanPortal(ckan_packages(40)) as portal:
        job = Harvest(portal, client)
        job.run()
        late = ckan_packages(41)[40]
        late["metadata_modified"] = "2019-05-05T05:05:05.000000"
        portal.packages[late["name"]] = late
        run = job.run()
        assert run.counts.created == 1 and late["name"] in job.sink.records
        assert any(r.path == "/api/3/action/package_show" for r in portal.requests)


def test_package_list_refused_falls_back_to_search(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(30)) as portal:
        portal.list_refused = True
        job = Harvest(portal, client)
        job.run()
        portal.remove("dataset-00002")
        run = job.run()
        assert run.counts.deleted == 1
        assert any(p.get("fl") == "name" for p in search_params(portal))


def test_a_listing_that_does_not_add_up_deletes_nothing(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(30)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.remove("dataset-00002")
        partial = Answer(200, orjson.dumps({"success": True, "result": sorted(portal.packages)[:20]}),
                         {"Content-Type": "application/json"})
        portal.fail(LIST, partial, partial)  # the whole list, then its pages: both short of the count
        run = job.run()
        assert run.status is RunStatus.DONE and run.counts.deleted == 0
        assert len(job.sink.records) == 30
        assert any("20" in render(n, "en") and "29" in render(n, "en") for n in run.notes)


def test_a_capped_package_list_is_completed_page_by_page(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(30)) as portal:
        job = Harvest(portal, client)
        job.run()
        portal.remove("dataset-00002")
        portal.fail(LIST, Answer(200, orjson.dumps({"success": True, "result": sorted(portal.packages)[:20]}),
                                 {"Content-Type": "application/json"}))
        run = job.run()
        assert run.counts.deleted == 1 and run.notes == []
        assert [r.param("limit") for r in portal.requests if r.path == LIST][-2:] == [None, "1000"]


def test_the_api_address_or_the_portal_address(client: SafeClient) -> None:
    with CkanPortal(ckan_packages(5)) as portal:
        job = Harvest(portal, client)
        job.source = HarvestSource(type="ckan", url=portal.url + "/api/3/action/")
        assert job.run().counts.created == 5


def test_the_items_carry_the_dates(client: SafeClient) -> None:
    packages = ckan_packages(2)
    packages[0]["resources"][0]["last_modified"] = "2024-02-02T02:02:02"
    with CkanPortal(packages) as portal:
        job = Harvest(portal, client)
        job.run()
        item = job.sink.records["dataset-00000"]
        assert item.modified == "2024-01-01T00:00:00.000000"
        assert item.data_modified == "2024-02-02T02:02:02"
        assert item.media_type == "application/json" and item.source_format == "ckan"
        assert datetime.fromisoformat(item.modified).replace(tzinfo=UTC).year == 2024


@pytest.mark.parametrize("rows", [5000, 1000])
def test_rows_is_at_most_1000(client: SafeClient, rows: int) -> None:
    with CkanPortal(ckan_packages(3)) as portal:
        Harvest(portal, client, rows=rows).run()
        assert search_params(portal)[0]["rows"] == "1000"

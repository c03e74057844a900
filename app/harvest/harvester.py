"""One harvest run: a source's reader driven into a Sink, checkpointed after every page.

    run = harvest(HarvestSource(type="ckan", url="https://datos.gob.cl", record_format="cl"),
                  sink=catalogue_sink, client=safe_client, store=state_store)

- Every page: each item whose content hash the sink already holds is `unchanged` (not validated again);
  DCAT items with publishers given only by IRI get their names (publishers.py); the sink validates and stores
  the rest (`created`, `updated`, or `refused` with its violations). Then the reader's cursor moves past the
  page and the state is saved: a run killed at any point (kill -9) resumes from the last finished page, and
  repeated upserts are `unchanged`, so nothing is duplicated and nothing lost.
- Only after a complete listing are the stored ids the source no longer lists deleted; a run that fails
  (a page that cannot be fetched or read, a loop) stops there, deletes nothing and is `failed`, its state
  kept so the next run resumes.
- The run (model.HarvestRun) counts pages, records, changes, errors (each with its URL) and the requests made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from app.errors import PuenteError
from app.harvest.model import Change, HarvestItem, HarvestRun, Refusal, RunError, RunStatus
from app.harvest.publishers import PublisherNames
from app.harvest.readers.base import Context, Page, Reader
from app.harvest.readers.ckan import CkanReader
from app.harvest.readers.datajson import DatajsonReader
from app.harvest.readers.dcat import DcatReader
from app.harvest.readers.socrata import SocrataReader
from app.harvest.sink import BatchSink, Sink
from app.harvest.source import HarvestSource
from app.harvest.state import StateStore
from app.i18n import text
from app.net.client import RequestCounter, SafeClient
from app.pipeline.parsing import ParseLimits
from app.settings import get_settings

logger = logging.getLogger("puente.harvest")

STATE_VERSION = 1
READERS: dict[str, Callable[[HarvestSource, dict[str, Any] | None], Reader]] = {
    "ckan": CkanReader, "socrata": SocrataReader, "datajson": DatajsonReader, "dcat": DcatReader}


def open_reader(source: HarvestSource, saved: dict[str, Any] | None) -> Reader:
    """The source's reader with its saved state (a state saved for another source or version is not used)."""
    usable = (saved or {}).get("reader") if (saved or {}).get("source") == source.key and \
        (saved or {}).get("version") == STATE_VERSION else None
    return READERS[source.type](source, usable)


def harvest(source: HarvestSource, *, sink: Sink, client: SafeClient, store: StateStore, full: bool = False,
            run: HarvestRun | None = None, limits: ParseLimits | None = None,
            on_progress: Callable[[HarvestRun], None] | None = None) -> HarvestRun:
    """Run one harvest of `source` into `sink` (see the module docstring); never raises for the source's
    faults: they are in the run's errors and status."""
    run = run or HarvestRun(source_type=source.type, url=source.url, full=full)
    run.start()
    counter = RequestCounter()
    if limits is None:
        settings = get_settings()
        limits = ParseLimits(max_triples=settings.max_triples, max_literal_chars=settings.max_literal_chars,
                             max_json_depth=settings.max_json_depth)
    if source.rate is not None or source.concurrency is not None:
        client.limiter.configure(urlsplit(source.url).hostname or "", rate=source.rate,
                                 concurrency=source.concurrency)
    reader = open_reader(source, store.load())
    context = Context(client=client, counter=counter, limits=limits, full=full, sink_ids=sink.list_ids)
    names = PublisherNames(context) if source.lookup_publishers else None

    def save() -> None:
        sink.checkpoint()  # what the sink wrote is durable before the state moves past it
        store.save({"version": STATE_VERSION, "source": source.key, "reader": reader.dump()})

    touched: set[str] = set()  # ids this run read or saw listed
    try:
        resumed_checked = False
        for page in reader.pages(context):
            if not resumed_checked:
                run.resumed = reader.resumed
                resumed_checked = True
            _take(page, run=run, sink=sink, reader=reader, names=names)
            touched.update(item.source_id for item in page.items)
            touched.update(page.listed)
            save()
            run.requests = counter.count
            if on_progress is not None:
                on_progress(run)
        run.resumed = run.resumed or reader.resumed
        complete = reader.complete_ids()
        if complete is not None:
            _delete(complete, run=run, sink=sink)
        reader.finish()
        save()
        # What the source did not send again because it has not changed (an incremental listing, a 304) is
        # unchanged too: a run reports on every record it keeps.
        run.counts.add(Change.UNCHANGED, len(sink.list_ids() - touched))
        status = RunStatus.DONE
    except PuenteError as error:  # the source failed: stop here, delete nothing, resume next time
        run.error(RunError("page", error.detail, getattr(error, "url", None) or source.url))
        status = RunStatus.FAILED
    except Exception as error:  # a fault of Puente's own: reported, logged, the state kept as it was
        logger.exception("harvest of %s failed", source.url)
        run.error(RunError("page", text("detail.harvest_internal", message=type(error).__name__), source.url))
        status = RunStatus.FAILED
    run.notes.extend(context.notes)
    run.requests = counter.count
    run.finish(status)
    if on_progress is not None:
        on_progress(run)
    return run


def _take(page: Page, *, run: HarvestRun, sink: Sink, reader: Reader, names: PublisherNames | None) -> None:
    outcomes: dict[str, Change] = {}
    for problem in page.errors:
        run.error(problem)
    if isinstance(sink, BatchSink):  # the whole page in one write: a page is stored entirely or not at all
        _store_page(page.items, outcomes, run=run, sink=sink, names=names)
    else:
        for item in page.items:
            outcomes[item.source_id] = _store(item, run=run, sink=sink, names=names)
    run.counts.add(Change.UNCHANGED, page.unchanged)
    run.counts.add(Change.REFUSED, page.still_refused)
    run.progress.pages += 1
    run.progress.records += len(page.items) + page.unchanged + page.still_refused
    reader.settle(page, outcomes)


def _store(item: HarvestItem, *, run: HarvestRun, sink: Sink, names: PublisherNames | None) -> Change:
    if sink.stored_hash(item.source_id) == item.content_hash:
        run.counts.add(Change.UNCHANGED)
        return Change.UNCHANGED
    if names is not None and item.publisher_iris:
        item, problems = names.complete(item)
        for problem in problems:
            run.error(problem)
    upserted = sink.upsert(item)
    run.counts.add(upserted.change)
    if upserted.change is Change.REFUSED:
        run.refused(Refusal(item.source_id, item.url, upserted.violations, upserted.message))
    return upserted.change


def _store_page(items: list[HarvestItem], outcomes: dict[str, Change], *, run: HarvestRun, sink: BatchSink,
                names: PublisherNames | None) -> None:
    waiting: list[HarvestItem] = []
    for item in items:
        if sink.stored_hash(item.source_id) == item.content_hash:
            run.counts.add(Change.UNCHANGED)
            outcomes[item.source_id] = Change.UNCHANGED
            continue
        if names is not None and item.publisher_iris:
            item, problems = names.complete(item)
            for problem in problems:
                run.error(problem)
        waiting.append(item)
    for item, upserted in zip(waiting, sink.upsert_many(waiting) if waiting else [], strict=True):
        run.counts.add(upserted.change)
        if upserted.change is Change.REFUSED:
            run.refused(Refusal(item.source_id, item.url, upserted.violations, upserted.message))
        outcomes[item.source_id] = upserted.change


def _delete(complete: set[str], *, run: HarvestRun, sink: Sink) -> None:
    stored = sink.list_ids()
    vanished = sorted(stored - complete)
    if not vanished:
        return
    if not complete:  # a source that suddenly lists nothing is more likely broken than emptied
        run.notes.append(text("detail.harvest_empty_listing", count=len(vanished)))
        return
    for source_id in vanished:
        if sink.delete(source_id):
            run.counts.add(Change.DELETED)

"""The harmonised catalogue as a harvest's Sink: each harvested record read with its source's crosswalk, validated
like a PUT (app/catalogue/prepare.py), and a page's records published together, in one atomic write.

- A record with violations (or one that cannot be read) is `refused`: nothing stored, an earlier version stays.
- The catalogue decides `created` / `updated` / `unchanged` from the harmonised record's checksum; the harvest
  file (registry.py) remembers, per source dataset, the record it became and its content hash, so the next run
  skips unchanged datasets without validating them and knows what to delete.
- Deleting (only ever asked after a complete listing, harvester.py) writes the record's tombstone: the dataset
  answers 410 and the changes feed says `deleted`.
- Crash safety: the catalogue write comes first, then the harvest file's row. Killed between the two, the next
  run publishes the same record again, which the catalogue finds `unchanged` (same id, same checksum): no
  duplicate, nothing lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson

from app.catalogue.definitions import Catalogue
from app.catalogue.prepare import Job, Prepared, PreparedShare, prepare_document
from app.catalogue.service import LANGS, CatalogueService
from app.errors import PuenteError, ServiceBusyError
from app.harvest.model import Change, HarvestItem
from app.harvest.registry import HarvestDb
from app.harvest.sink import Upserted
from app.i18n import LocalText, text
from app.pipeline.run import Pipeline

# Items to their prepared records (one PreparedShare per item, or the error that item met), in order.
Prepare = Callable[[list[HarvestItem], Job], list["PreparedShare | PuenteError"]]
_CHANGES = {"created": Change.CREATED, "updated": Change.UPDATED, "unchanged": Change.UNCHANGED}


def prepare_here(pipeline: Pipeline) -> Prepare:
    """Prepare in this process, one item after the other (the command line)."""

    def prepare(items: list[HarvestItem], job: Job) -> list[PreparedShare | PuenteError]:
        done: list[PreparedShare | PuenteError] = []
        for item in items:
            try:
                done.append(prepare_document(pipeline, item.body, item.media_type, item.source_format, job))
            except PuenteError as error:
                done.append(error)
        return done

    return prepare


def prepare_in_workers(runner: Any) -> Prepare:
    """Prepare in the service's validation workers (Runner.run_blocking), every worker busy. A busy service
    (ServiceBusyError) is not the record's fault: it stops the run, which the next one resumes."""

    def one(item: HarvestItem, job: Job) -> PreparedShare | PuenteError:
        try:
            share: PreparedShare = runner.run_blocking(prepare_document, item.body, item.media_type,
                                                       item.source_format, job)
            return share
        except ServiceBusyError:
            raise
        except PuenteError as error:
            return error

    def prepare(items: list[HarvestItem], job: Job) -> list[PreparedShare | PuenteError]:
        width = max(1, int(getattr(runner, "workers", 1) or 1))
        if width == 1 or len(items) == 1:
            return [one(item, job) for item in items]
        with ThreadPoolExecutor(width, thread_name_prefix="harvest-prepare") as pool:
            return list(pool.map(lambda item: one(item, job), items))

    return prepare


def job_for(catalogue: Catalogue, lang: str = "es") -> Job:
    return Job(catalogue_iri=catalogue.iri, lang=lang, text_lang=LANGS.get(catalogue.spec.language, "es"))


class CatalogueSink:
    """A BatchSink writing one source's datasets into one catalogue (see the module docstring)."""

    def __init__(self, *, service: CatalogueService, catalogue: Catalogue, db: HarvestDb, source: str,
                 prepare: Prepare, who: str, lang: str = "es") -> None:
        self.service, self.catalogue, self.db, self.source = service, catalogue, db, source
        self.prepare, self.who, self.job = prepare, who, job_for(catalogue, lang)
        # source id → (record id, content hash), less the records no longer in the catalogue (deleted there by
        # hand): those are stored again when the source lists them
        active = {row[0] for row in service.index.reader.execute(
            "SELECT id FROM records WHERE catalogue = ? AND status = 'active'", (catalogue.id,))}
        self._known = {sid: known for sid, known in db.record_hashes(source).items() if known[0] in active}
        self._owners = Counter(record for record, _ in self._known.values())  # datasets per record

    def upsert(self, item: HarvestItem) -> Upserted:
        return self.upsert_many([item])[0]

    def upsert_many(self, items: list[HarvestItem]) -> list[Upserted]:
        prepared = self.prepare(items, self.job)
        outcomes: list[Upserted | None] = [None] * len(items)
        accepted: list[tuple[int, Prepared]] = []
        source_name = ""
        for position, got in enumerate(prepared):
            if isinstance(got, PuenteError):
                outcomes[position] = Upserted(Change.REFUSED, violations=1, message=got.detail)
                continue
            source_name = got.source
            record = got.records[0]
            if record.reason is not None:
                outcomes[position] = Upserted(Change.REFUSED, violations=max(record.violations, 1),
                                              message=_first_violation(record, self.job.lang))
                continue
            accepted.append((position, record))
        if accepted:
            share = PreparedShare(source=source_name, detected=False, records=[record for _, record in accepted])
            result = self.service.publish_document(self.catalogue, [share], who=self.who)
            kept: list[tuple[str, str, str]] = []
            replaced: list[str] = []
            for (position, record), outcome in zip(accepted, result.records, strict=True):
                change = _CHANGES.get(outcome["status"])
                item = items[position]
                if change is None:  # two datasets of one page became the same record: the second is refused
                    outcomes[position] = Upserted(Change.REFUSED, violations=1,
                                                  message=text("detail.harvest_same_record", id=record.id))
                    continue
                outcomes[position] = Upserted(change)
                before = self._known.get(item.source_id)
                if before is not None and before[0] != record.id:
                    replaced.append(before[0])  # the source changed the dataset's identifier: the old record goes
                kept.append((item.source_id, record.id, item.content_hash))
            self.db.keep_records(self.source, kept)
            for sid, record_id, hashed in kept:
                before = self._known.get(sid)
                if before is not None:
                    self._owners[before[0]] -= 1
                self._known[sid] = (record_id, hashed)
                self._owners[record_id] += 1
            self._drop([rid for rid in replaced if not self._claimed(rid)])
        return [outcome for outcome in outcomes if outcome is not None]

    def delete(self, source_id: str) -> bool:
        known = self._known.get(source_id)
        if known is None:
            return False
        del self._known[source_id]
        self._owners[known[0]] -= 1
        if not self._claimed(known[0]):
            self._drop([known[0]])
        self.db.forget_record(self.source, source_id)
        return True

    def list_ids(self) -> set[str]:
        return set(self._known)

    def stored_hash(self, source_id: str) -> str | None:
        known = self._known.get(source_id)
        return None if known is None else known[1]

    def checkpoint(self) -> None:
        return None  # every write above is committed when it returns

    def _claimed(self, record_id: str) -> bool:
        return self._owners[record_id] > 0

    def _drop(self, record_ids: list[str]) -> None:
        if record_ids:
            self.service.delete_many(self.catalogue, record_ids)


def _first_violation(record: Prepared, lang: str) -> LocalText:
    try:
        report = orjson.loads(record.report)
    except (orjson.JSONDecodeError, ValueError):
        report = {}
    first = next((result.get("message") for found in report.get("records", []) for result in found.get("results", [])
                  if result.get("severity") == "violation" and result.get("message")), None)
    if first:
        return {lang: str(first)}
    return {"es": record.detail or record.reason or "", "en": record.detail or record.reason or ""}

"""The catalogue service: the one writer of PUENTE_DATA_DIR, and every read the API and the command line make.

Writing a record (or a share of a catalogue) goes in three steps, in this order:
1. its validation report into SQLite (`reports`, keyed by the record's checksum: a report is never lost, and one
   written for a version that never got stored is harmless);
2. its graph into the RDF store, atomically (the dataset's triples and its CatalogRecord with a new change
   sequence number): from here on the record exists;
3. the derived index rows (page order, filters, search, the changes feed, counts) and the audit line.
A kill -9 between 2 and 3 loses nothing: on open, the graphs whose sequence number is above the index's last are
indexed again (`reconcile`), so the feed and the counts always agree with the store.

One writer at a time: a lock on the data folder between processes (`lock.py`), a thread lock inside this one.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from app.catalogue import blobs, ntriples, tokens
from app.catalogue.definitions import Catalogue, catalogues
from app.catalogue.graphstore import BULK_MAX_QUADS, GraphStore, open_store
from app.catalogue.index import Index
from app.catalogue.knowledge import Knowledge
from app.catalogue.lock import DataLock
from app.catalogue.prepare import Fields, Job, Prepared, PreparedShare, fields_of, prepare_share
from app.catalogue.records import (
    RecordState,
    catalogue_knowledge,
    catalogue_lines,
    catalogue_record,
    catalogue_times,
    literals_of,
    read_state,
    record_knowledge,
)
from app.errors import CatalogueUnavailableError, GoneError, InputError, NotFoundError, PreconditionFailedError
from app.i18n import text
from app.profile.model import Profile
from app.rdf.namespaces import PROFILE_IRI
from app.settings import Settings

logger = logging.getLogger("puente.catalogue")
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
SHARE_RECORDS = 1000  # records per share of a published catalogue: a bulk write each, few in memory at once
FRESH_MIN = 20  # below this many new records a share writes through a transaction, not the bulk loader
LANGS = {"SPA": "es", "ENG": "en", "POR": "pt"}
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Row:
    """A record as the index has it."""

    pos: int
    catalogue: str
    id: str
    seq: int
    status: str
    checksum: str
    issued: str
    modified: str
    source: str
    original_id: str
    source_iri: str | None
    title: str
    publisher: str
    warnings: int
    infos: int


ROW_COLUMNS = ("pos, catalogue, id, seq, status, checksum, issued, modified, source, original_id, source_iri, title, "
               "publisher, warnings, infos")


@dataclass
class WriteResult:
    """What one write did."""

    status: str  # created | updated | unchanged | deleted | refused | duplicate
    id: str
    iri: str
    seq: int | None = None
    etag: str | None = None
    report: bytes | None = None  # the record's validation report, JSON
    detail: str = ""


@dataclass
class BatchResult:
    """What publishing a whole document did: counts, and each record's outcome in document order."""

    source: str = ""
    detected: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("created", "updated", "unchanged", "deleted", "refused"), 0))
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Entry:
    """A stored record as reads serve it."""

    row: Row
    doc: bytes | None  # its dataset's N-Triples lines, compressed (`unpack`)
    ttl: bytes | None  # the same as Turtle statements, compressed
    record: str  # its CatalogRecord's N-Triples lines
    knowledge: str  # its knowledge keys, one a line

    @property
    def keys(self) -> list[str]:
        return self.knowledge.split("\n") if self.knowledge else []

    @property
    def lines(self) -> list[str]:
        """Its own N-Triples lines (the dataset's and its CatalogRecord's)."""
        return [*unpack(self.doc), *(self.record.split("\n") if self.record else [])]

    @property
    def turtle(self) -> bytes:
        """Its Turtle statements (N-Triples lines are Turtle statements too)."""
        own = blobs.unpack(self.ttl) if self.ttl else b""
        return own + (self.record.encode("utf-8") + b"\n" if self.record else b"")


ENTRY_COLUMNS = "doc, ttl, record, knowledge"


def _entry(values: tuple[Any, ...]) -> Entry:
    return Entry(Row(*values[:15]), values[15], values[16], values[17], values[18])


@dataclass
class Page:
    """One page of a catalogue's datasets."""

    rows: list[Entry]
    total: int
    next_cursor: str | None


@dataclass(frozen=True)
class Filters:
    """What a page may be narrowed to (all optional)."""

    text: str = ""
    theme: str = ""
    publisher: str = ""
    format: str = ""
    conformance: str = ""  # complete (no warning) | warnings

    def any(self) -> bool:
        return bool(self.text or self.theme or self.publisher or self.format or self.conformance)


@dataclass
class _IndexBatch:
    """The small derived rows of several records, written together (executemany) at the end of a write."""

    terms: list[tuple[str, str, str, int]] = field(default_factory=list)
    facets_plus: list[tuple[str, str, str]] = field(default_factory=list)
    facets_minus: list[tuple[str, str, str]] = field(default_factory=list)
    forget: list[tuple[int]] = field(default_factory=list)  # positions whose terms and search row go
    search: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    reports: list[tuple[str, str, str]] = field(default_factory=list)  # keep only this version's report
    changes: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    applied: int = 0

    def flush(self, db: Any) -> None:
        # a share's records share most of their facet values: one write per value, not one per record and value
        db.executemany("UPDATE facets SET count = count - ? WHERE catalogue = ? AND kind = ? AND value = ?",
                       [(n, *key) for key, n in Counter(self.facets_minus).items()])
        db.executemany("DELETE FROM terms WHERE pos = ?", self.forget)
        db.executemany("DELETE FROM search WHERE rowid = ?", self.forget)
        db.executemany("INSERT INTO terms (catalogue, kind, value, pos) VALUES (?, ?, ?, ?)", self.terms)
        db.executemany("INSERT INTO facets (catalogue, kind, value, count) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (catalogue, kind, value) DO UPDATE SET count = count + excluded.count",
                       [(*key, n) for key, n in Counter(self.facets_plus).items()])
        db.executemany("INSERT INTO search (rowid, title, description, keywords, publisher) VALUES (?, ?, ?, ?, ?)",
                       self.search)
        db.executemany("INSERT OR REPLACE INTO changes (seq, catalogue, id, change, at) VALUES (?, ?, ?, ?, ?)",
                       self.changes)
        db.executemany("DELETE FROM reports WHERE catalogue = ? AND id = ? AND checksum != ?", self.reports)
        db.executemany("INSERT INTO counts (catalogue, active, deleted) VALUES (?, ?, ?) ON CONFLICT (catalogue) "
                       "DO UPDATE SET active = active + excluded.active, deleted = deleted + excluded.deleted",
                       [(cid, active, deleted) for cid, (active, deleted) in self.counts.items()])
        if self.applied:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('applied_seq', ?)", (str(self.applied),))


def now() -> str:
    """The time of a write, as xsd:dateTime in UTC (same width always: strings sort as times)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> int:
    """A cursor from a previous answer; a 400 for anything else."""
    if not _CURSOR.fullmatch(cursor):
        raise InputError(text("detail.bad_cursor"), field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raise InputError(text("detail.bad_cursor"), field="cursor") from None
    if not raw.startswith(kind) or not raw[len(kind):].isdigit() or len(raw) > 24:
        raise InputError(text("detail.bad_cursor"), field="cursor")
    return int(raw[len(kind):])


def parse_time(value: str, *, field_name: str) -> str:
    """An ISO 8601 date or date-time as the index writes times (UTC); a 400 naming the field otherwise."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise InputError(text("detail.bad_time", value=value[:40]), field=field_name)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except OverflowError:  # 9999-12-31T23:59-23:00 or 0001-01-01T00:00+14:00: past the years a datetime holds in UTC
        raise InputError(text("detail.bad_time", value=value[:40]), field=field_name) from None


def _pack(lines: Iterable[str]) -> bytes:
    return blobs.pack("\n".join(lines).encode("utf-8"))


def unpack(doc: bytes | None) -> list[str]:
    return blobs.unpack(doc).decode("utf-8").split("\n") if doc else []


class CatalogueService:
    """See the module docstring. Built by `open`; every public method is safe to call from any thread."""

    def __init__(self, *, settings: Settings, profile: Profile, catalogues: dict[str, Catalogue], store: GraphStore,
                 index: Index, lock: DataLock, knowledge: Knowledge) -> None:
        self.settings = settings
        self.profile = profile
        self.catalogues = catalogues
        self.store = store
        self.index = index
        self.lock = lock
        self.knowledge = knowledge
        self._writing = threading.RLock()
        self._next_seq = 1
        self.profile_tag = zlib.crc32(f"{profile.iri} {profile.version}".encode()).to_bytes(4, "big").hex()

    # ------------------------------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, settings: Settings, profile: Profile, *, sources: set[str] | None = None,
             holder: str = "puente") -> CatalogueService:
        """Lock the data folder, open the store and the index, reconcile them, write the catalogues' graphs."""
        folder = Path(settings.data_dir)
        try:
            lock = DataLock(folder)
            lock.acquire(holder=holder)
        except OSError as error:  # a folder that cannot be created or written: say which, and why
            raise CatalogueUnavailableError(text("detail.data_dir_unusable", folder=str(folder),
                                                 reason=error.strerror or str(error))) from error
        try:
            found = catalogues(settings, sources=sources)
            store = open_store(settings, folder / "store")
            index = Index(folder / "catalogue.sqlite3")
            service = cls(settings=settings, profile=profile, catalogues=found, store=store, index=index, lock=lock,
                          knowledge=Knowledge(profile))
            service.reconcile()
            service._describe_catalogues()
        except BaseException:
            lock.release()
            raise
        return service

    def close(self) -> None:
        with self._writing:
            self.index.close()
            self.store.close()
            self.lock.release()

    def catalogue(self, catalogue_id: str) -> Catalogue:
        found = self.catalogues.get(catalogue_id)
        if found is None:
            raise NotFoundError(text("detail.unknown_catalogue", id=catalogue_id[:40],
                                     available=", ".join(sorted(self.catalogues))))
        return found

    def _describe_catalogues(self) -> None:
        """Each catalogue's own graph, rewritten when its definition changed."""
        with self.index.write() as db:
            db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                           [(f"created:{cid}", now()) for cid in self.catalogues])
        for catalogue in self.catalogues.values():
            lines = sorted(set(catalogue_lines(catalogue)))
            stored = sorted(f"{s} {p} {o} ." for s, p, o in self.store.triples(catalogue.iri))
            if stored != lines:
                with self._writing:
                    self.store.replace({catalogue.iri: lines})

    def reconcile(self) -> int:
        """Index every record graph written after the index's last sequence number (after a crash between the
        store and the index, or with a new or lost index file). Answers how many were indexed."""
        with self._writing:
            applied = self.index.applied_sequence()
            count = 0
            highest = applied
            for graph, seq in self.store.sequences(after=applied):
                highest = max(highest, seq)  # numbers stay unique even past graphs left aside below
                triples = self.store.triples(graph)
                state = read_state(graph, triples)
                if state is None or state.catalogue not in self.catalogues:
                    continue  # a catalogue no longer in the settings: its graphs stay in the store, unindexed
                catalogue = self.catalogues[state.catalogue]
                mine = {ntriples.iri(graph), ntriples.iri(graph + "#checksum"), ntriples.iri(PROFILE_IRI)}
                record = sorted(f"{s} {p} {o} ." for s, p, o in triples if s in mine)
                dataset = sorted(f"{s} {p} {o} ." for s, p, o in triples if s not in mine)
                own, keys = self.knowledge.split(triples)
                fields = fields_of(own, ntriples.iri(catalogue.dataset_iri(state.id)),
                                   LANGS.get(catalogue.spec.language, "es"), literals_of(own))
                with self.index.write() as db:
                    batch = _IndexBatch()
                    self._index_record(db, batch, catalogue, state, doc=_pack(dataset) if dataset else None,
                                       ttl=blobs.pack(ntriples.turtle_chunk(dataset)) if dataset else None,
                                       record=record, knowledge=keys, fields=fields,
                                       warnings=self._stored_warnings(db, state), infos=0, source_iri=None)
                    batch.flush(db)
                count += 1
            if highest > applied:
                with self.index.write() as db:
                    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('applied_seq', ?)", (str(highest),))
            self._next_seq = highest + 1
            if count:
                logger.warning("catalogue index reconciled with the store: %d record(s) indexed again", count)
            return count

    def _stored_warnings(self, db: Any, state: RecordState) -> int:
        row = db.execute("SELECT report FROM reports WHERE catalogue = ? AND id = ? AND checksum = ?",
                         (state.catalogue, state.id, state.checksum)).fetchone()
        if row is None:
            return 0
        return int(orjson.loads(blobs.unpack(row[0]))["summary"]["warnings"])

    # ------------------------------------------------------------------------------------------ writing

    def publish_one(self, catalogue: Catalogue, share: PreparedShare, *, who: str | None, if_match: str | None = None,
                    if_none_match: str | None = None) -> WriteResult:
        """A PUT: one prepared record (a 422 error when it has violations is the caller's to raise)."""
        prepared = share.records[0]
        with self._writing:
            row = self.row(catalogue.id, prepared.id, writer=True)
            current = self.etag(row) if row is not None and row.status != "deleted" else None
            if if_match is not None and (current is None or (if_match.strip() != "*" and
                                                             current not in _etags(if_match))):
                raise PreconditionFailedError(text("detail.precondition_if_match", current=current or "-"))
            if if_none_match is not None and current is not None and (
                    if_none_match.strip() == "*" or current in _etags(if_none_match)):
                raise PreconditionFailedError(text("detail.precondition_if_none_match", current=current))
            results = self._write_share(catalogue, share, who=who, action="put")
        return results[0]

    def publish_document(self, catalogue: Catalogue, shares: Iterable[PreparedShare], *, who: str | None,
                         sync_full: bool = False) -> BatchResult:
        """A whole catalogue document, share by share (each share written atomically as it arrives); with
        `sync_full`, once every share is written, the catalogue's records the document no longer holds are
        deleted (never after an error: a document that failed half-way deletes nothing)."""
        result = BatchResult()
        seen: set[str] = set()
        for share in shares:
            result.source, result.detected = share.source, share.detected
            with self._writing:
                outcomes = self._write_share(catalogue, share, who=None, action="post")
            for prepared, outcome in zip(share.records, outcomes, strict=True):
                if prepared.id:
                    seen.add(prepared.id)
                result.records.append(_outcome_entry(outcome))
                key = "refused" if outcome.status in ("refused", "duplicate") else outcome.status
                result.counts[key] = result.counts.get(key, 0) + 1
        if sync_full:
            absent = self._absent(catalogue, seen)
            for start in range(0, len(absent), SHARE_RECORDS):
                for deleted in self.delete_many(catalogue, absent[start:start + SHARE_RECORDS]):
                    result.records.append(_outcome_entry(deleted))
                    result.counts["deleted"] += 1
        self.audit(who=who, catalogue=catalogue.id, action="post", target=f"/catalogues/{catalogue.id}/datasets",
                   outcome="done", status=200, detail=orjson.dumps(result.counts).decode())
        return result

    def _absent(self, catalogue: Catalogue, seen: set[str]) -> list[str]:
        rows = self.index.reader.execute("SELECT id FROM records WHERE catalogue = ? AND status = 'active'",
                                         (catalogue.id,))
        return [row[0] for row in rows if row[0] not in seen]

    def delete(self, catalogue: Catalogue, record_id: str, *, who: str | None,
               if_match: str | None = None) -> WriteResult:
        """Replace a record's graph by its tombstone (410 afterwards, `deleted` in the feed)."""
        with self._writing:
            row = self.row(catalogue.id, record_id, writer=True)
            if row is None:
                raise NotFoundError(text("detail.unknown_record", id=record_id, catalogue=catalogue.id))
            if row.status == "deleted":
                raise GoneError(text("detail.record_gone", id=record_id, catalogue=catalogue.id))
            if if_match is not None and if_match.strip() != "*" and self.etag(row) not in _etags(if_match):
                raise PreconditionFailedError(text("detail.precondition_if_match", current=self.etag(row)))
            return self._delete([row], catalogue, who=who, audit=True)[0]

    def delete_many(self, catalogue: Catalogue, record_ids: list[str]) -> list[WriteResult]:
        """Tombstones for several active records in one atomic write (unknown or deleted ones are skipped)."""
        with self._writing:
            rows = [row for row in self._rows(catalogue.id, record_ids).values() if row.status == "active"]
            return self._delete(rows, catalogue, who=None, audit=False) if rows else []

    def _delete(self, rows: list[Row], catalogue: Catalogue, *, who: str | None, audit: bool) -> list[WriteResult]:
        moment = now()
        states = [RecordState(catalogue=catalogue.id, id=row.id, seq=self._allocate(), status="deleted",
                              issued=row.issued, modified=moment, original_id=row.original_id, source=row.source,
                              checksum="") for row in rows]
        tombstones = {catalogue.record_iri(state.id): catalogue_record(catalogue, state) for state in states}
        self.store.replace(tombstones)
        with self.index.write() as db:
            batch = _IndexBatch()
            for row, state in zip(rows, states, strict=True):
                self._index_record(db, batch, catalogue, state, doc=None, ttl=None,
                                   record=tombstones[catalogue.record_iri(state.id)],
                                   knowledge=record_knowledge(state), fields=Fields(), warnings=0, infos=0,
                                   source_iri=row.source_iri)
            batch.flush(db)
            if audit:
                self._audit(db, who=who, catalogue=catalogue.id, action="delete",
                            target=f"/catalogues/{catalogue.id}/datasets/{rows[0].id}", outcome="deleted", status=204)
        return [WriteResult(status="deleted", id=state.id, iri=catalogue.dataset_iri(state.id), seq=state.seq)
                for state in states]

    def _allocate(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def _write_share(self, catalogue: Catalogue, share: PreparedShare, *, who: str | None,
                     action: str) -> list[WriteResult]:
        """Store a share's records (the caller holds the write lock). One outcome per record, in order."""
        records = share.records
        one = action == "put"  # a PUT answers with the record's report; a document's answer lists refusals only
        last: dict[str, int] = {}
        for index, prepared in enumerate(records):
            if prepared.reason is None:
                last[prepared.id] = index
        existing = self._rows(catalogue.id, list(last))
        outcomes: list[WriteResult | None] = [None] * len(records)
        fresh: dict[str, list[str]] = {}
        replaced: dict[str, list[str]] = {}
        writes: list[tuple[int, Prepared, RecordState, list[str]]] = []
        moment = now()
        for index, prepared in enumerate(records):
            if prepared.reason is not None:
                outcomes[index] = WriteResult(status="refused", id=prepared.id, iri=prepared.iri,
                                              report=prepared.report, detail=prepared.reason)
                continue
            if last[prepared.id] != index:
                outcomes[index] = WriteResult(status="duplicate", id=prepared.id, iri=prepared.iri,
                                              detail="the document holds this id again further on")
                continue
            row = existing.get(prepared.id)
            if row is not None and row.status != "deleted" and row.checksum == prepared.checksum:
                outcomes[index] = WriteResult(status="unchanged", id=prepared.id, iri=prepared.iri, seq=row.seq,
                                              etag=self.etag(row), report=prepared.report if one else None)
                continue
            status = "updated" if row is not None and row.status != "deleted" else "created"
            state = RecordState(catalogue=catalogue.id, id=prepared.id, seq=self._allocate(), status=status,
                                issued=row.issued if status == "updated" and row is not None else moment,
                                modified=moment, original_id=prepared.original_id, source=share.source,
                                checksum=prepared.checksum)
            record = catalogue_record(catalogue, state)
            (fresh if row is None else replaced)[catalogue.record_iri(prepared.id)] = prepared.lines + record
            writes.append((index, prepared, state, record))
        if writes:
            with self.index.write() as db:  # 1. the reports, before the records they belong to
                db.executemany("INSERT OR REPLACE INTO reports (catalogue, id, checksum, at, report) "
                               "VALUES (?, ?, ?, ?, ?)",
                               [(catalogue.id, p.id, p.checksum, moment, p.report_z) for _, p, _, _ in writes])
            if len(fresh) >= FRESH_MIN:  # 2. the graphs, atomically
                self._bulk(fresh)
            elif fresh:
                replaced.update(fresh)
            self.store.replace(replaced)
            with self.index.write() as db:  # 3. the index
                batch = _IndexBatch()
                for _, prepared, state, record in writes:
                    self._index_record(db, batch, catalogue, state, doc=prepared.doc, ttl=prepared.ttl, record=record,
                                       knowledge=sorted({*prepared.knowledge, *record_knowledge(state)}),
                                       fields=prepared.fields, warnings=prepared.warnings, infos=prepared.infos,
                                       source_iri=prepared.source_iri, new=prepared.id not in existing)
                batch.flush(db)
                if action == "put":
                    state = writes[0][2]
                    self._audit(db, who=who, catalogue=catalogue.id, action="put",
                                target=f"/catalogues/{catalogue.id}/datasets/{state.id}", outcome=state.status,
                                status=201 if state.status == "created" else 200)
        elif action == "put":
            self.audit(who=who, catalogue=catalogue.id, action="put",
                       target=f"/catalogues/{catalogue.id}/datasets/{records[0].id}", outcome="unchanged", status=200)
        for index, prepared, state, _ in writes:
            outcomes[index] = WriteResult(status=state.status, id=prepared.id, iri=prepared.iri, seq=state.seq,
                                          etag=self._etag(state.seq, prepared.checksum),
                                          report=prepared.report if one else None)
        return [outcome for outcome in outcomes if outcome is not None]

    def _bulk(self, graphs: dict[str, list[str]]) -> None:
        """New graphs through the store's bulk path, in calls below its atomic size."""
        batch: dict[str, list[str]] = {}
        size = 0
        for name, lines in graphs.items():
            if batch and size + len(lines) >= BULK_MAX_QUADS:
                self.store.replace(batch, fresh=True)
                batch, size = {}, 0
            batch[name] = lines
            size += len(lines)
        if batch:
            self.store.replace(batch, fresh=True)

    def _index_record(self, db: Any, batch: _IndexBatch, catalogue: Catalogue, state: RecordState, *,
                      doc: bytes | None, ttl: bytes | None, record: list[str], knowledge: list[str], fields: Fields,
                      warnings: int, infos: int, source_iri: str | None, new: bool = False) -> None:
        """One record's derived rows (`doc`, `ttl`: its dataset's lines and Turtle, compressed; `record`: its
        CatalogRecord's lines); the many small rows gather in `batch` (written by its flush). `new`: the caller,
        holding the write lock, found no row for it."""
        cid = catalogue.id
        old = None if new else db.execute("SELECT pos, status FROM records WHERE catalogue = ? AND id = ?",
                                          (cid, state.id)).fetchone()
        active = state.status != "deleted"
        values = (state.seq, "active" if active else "deleted", state.checksum, state.issued, state.modified,
                  state.source, state.original_id, source_iri, fields.title, ", ".join(fields.publishers), warnings,
                  infos, doc if active else None, ttl if active else None, "\n".join(record), "\n".join(knowledge))
        if old is None:
            pos = db.execute(
                "INSERT INTO records (catalogue, id, seq, status, checksum, issued, modified, source, original_id, "
                "source_iri, title, publisher, warnings, infos, doc, ttl, record, knowledge) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (cid, state.id, *values)).lastrowid
            was_active = False
        else:
            pos, was_active = old[0], old[1] == "active"
            db.execute("UPDATE records SET seq = ?, status = ?, checksum = ?, issued = ?, modified = ?, source = ?, "
                       "original_id = ?, source_iri = COALESCE(?, source_iri), title = ?, publisher = ?, "
                       "warnings = ?, infos = ?, doc = ?, ttl = ?, record = ?, knowledge = ? WHERE pos = ?",
                       (*values, pos))
            if was_active:
                batch.facets_minus += [(cid, kind, value) for kind, value in
                                       db.execute("SELECT kind, value FROM terms WHERE pos = ?", (pos,)).fetchall()]
                batch.forget.append((pos,))
        if active:
            terms = {("theme", v) for v in fields.themes} | {("publisher", v) for v in fields.publishers} | \
                {("format", v) for v in fields.formats} | {("conformance", "warnings" if warnings else "complete")}
            batch.terms += [(cid, kind, value, pos) for kind, value in terms]
            batch.facets_plus += [(cid, kind, value) for kind, value in terms]
            batch.search.append((pos, fields.title, fields.description, " ".join(fields.keywords),
                                 " ".join(fields.publishers)))
            batch.reports.append((cid, state.id, state.checksum))
        counts = batch.counts.setdefault(cid, [0, 0])
        counts[0] += int(active) - int(was_active)
        counts[1] += int(not active) - int(old is not None and not was_active)
        change = state.status if old is not None or state.status != "updated" else "created"
        batch.changes.append((state.seq, cid, state.id, change, state.modified))
        batch.applied = max(batch.applied, state.seq)


    # ------------------------------------------------------------------------------------------ audit

    def audit(self, *, who: str | None, catalogue: str | None, action: str, target: str, outcome: str, status: int,
              detail: str = "") -> None:
        """One line of the write log (never a body)."""
        with self.index.write() as db:
            self._audit(db, who=who, catalogue=catalogue, action=action, target=target, outcome=outcome,
                        status=status, detail=detail)

    @staticmethod
    def _audit(db: Any, *, who: str | None, catalogue: str | None, action: str, target: str, outcome: str,
               status: int, detail: str = "") -> None:
        db.execute("INSERT INTO audit (at, who, catalogue, action, target, outcome, status, detail) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (now(), who, catalogue, action, target[:300], outcome, status,
                                                        detail[:2000]))

    def audit_log(self, *, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.index.reader.execute("SELECT n, at, who, catalogue, action, target, outcome, status, detail "
                                         "FROM audit ORDER BY n DESC LIMIT ?", (limit,))
        names = ("n", "at", "who", "catalogue", "action", "target", "outcome", "status", "detail")
        return [dict(zip(names, row, strict=True)) for row in rows]

    # ------------------------------------------------------------------------------------------ tokens

    def create_token(self, catalogue: str, name: str, *, who: str) -> tuple[tokens.Token, str]:
        self.catalogue(catalogue)
        token, secret = tokens.create(self.index, catalogue=catalogue, name=name)
        self.audit(who=who, catalogue=catalogue, action="token.create", target=token.id, outcome="created",
                   status=201)
        return token, secret

    def revoke_token(self, token_id: str, *, who: str) -> bool:
        done = tokens.revoke(self.index, token_id)
        self.audit(who=who, catalogue=None, action="token.revoke", target=token_id[:100],
                   outcome="revoked" if done else "unknown", status=204 if done else 404)
        return done

    # ------------------------------------------------------------------------------------------ reading

    def _rows(self, catalogue: str, ids: list[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for values in self.index.writer.execute(
                    f"SELECT {ROW_COLUMNS} FROM records WHERE catalogue = ? AND id IN ({marks})",  # noqa: S608
                    (catalogue, *chunk)):
                row = Row(*values)
                found[row.id] = row
        return found

    def row(self, catalogue: str, record_id: str, *, writer: bool = False) -> Row | None:
        """A record's index row (tombstones included), or None."""
        connection = self.index.writer if writer else self.index.reader
        values = connection.execute(f"SELECT {ROW_COLUMNS} FROM records WHERE catalogue = ? AND id = ?",  # noqa: S608
                                    (catalogue, record_id)).fetchone()
        return Row(*values) if values else None

    def _etag(self, seq: int, checksum: str) -> str:
        return f'"{seq}-{checksum[:16]}-{self.profile_tag}"'

    def etag(self, row: Row) -> str:
        """The strong validator of a record's representations (changes with every write and with the profile)."""
        return self._etag(row.seq, row.checksum)

    def entry(self, catalogue: str, record_id: str) -> Entry:
        """An active record as stored for reads (404 unknown, 410 deleted)."""
        found = self.index.reader.execute(
            f"SELECT {ROW_COLUMNS}, {ENTRY_COLUMNS} FROM records WHERE catalogue = ? AND id = ?",  # noqa: S608
            (catalogue, record_id)).fetchone()
        if found is None:
            raise NotFoundError(text("detail.unknown_record", id=record_id, catalogue=catalogue))
        entry = _entry(found)
        if entry.row.status == "deleted":
            raise GoneError(text("detail.record_gone", id=record_id, catalogue=catalogue))
        return entry

    def document(self, catalogue: str, record_id: str) -> tuple[Row, list[str]]:
        """An active record and its N-Triples lines, vocabulary knowledge included (404 unknown, 410 deleted)."""
        entry = self.entry(catalogue, record_id)
        return entry.row, self.lines(entry)

    def turtle(self, entries: list[Entry], *, before: Sequence[str] = ()) -> bytes:
        """Records as one Turtle document from their stored statements: prefixes, `before` (a few lines written
        here), each record, then the vocabulary knowledge they use, each key once."""
        keys: dict[str, None] = {}
        for entry in entries:
            keys.update(dict.fromkeys(entry.keys))
        parts = [ntriples.TURTLE_HEADER, ntriples.turtle_chunk(before) if before else b""]
        parts += [entry.turtle for entry in entries]
        parts.append(self.knowledge.turtle(sorted(keys)))
        return b"".join(parts)

    def lines(self, entry: Entry) -> list[str]:
        """A stored record's lines and the knowledge lines of its keys, each once."""
        return list(dict.fromkeys([*entry.lines, *self.knowledge.lines(entry.keys)]))

    def tombstone(self, catalogue: Catalogue, row: Row) -> list[str]:
        """A deleted record's CatalogRecord, as stored."""
        return sorted(f"{s} {p} {o} ." for s, p, o in self.store.triples(catalogue.record_iri(row.id)))

    def stored_report(self, catalogue: str, record_id: str) -> bytes:
        row = self.row(catalogue, record_id)
        if row is None:
            raise NotFoundError(text("detail.unknown_record", id=record_id, catalogue=catalogue))
        if row.status == "deleted":
            raise GoneError(text("detail.record_gone", id=record_id, catalogue=catalogue))
        found = self.index.reader.execute("SELECT report FROM reports WHERE catalogue = ? AND id = ? AND checksum = ?",
                                          (catalogue, record_id, row.checksum)).fetchone()
        if found is None:
            raise NotFoundError(text("detail.no_stored_report", id=record_id))
        return blobs.unpack(found[0])

    def count(self, catalogue: str) -> tuple[int, int]:
        """(active, deleted) records of a catalogue."""
        found = self.index.reader.execute("SELECT active, deleted FROM counts WHERE catalogue = ?",
                                          (catalogue,)).fetchone()
        return (int(found[0]), int(found[1])) if found else (0, 0)

    def page(self, catalogue: str, *, size: int = DEFAULT_PAGE_SIZE, cursor: str | None = None,
             modified_since: str | None = None, filters: Filters = Filters()) -> Page:
        """One page of active datasets. Without `modified_since`, in the order they were first stored (so a walk
        to the end while records are added sees each once, new ones last); with it, in the order of their last
        change, from the first change at or after that time."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        where = ["r.catalogue = ?", "r.status = 'active'"]
        params: list[Any] = [catalogue]
        if modified_since is not None:
            since = parse_time(modified_since, field_name="modified_since")
            where.append("r.modified >= ?")
            params.append(since)
            first = self.index.reader.execute("SELECT min(seq) FROM changes WHERE catalogue = ? AND at >= ?",
                                              (catalogue, since)).fetchone()[0]
            where.append("r.seq >= ?")
            params.append(first if first is not None else self._next_seq + 1)
            order, kind = "r.seq", "s"
        else:
            order, kind = "r.pos", "p"
        for term_kind, value in (("theme", filters.theme), ("publisher", filters.publisher),
                                 ("format", filters.format), ("conformance", filters.conformance)):
            if value:
                where.append("r.pos IN (SELECT pos FROM terms WHERE catalogue = ? AND kind = ? AND value = ?)")
                params += [catalogue, term_kind, value[:500]]
        match = _fts_query(filters.text)
        if match:
            where.append("r.pos IN (SELECT rowid FROM search WHERE search MATCH ?)")
            params.append(match)
        condition = " AND ".join(where)
        if modified_since is None and not filters.any():
            total = self.count(catalogue)[0]
        else:
            total = int(self.index.reader.execute(f"SELECT count(*) FROM records r WHERE {condition}",  # noqa: S608
                                                  params).fetchone()[0])
        after = decode_cursor(cursor, kind) if cursor else 0
        rows = self.index.reader.execute(
            f"SELECT {', '.join('r.' + c for c in (*ROW_COLUMNS.split(', '), *ENTRY_COLUMNS.split(', ')))} "  # noqa: S608
            f"FROM records r WHERE {condition} AND {order} > ? ORDER BY {order} LIMIT ?",
            (*params, after, size + 1)).fetchall()
        more = len(rows) > size
        rows = rows[:size]
        found = [_entry(values) for values in rows]
        last = (found[-1].row.seq if kind == "s" else found[-1].row.pos) if found else after
        return Page(rows=found, total=total, next_cursor=encode_cursor(kind, last) if more else None)

    def facets(self, catalogue: str, kind: str, *, limit: int = 200) -> list[tuple[str, int]]:
        rows = self.index.reader.execute("SELECT value, count FROM facets WHERE catalogue = ? AND kind = ? AND "
                                         "count > 0 ORDER BY count DESC, value LIMIT ?", (catalogue, kind, limit))
        return [(str(value), int(count)) for value, count in rows]

    def changes(self, catalogue: Catalogue, *, since: str | None, limit: int = 100) -> dict[str, Any]:
        """The changes feed: `since` a cursor from a previous answer or an ISO 8601 time."""
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        after = 0
        if since:
            if _CURSOR.fullmatch(since) and not since[:4].isdigit():
                after = decode_cursor(since, "c")
            else:
                moment = parse_time(since, field_name="since")
                found = self.index.reader.execute("SELECT max(seq) FROM changes WHERE catalogue = ? AND at < ?",
                                                  (catalogue.id, moment)).fetchone()[0]
                after = int(found or 0)
        rows = self.index.reader.execute("SELECT seq, id, change, at FROM changes WHERE catalogue = ? AND seq > ? "
                                         "ORDER BY seq LIMIT ?", (catalogue.id, after, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1][0] if rows else after
        return {"changes": [{"iri": catalogue.dataset_iri(rid), "id": rid, "change": change, "at": at, "seq": seq}
                            for seq, rid, change, at in rows],
                "next": encode_cursor("c", last), "more": more}

    def export_rows(self, catalogue: str, *, chunk: int = 500) -> Iterator[list[Entry]]:
        """Every active record, in chunks, in page order: constant memory."""
        after = 0
        while True:
            rows = self.index.reader.execute(
                f"SELECT {ROW_COLUMNS}, {ENTRY_COLUMNS} FROM records "  # noqa: S608
                "WHERE catalogue = ? AND status = 'active' AND pos > ? ORDER BY pos LIMIT ?",
                (catalogue, after, chunk)).fetchall()
            if not rows:
                return
            yield [_entry(values) for values in rows]
            after = rows[-1][0]

    def catalogue_times(self, catalogue: Catalogue) -> tuple[str, str]:
        """(issued, modified) of a catalogue: when Puente first kept it, and its last change."""
        issued = self.index.meta(f"created:{catalogue.id}") or now()
        last = self.index.reader.execute("SELECT max(seq) FROM changes WHERE catalogue = ?",
                                         (catalogue.id,)).fetchone()[0]
        modified = issued
        if last is not None:
            modified = self.index.reader.execute("SELECT at FROM changes WHERE seq = ?", (last,)).fetchone()[0]
        return issued, modified

    def catalogue_lines(self, catalogue: Catalogue) -> list[str]:
        """The catalogue's own description, its times, and its vocabulary knowledge."""
        issued, modified = self.catalogue_times(catalogue)
        return list(dict.fromkeys([*catalogue_lines(catalogue),
                                   *catalogue_times(catalogue, issued=issued, modified=modified),
                                   *self.knowledge.lines(catalogue_knowledge(catalogue))]))

    def stats(self) -> dict[str, Any]:
        return {"store_bytes": self.store.size_bytes(),
                "index_bytes": sum(p.stat().st_size for p in Path(self.index.path).parent.glob("catalogue.sqlite3*"))}


def _etags(header: str) -> set[str]:
    return {part.strip() for part in header.split(",") if part.strip()}


def _outcome_entry(outcome: WriteResult) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": outcome.id, "iri": outcome.iri or None, "status": outcome.status}
    if outcome.status in ("refused", "duplicate"):
        entry["reason"] = outcome.detail
        if outcome.report is not None:  # what to fix: the violations only (warnings are in the stored report)
            report = orjson.loads(outcome.report)
            entry["violations"] = [result for record in report.get("records", [])
                                   for result in record.get("results", []) if result.get("severity") == "violation"]
    return entry


def _fts_query(text_query: str) -> str:
    """Words of a search box as an FTS5 query: each word quoted (no FTS syntax from the client), prefix match."""
    words = re.findall(r"\w+", text_query[:200])[:12]
    return " ".join(f'"{word}"*' for word in words)


def run_shares(runner: Any, tasks: list[Any], job: Job) -> Iterator[PreparedShare]:
    """Each share prepared in a validation worker (the runner's), in order, with every worker busy and at most one
    share per worker waiting: the answers are written as they come, never all held."""
    width = max(1, int(getattr(runner, "workers", 1) or 1))
    with ThreadPoolExecutor(width, thread_name_prefix="publish") as pool:
        waiting: deque[Future[PreparedShare]] = deque()
        try:
            for task in tasks:
                waiting.append(pool.submit(runner.run_blocking, prepare_share, b"", task, job))
                while len(waiting) > width:
                    yield waiting.popleft().result()
            while waiting:
                yield waiting.popleft().result()
        finally:
            for future in waiting:
                future.cancel()

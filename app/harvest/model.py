"""What a harvest produces and reports: the items read from a source, the changes made, the run's record."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

from app.i18n import LocalText, render

MAX_LISTED = 500  # errors and refusals listed in a run's report (the counts stay exact)


@dataclass(frozen=True)
class HarvestItem:
    """One record as the source gave it, ready for a Sink.

    `body` is the record in `media_type` (canonical JSON with sorted keys for JSON APIs; N-Triples of the
    dataset and what it points to for DCAT), read with Puente's source `source_format` (None: detected).
    `content_hash` identifies the content (two equal hashes: nothing to do); `modified` is the metadata's own
    date as the API gives it, `data_modified` the data's where the API has one (Socrata rowsUpdatedAt).
    `publisher_iris` are publishers given only by IRI; `publishers` the names the look-up found for them."""

    source_id: str
    body: bytes
    media_type: str
    source_format: str | None
    content_hash: str
    url: str
    modified: str | None = None
    data_modified: str | None = None
    publisher_iris: tuple[str, ...] = ()
    publishers: Mapping[str, str] = field(default_factory=dict)


def json_hash(record: Any, *, ignore: Iterable[str] = ()) -> str:
    """SHA-256 of a JSON record with sorted keys; `ignore`: top-level keys that change without meaning a change
    (view counters, a date some portals bump every day)."""
    if ignore and isinstance(record, dict):
        skipped = set(ignore)
        record = {k: v for k, v in record.items() if k not in skipped}
    return hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()


def json_item(source_id: str, record: Any, *, source_format: str | None, url: str, modified: str | None = None,
              data_modified: str | None = None, ignore: Iterable[str] = ()) -> HarvestItem:
    """A JSON record as an item: canonical bytes (sorted keys), hashed without the `ignore` keys."""
    body = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    return HarvestItem(source_id=source_id, body=body, media_type="application/json", source_format=source_format,
                       content_hash=json_hash(record, ignore=ignore), url=url, modified=modified,
                       data_modified=data_modified)


class Change(StrEnum):
    """What a harvest did to one record."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"   # the record has violations: nothing stored (what was stored before stays)
    DELETED = "deleted"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class RunError:
    """A problem the run met, with the URL it concerns (`source_id` for one record's problem)."""

    kind: str  # "page" (the run stopped), "record", "publisher", "listing"
    message: LocalText
    url: str | None = None
    source_id: str | None = None

    def to_json(self, *, lang: str | None = None) -> dict[str, Any]:
        message: Any = self.message if lang is None else render(self.message, lang)
        return {"kind": self.kind, "url": self.url, "id": self.source_id, "message": message}


@dataclass(frozen=True)
class Refusal:
    """A record the sink refused: how many violations, and the first one's message."""

    source_id: str
    url: str
    violations: int
    message: LocalText | None = None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    refused: int = 0
    errors: int = 0

    def add(self, change: Change, count: int = 1) -> None:
        setattr(self, change.value, getattr(self, change.value) + count)


@dataclass
class Progress:
    pages: int = 0
    records: int = 0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class HarvestRun:
    """One harvest run: DESIGN §4a's `GET /catalogues/{cc}/harvests/{id}` answer is `to_json()`."""

    source_type: str
    url: str
    full: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    status: RunStatus = RunStatus.QUEUED
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    resumed: bool = False  # it continued a listing an earlier run left unfinished
    progress: Progress = field(default_factory=Progress)
    counts: Counts = field(default_factory=Counts)
    requests: int = 0
    errors: list[RunError] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[LocalText] = field(default_factory=list)

    def start(self) -> None:
        self.status, self.started_at = RunStatus.RUNNING, _now()

    def finish(self, status: RunStatus) -> None:
        self.status, self.finished_at = status, _now()

    def error(self, problem: RunError) -> None:
        self.counts.errors += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append(problem)

    def refused(self, refusal: Refusal) -> None:
        if len(self.refusals) < MAX_LISTED:
            self.refusals.append(refusal)

    def to_json(self, *, lang: str | None = None) -> dict[str, Any]:
        """The run as JSON: messages in every language, or in `lang`."""

        def message(local: LocalText | None) -> Any:
            return local if lang is None or local is None else render(local, lang)

        return {
            "id": self.id, "source": {"type": self.source_type, "url": self.url}, "full": self.full,
            "status": self.status.value, "created_at": self.created_at, "started_at": self.started_at,
            "finished_at": self.finished_at, "resumed": self.resumed,
            "progress": asdict(self.progress), "counts": asdict(self.counts), "requests": self.requests,
            "errors": [e.to_json(lang=lang) for e in self.errors],
            "refusals": [{"id": r.source_id, "url": r.url, "violations": r.violations, "message": message(r.message)}
                         for r in self.refusals],
            "notes": [message(n) for n in self.notes],
        }

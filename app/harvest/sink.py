"""Where a harvest writes: the Sink protocol the catalogue implements, and two sinks that validate records with
Puente's pipeline (in memory, and a JSON-Lines change log on disk for the command line and tests)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import orjson

from app.errors import PuenteError
from app.findings import Severity
from app.harvest.model import Change, HarvestItem
from app.i18n import LocalText
from app.pipeline.run import Pipeline


@dataclass(frozen=True)
class Upserted:
    """What the sink did with one item; a refusal says how many violations and the first one's message."""

    change: Change
    violations: int = 0
    message: LocalText | None = None


class Sink(Protocol):
    """What a harvest needs from the place records go (the catalogue of one country, for one source).

    - upsert: validate and store; CREATED / UPDATED / UNCHANGED (same content_hash) / REFUSED (violations or
      unreadable: nothing stored, an earlier version stays);
    - delete: remove (a tombstone for the changes feed); False when the id was not there;
    - list_ids: the source ids stored (what a complete listing is compared with to find deletions);
    - stored_hash: the content_hash stored for an id (a harvest skips an item whose hash is unchanged);
    - checkpoint: make what was written durable before the harvest saves its own state past it.
    Every method is idempotent: a run resumed after a crash repeats some of them."""

    def upsert(self, item: HarvestItem) -> Upserted: ...

    def delete(self, source_id: str) -> bool: ...

    def list_ids(self) -> set[str]: ...

    def stored_hash(self, source_id: str) -> str | None: ...

    def checkpoint(self) -> None: ...


@runtime_checkable
class BatchSink(Sink, Protocol):
    """A sink that stores a page's new and changed items in one write (`upsert_many`: one outcome per item, in
    order), so a page is stored whole or not at all and its validations can run side by side."""

    def upsert_many(self, items: list[HarvestItem]) -> list[Upserted]: ...


def check_item(pipeline: Pipeline, item: HarvestItem) -> Upserted | None:
    """A refusal when the record cannot be read or has violations (Pipeline.validate), else None."""
    try:
        outcome = pipeline.validate(item.body, media_type=item.media_type, source=item.source_format)
    except PuenteError as error:
        return Upserted(Change.REFUSED, violations=1, message=error.detail)
    violations = sum(1 for f in outcome.findings if f.severity is Severity.VIOLATION)
    if not violations:
        return None
    message: LocalText = {}
    for lang in ("es", "en"):
        report = outcome.report(profile=pipeline.profile, lang=lang)
        first = next((r["message"] for record in report["records"] for r in record["results"]
                      if r["severity"] == "violation"), None)
        if first:
            message[lang] = first
    return Upserted(Change.REFUSED, violations=violations, message=message or None)


class MemorySink:
    """A sink in memory; with a pipeline, every new or changed record is validated and refused on violations."""

    def __init__(self, pipeline: Pipeline | None = None) -> None:
        self.pipeline = pipeline
        self.records: dict[str, HarvestItem] = {}
        self._lock = threading.Lock()

    def upsert(self, item: HarvestItem) -> Upserted:
        stored = self.records.get(item.source_id)
        if stored is not None and stored.content_hash == item.content_hash:
            return Upserted(Change.UNCHANGED)
        if self.pipeline is not None:
            refusal = check_item(self.pipeline, item)
            if refusal is not None:
                return refusal
        change = Change.CREATED if stored is None else Change.UPDATED
        with self._lock:
            self.records[item.source_id] = item
            self._written(change, item.source_id, item)
        return Upserted(change)

    def delete(self, source_id: str) -> bool:
        with self._lock:
            if self.records.pop(source_id, None) is None:
                return False
            self._written(Change.DELETED, source_id, None)
        return True

    def list_ids(self) -> set[str]:
        return set(self.records)

    def stored_hash(self, source_id: str) -> str | None:
        stored = self.records.get(source_id)
        return None if stored is None else stored.content_hash

    def checkpoint(self) -> None:
        return None

    def _written(self, change: Change, source_id: str, item: HarvestItem | None) -> None:
        return None


class JsonlSink(MemorySink):
    """A MemorySink that also appends every change to a JSON-Lines file, one line per change, so the harvest's
    output survives the process. Reopening replays the log; a last line cut short by a crash is dropped."""

    def __init__(self, path: Path, pipeline: Pipeline | None = None, *, fsync: bool = True) -> None:
        super().__init__(pipeline)
        self.path = path
        self.fsync = fsync
        for event in _replay(path):
            if event["change"] == Change.DELETED:
                self.records.pop(event["id"], None)
            else:
                self.records[event["id"]] = _item_of(event)
        self._file = path.open("ab")

    def _written(self, change: Change, source_id: str, item: HarvestItem | None) -> None:
        event: dict[str, Any] = {"change": change.value, "id": source_id,
                                 "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        if item is not None:
            event.update(hash=item.content_hash, format=item.source_format, media_type=item.media_type,
                         url=item.url, modified=item.modified, data_modified=item.data_modified,
                         publishers=dict(item.publishers), body=item.body.decode("utf-8"))
        self._file.write(orjson.dumps(event) + b"\n")  # one write call: a line is whole or cut at the end
        self._file.flush()

    def checkpoint(self) -> None:
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def read_log(path: Path) -> Iterator[dict[str, Any]]:
    """The change events of a JsonlSink's file, in order (a cut last line left out)."""
    data = path.read_bytes() if path.exists() else b""
    end = data.rfind(b"\n") + 1
    for line in data[:end].splitlines():
        if line.strip():
            yield orjson.loads(line)


def _replay(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):  # the process died in the middle of a line: that change never happened
        with path.open("r+b") as torn:
            torn.truncate(end)
    yield from read_log(path)


def _item_of(event: dict[str, Any]) -> HarvestItem:
    return HarvestItem(source_id=event["id"], body=event["body"].encode("utf-8"), media_type=event["media_type"],
                       source_format=event["format"], content_hash=event["hash"], url=event["url"],
                       modified=event.get("modified"), data_modified=event.get("data_modified"),
                       publishers=event.get("publishers") or {})

"""Where catalogue quality is kept: `quality.sqlite3` beside the catalogue's index in PUENTE_DATA_DIR.

Its own file (not tables in catalogue.sqlite3) so scoring and link checks never wait for the catalogue's writer,
nor it for them. Tables:
- `dataset_latest`: each active dataset's last quality (DESIGN §4a JSON), with what it was computed from (the
  record's change sequence number, the day, the catalogue's link-check generation): stale when one of them moved;
- `dataset_history`: one line per dataset per day (score, rating, overdue): a dataset's trend;
- `catalogue_history`: one aggregate per catalogue per day (the dashboard's trends; the last one is served);
- `links`: the last check of each URL (status, reachable, when), reused until the re-check interval passes;
- `link_runs`: each link-check run, its progress and the URLs it covered.
The history tables are the only copy of past days; everything else can be computed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from app.catalogue.sqlitefile import SqliteFile
from app.quality.linkcheck import LinkCheck
from app.quality.models import CatalogueQuality, DatasetQuality, HistoryPoint

FILE_NAME = "quality.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dataset_latest (
    catalogue TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, day TEXT NOT NULL, links INTEGER NOT NULL,
    title TEXT, publisher TEXT, quality BLOB NOT NULL, PRIMARY KEY (catalogue, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dataset_history (
    catalogue TEXT NOT NULL, id TEXT NOT NULL, day TEXT NOT NULL, score INTEGER NOT NULL, rating TEXT NOT NULL,
    overdue INTEGER NOT NULL, days_overdue INTEGER, PRIMARY KEY (catalogue, id, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalogue_history (
    catalogue TEXT NOT NULL, day TEXT NOT NULL, aggregate BLOB NOT NULL, PRIMARY KEY (catalogue, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (
    url TEXT PRIMARY KEY, status INTEGER, reachable INTEGER NOT NULL, method TEXT NOT NULL, error TEXT,
    checked_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_runs (
    id TEXT PRIMARY KEY, catalogue TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, created TEXT NOT NULL,
    started TEXT, finished TEXT, total INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0, error TEXT, urls BLOB) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_runs_catalogue ON link_runs (catalogue, created);
"""


@dataclass(frozen=True)
class Stamp:
    """What a dataset's stored quality was computed from: stale when any part differs from now's."""

    seq: int
    day: str
    links: int


@dataclass(frozen=True)
class StoredQuality:
    """A dataset's last quality with the words its overdue line shows."""

    id: str
    quality: DatasetQuality
    title: str | None
    publisher: str | None


@dataclass(frozen=True)
class LinkRun:
    """One link-check run as stored."""

    id: str
    catalogue: str
    status: str   # queued | running | done | failed
    reason: str   # request | publish
    created: str
    started: str | None
    finished: str | None
    total: int
    done: int
    reused: int
    error: str | None
    urls: dict[str, list[str]]   # URL → ids of the datasets that give it


class QualityStore:
    """The SQLite file (see the module docstring); one connection, used under a lock (writes are small)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._file = SqliteFile(self.path, schema=SCHEMA)

    def close(self) -> None:
        self._file.close()

    # -- meta ------------------------------------------------------------------------------------------------

    def links_generation(self, catalogue: str) -> int:
        """Bumped when a link-check run of the catalogue ends: its datasets' reachability may have changed."""
        rows = self._file.rows("SELECT value FROM meta WHERE key = ?", (f"links:{catalogue}",))
        return int(rows[0][0]) if rows else 0

    def bump_links_generation(self, catalogue: str) -> None:
        with self._file.write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET "
                       "value = CAST(value AS INTEGER) + 1", (f"links:{catalogue}",))

    # -- datasets --------------------------------------------------------------------------------------------

    def stamps(self, catalogue: str) -> dict[str, Stamp]:
        return {rid: Stamp(seq, day, links) for rid, seq, day, links in
                self._file.rows("SELECT id, seq, day, links FROM dataset_latest WHERE catalogue = ?", (catalogue,))}

    def stamps_of(self, catalogue: str, record_id: str) -> Stamp | None:
        rows = self._file.rows("SELECT seq, day, links FROM dataset_latest WHERE catalogue = ? AND id = ?",
                          (catalogue, record_id))
        return Stamp(*rows[0]) if rows else None

    def save_datasets(self, catalogue: str, scored: Iterable[tuple[Stamp, StoredQuality]]) -> None:
        """Each dataset's quality as its latest and as its line of the day."""
        latest, history = [], []
        for stamp, stored in scored:
            quality = stored.quality
            latest.append((catalogue, stored.id, stamp.seq, stamp.day, stamp.links, stored.title, stored.publisher,
                           orjson.dumps(quality.model_dump(mode="json"))))
            history.append((catalogue, stored.id, stamp.day, quality.score, quality.rating,
                            int(quality.freshness.overdue), quality.freshness.days_overdue))
        with self._file.write() as db:  # the catalogue's kept aggregate no longer says it all, until saved again
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (f"dirty:{catalogue}",))
            db.executemany("INSERT OR REPLACE INTO dataset_latest (catalogue, id, seq, day, links, title, publisher, "
                           "quality) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", latest)
            db.executemany("INSERT OR REPLACE INTO dataset_history (catalogue, id, day, score, rating, overdue, "
                           "days_overdue) VALUES (?, ?, ?, ?, ?, ?, ?)", history)

    def forget_datasets(self, catalogue: str, ids: Iterable[str]) -> None:
        """Deleted datasets leave the latest (their past days stay in the history)."""
        with self._file.write() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (f"dirty:{catalogue}",))
            db.executemany("DELETE FROM dataset_latest WHERE catalogue = ? AND id = ?",
                           [(catalogue, rid) for rid in ids])

    def dataset(self, catalogue: str, record_id: str) -> StoredQuality | None:
        rows = self._file.rows("SELECT id, title, publisher, quality FROM dataset_latest "
                               "WHERE catalogue = ? AND id = ?", (catalogue, record_id))
        return _stored(rows[0]) if rows else None

    def datasets(self, catalogue: str, *, chunk: int = 2000) -> Iterator[StoredQuality]:
        """Every dataset's latest quality, by id, read `chunk` at a time (keyset pages: the lock is never held
        between two of them)."""
        last = ""
        while True:
            rows = self._file.rows("SELECT id, title, publisher, quality FROM dataset_latest "
                                   "WHERE catalogue = ? AND id > ? ORDER BY id LIMIT ?", (catalogue, last, chunk))
            yield from (_stored(row) for row in rows)
            if len(rows) < chunk:
                return
            last = rows[-1][0]

    def dataset_history(self, catalogue: str, record_id: str) -> list[dict[str, Any]]:
        rows = self._file.rows("SELECT day, score, rating, overdue, days_overdue FROM dataset_history "
                               "WHERE catalogue = ? AND id = ? ORDER BY day", (catalogue, record_id))
        return [{"day": day, "score": score, "rating": rating, "overdue": bool(overdue), "days_overdue": late}
                for day, score, rating, overdue, late in rows]

    # -- catalogues ------------------------------------------------------------------------------------------

    def save_catalogue(self, aggregate: CatalogueQuality, *, day: date) -> None:
        with self._file.write() as db:
            db.execute("DELETE FROM meta WHERE key = ?", (f"dirty:{aggregate.catalogue}",))
            db.execute("INSERT OR REPLACE INTO catalogue_history (catalogue, day, aggregate) VALUES (?, ?, ?)",
                       (aggregate.catalogue, day.isoformat(), orjson.dumps(aggregate.model_dump(mode="json"))))

    def is_dirty(self, catalogue: str) -> bool:
        """Whether a dataset's quality changed since the catalogue's aggregate was last kept."""
        return bool(self._file.rows("SELECT 1 FROM meta WHERE key = ?", (f"dirty:{catalogue}",)))

    def catalogue(self, catalogue: str, *, day: date | None = None) -> CatalogueQuality | None:
        """The aggregate of `day` (default: the last one kept)."""
        if day is None:
            rows = self._file.rows("SELECT aggregate FROM catalogue_history WHERE catalogue = ? "
                                   "ORDER BY day DESC LIMIT 1", (catalogue,))
        else:
            rows = self._file.rows("SELECT aggregate FROM catalogue_history WHERE catalogue = ? AND day = ?",
                              (catalogue, day.isoformat()))
        return CatalogueQuality.model_validate(orjson.loads(rows[0][0])) if rows else None

    def history(self, catalogues: Iterable[str] | None = None) -> list[HistoryPoint]:
        """The dated points of every catalogue (or of those named), one a day, oldest first."""
        wanted = None if catalogues is None else set(catalogues)
        points = []
        for catalogue, day, blob in self._file.rows("SELECT catalogue, day, aggregate FROM catalogue_history "
                                               "ORDER BY catalogue, day"):
            if wanted is not None and catalogue not in wanted:
                continue
            data = orjson.loads(blob)
            points.append(HistoryPoint(catalogue=catalogue, day=date.fromisoformat(day), datasets=data["datasets"],
                                       score=data["score"], rating=data["rating"],
                                       dimensions={k: v["score"] for k, v in data["dimensions"].items()},
                                       overdue_share=data["freshness"]["overdue_share"]))
        return points

    # -- links -----------------------------------------------------------------------------------------------

    def links(self, urls: Iterable[str]) -> dict[str, LinkCheck]:
        """The last check of each of `urls` that was ever checked."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, LinkCheck] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for url, status, reachable, method, error, checked_at in self._file.rows(
                    f"SELECT url, status, reachable, method, error, checked_at FROM links WHERE url IN ({marks})",  # noqa: S608
                    tuple(chunk)):
                found[url] = LinkCheck(url=url, status=status, reachable=bool(reachable), method=method, error=error,
                                       checked_at=checked_at)
        return found

    def save_link(self, check: LinkCheck) -> None:
        with self._file.write() as db:
            db.execute("INSERT OR REPLACE INTO links (url, status, reachable, method, error, checked_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (check.url, check.status, int(check.reachable), check.method,
                                                     check.error, check.checked_at.isoformat()))

    def create_run(self, run_id: str, catalogue: str, *, reason: str, created: str) -> None:
        with self._file.write() as db:
            db.execute("INSERT INTO link_runs (id, catalogue, status, reason, created) VALUES (?, ?, 'queued', ?, ?)",
                       (run_id, catalogue, reason, created))

    def update_run(self, run_id: str, **values: Any) -> None:
        columns = {"status", "started", "finished", "total", "done", "reused", "error", "urls"}
        assert set(values) <= columns, set(values) - columns
        if "urls" in values:
            values["urls"] = orjson.dumps(values["urls"])
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._file.write() as db:
            db.execute(f"UPDATE link_runs SET {assignments} WHERE id = ?",  # noqa: S608 (fixed column names)
                       (*values.values(), run_id))

    def run(self, catalogue: str, run_id: str) -> LinkRun | None:
        rows = self._file.rows("SELECT id, catalogue, status, reason, created, started, finished, total, done, reused, "
                          "error, urls FROM link_runs WHERE catalogue = ? AND id = ?", (catalogue, run_id))
        return _run(rows[0]) if rows else None

    def runs(self, catalogue: str, *, limit: int = 50) -> list[LinkRun]:
        rows = self._file.rows("SELECT id, catalogue, status, reason, created, started, finished, total, done, reused, "
                          "error, NULL FROM link_runs WHERE catalogue = ? ORDER BY created DESC LIMIT ?",
                          (catalogue, limit))
        return [_run(row) for row in rows]

    def interrupted_runs(self) -> int:
        """Runs a stopped process left queued or running: marked failed (they are not resumed)."""
        with self._file.write() as db:
            return db.execute("UPDATE link_runs SET status = 'failed', error = 'interrupted' "
                              "WHERE status IN ('queued', 'running')").rowcount


def _stored(row: tuple[Any, ...]) -> StoredQuality:
    rid, title, publisher, blob = row
    return StoredQuality(id=rid, quality=DatasetQuality.model_validate(orjson.loads(blob)), title=title,
                         publisher=publisher)


def _run(row: tuple[Any, ...]) -> LinkRun:
    (rid, catalogue, status, reason, created, started, finished, total, done, reused, error, urls) = row
    return LinkRun(id=rid, catalogue=catalogue, status=status, reason=reason, created=created, started=started,
                   finished=finished, total=total, done=done, reused=reused, error=error,
                   urls=orjson.loads(urls) if urls else {})

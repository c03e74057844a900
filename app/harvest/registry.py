"""What harvesting keeps between runs, in one small SQLite file beside the catalogue (PUENTE_DATA_DIR/harvest.sqlite3):

- `sources`: the harvest sources an admin registered (or harvest.yaml, or `puente harvest` named);
- `runs`: every run and its report (status, progress, counts, requests, errors with their URLs), kept and listed;
- `state`: each source's reader state (its cursor, high-water marks), saved after every page;
- `records`: for each source, which catalogue record each of its datasets became and the content hash stored,
  what the next run compares with (unchanged records are never validated again) and deletes from.

Every write is one SQLite transaction (WAL, synchronous=FULL): a kill -9 leaves the file as it was before or after
it. The file is used only by the process that holds the data folder's lock (the server, or one command).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from app.catalogue.sqlitefile import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, catalogue TEXT NOT NULL, type TEXT NOT NULL, url TEXT NOT NULL,
    schedule TEXT, rate_limit REAL, options TEXT NOT NULL DEFAULT '{}', origin TEXT NOT NULL,
    created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, catalogue TEXT NOT NULL, status TEXT NOT NULL,
    created TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS runs_of_catalogue ON runs (catalogue, created);
CREATE TABLE IF NOT EXISTS state (source TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    source TEXT NOT NULL, sid TEXT NOT NULL, record TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (source, sid)) WITHOUT ROWID;
"""
ACTIVE = ("queued", "running")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def source_id(catalogue: str, kind: str, url: str) -> str:
    """The id a source gets when none is given: the same catalogue, type and URL always get the same one."""
    return f"{catalogue}-{kind}-" + hashlib.sha256(f"{catalogue} {kind} {url}".encode()).hexdigest()[:10]


@dataclass(frozen=True)
class SourceEntry:
    """A registered harvest source. `options`: reader settings beyond the common ones (format, rows, domain,
    discovery_url, modified_since, sweep_every, full_every, lookup_publishers)."""

    id: str
    catalogue: str
    type: str
    url: str
    schedule: str | None = None
    rate_limit: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    origin: str = "api"  # api | file | cli
    created: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class HarvestDb:
    """The file (see the module docstring); every method is safe from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # synchronous=FULL: a checkpoint is durable before the state moves past it
        self._file = SqliteFile(path, schema=SCHEMA, synchronous="FULL")

    def close(self) -> None:
        self._file.close()

    # -- sources ---------------------------------------------------------------------------------------------

    def put_source(self, entry: SourceEntry) -> None:
        """Add a source, or replace the one with its id (its state and records stay: the next run goes on)."""
        with self._file.write() as db:
            db.execute("INSERT OR REPLACE INTO sources (id, catalogue, type, url, schedule, rate_limit, options, "
                       "origin, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry.id, entry.catalogue, entry.type, entry.url, entry.schedule, entry.rate_limit,
                        orjson.dumps(entry.options).decode(), entry.origin, entry.created))

    def source(self, source: str) -> SourceEntry | None:
        rows = self._file.rows("SELECT id, catalogue, type, url, schedule, rate_limit, options, origin, created "
                          "FROM sources WHERE id = ?", (source,))
        return _entry(rows[0]) if rows else None

    def sources(self) -> list[SourceEntry]:
        return [_entry(row) for row in self._file.rows(
            "SELECT id, catalogue, type, url, schedule, rate_limit, options, origin, created FROM sources "
            "ORDER BY created, id")]

    def delete_source(self, source: str) -> bool:
        """Forget a source and its state (its records stay in the catalogue; its runs stay listed)."""
        with self._file.write() as db:
            gone = db.execute("DELETE FROM sources WHERE id = ?", (source,)).rowcount
            db.execute("DELETE FROM state WHERE source = ?", (source,))
            db.execute("DELETE FROM records WHERE source = ?", (source,))
        return bool(gone)

    # -- runs ------------------------------------------------------------------------------------------------

    def save_run(self, run: dict[str, Any]) -> None:
        """A run's report (HarvestRun.to_json() with its `source` and `catalogue`), inserted or replaced."""
        with self._file.write() as db:
            db.execute("INSERT OR REPLACE INTO runs (id, source, catalogue, status, created, body) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (run["id"], run["source"]["id"], run["catalogue"], run["status"],
                                                     run["created_at"], orjson.dumps(run)))

    def run(self, run_id: str) -> dict[str, Any] | None:
        rows = self._file.rows("SELECT body FROM runs WHERE id = ?", (run_id,))
        return orjson.loads(rows[0][0]) if rows else None

    def runs(self, *, catalogue: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest runs first."""
        if catalogue is None:
            rows = self._file.rows("SELECT body FROM runs ORDER BY created DESC, rowid DESC LIMIT ?", (limit,))
        else:
            rows = self._file.rows("SELECT body FROM runs WHERE catalogue = ? "
                                   "ORDER BY created DESC, rowid DESC LIMIT ?", (catalogue, limit))
        return [orjson.loads(row[0]) for row in rows]

    def active_run(self, source: str) -> str | None:
        rows = self._file.rows("SELECT id FROM runs WHERE source = ? AND status IN ('queued', 'running') LIMIT 1",
                          (source,))
        return str(rows[0][0]) if rows else None

    def unfinished_runs(self) -> list[dict[str, Any]]:
        return [orjson.loads(row[0]) for row in
                self._file.rows("SELECT body FROM runs WHERE status IN ('queued', 'running')")]

    # -- a source's state and records ------------------------------------------------------------------------

    def load_state(self, source: str) -> dict[str, Any] | None:
        rows = self._file.rows("SELECT body FROM state WHERE source = ?", (source,))
        return orjson.loads(rows[0][0]) if rows else None

    def save_state(self, source: str, state: dict[str, Any]) -> None:
        with self._file.write() as db:
            db.execute("INSERT OR REPLACE INTO state (source, body) VALUES (?, ?)", (source, orjson.dumps(state)))

    def record_hashes(self, source: str) -> dict[str, tuple[str, str]]:
        """source id → (catalogue record id, content hash) of every dataset of `source` in the catalogue."""
        return {sid: (record, hashed) for sid, record, hashed in
                self._file.rows("SELECT sid, record, hash FROM records WHERE source = ?", (source,))}

    def keep_records(self, source: str, kept: list[tuple[str, str, str]]) -> None:
        """(source id, record id, hash) of datasets the catalogue now holds, in one transaction."""
        with self._file.write() as db:
            db.executemany("INSERT OR REPLACE INTO records (source, sid, record, hash) VALUES (?, ?, ?, ?)",
                           [(source, sid, record, hashed) for sid, record, hashed in kept])

    def forget_record(self, source: str, sid: str) -> None:
        with self._file.write() as db:
            db.execute("DELETE FROM records WHERE source = ? AND sid = ?", (source, sid))


def _entry(row: tuple[Any, ...]) -> SourceEntry:
    return SourceEntry(id=row[0], catalogue=row[1], type=row[2], url=row[3], schedule=row[4], rate_limit=row[5],
                       options=orjson.loads(row[6]), origin=row[7], created=row[8])


class DbStateStore:
    """A source's harvest state in the harvest file (a StateStore)."""

    def __init__(self, db: HarvestDb, source: str) -> None:
        self.db, self.source = db, source

    def load(self) -> dict[str, Any] | None:
        return self.db.load_state(self.source)

    def save(self, state: dict[str, Any]) -> None:
        self.db.save_state(self.source, state)

"""The catalogue's SQLite file beside the RDF store: what pages, filters, the changes feed and counts read, and
the operational state that is not RDF.

Two kinds of tables:
- derived from the store (rebuilt by reconciliation, never the only copy): `records` (one row per record ever
  stored, tombstones included, with its served N-Triples), `changes` (the feed), `terms` and `facets` (filters),
  `search` (FTS5 full text), `counts`;
- primary (only here): `tokens`, `audit` (every write: who, when, what, outcome — never a body), `reports` (the
  validation report stored with each version of a record, written before the record itself).
Later features add their own tables with `ensure_schema`.

WAL mode: readers (one connection per thread) never wait for the writer; the one writer is the catalogue
service, which holds the data folder's lock. A page is a range scan of an index (`records_page`, `terms` or
`changes_feed`) from the cursor: its cost does not grow with the catalogue.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.catalogue.sqlitefile import transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    pos INTEGER PRIMARY KEY,          -- creation order: pages walk it, so records added meanwhile come last
    catalogue TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,             -- change sequence number of its last write (the graph's CatalogRecord)
    status TEXT NOT NULL,             -- active | deleted
    checksum TEXT NOT NULL,
    issued TEXT NOT NULL,
    modified TEXT NOT NULL,
    source TEXT NOT NULL,
    original_id TEXT NOT NULL,
    source_iri TEXT,
    title TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    warnings INTEGER NOT NULL DEFAULT 0,
    infos INTEGER NOT NULL DEFAULT 0,
    doc BLOB,                         -- its dataset's N-Triples, compressed (blobs.py): what reads serve
    ttl BLOB,                         -- the same as Turtle statements (no prefix lines), compressed
    record TEXT NOT NULL DEFAULT '',  -- its CatalogRecord's N-Triples lines (valid Turtle too)
    knowledge TEXT NOT NULL DEFAULT '',  -- keys of the vocabulary knowledge it uses (knowledge.py), one a line
    UNIQUE (catalogue, id)
);
CREATE INDEX IF NOT EXISTS records_page ON records (catalogue, status, pos);
CREATE INDEX IF NOT EXISTS records_seq ON records (catalogue, status, seq);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, catalogue TEXT NOT NULL, id TEXT NOT NULL, change TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_feed ON changes (catalogue, seq);
CREATE INDEX IF NOT EXISTS changes_time ON changes (catalogue, at);
CREATE TABLE IF NOT EXISTS terms (
    catalogue TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, pos INTEGER NOT NULL,
    PRIMARY KEY (catalogue, kind, value, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_of_record ON terms (pos);
CREATE TABLE IF NOT EXISTS facets (
    catalogue TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (catalogue, kind, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counts (catalogue TEXT PRIMARY KEY, active INTEGER NOT NULL, deleted INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
    title, description, keywords, publisher, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS reports (
    catalogue TEXT NOT NULL, id TEXT NOT NULL, checksum TEXT NOT NULL, at TEXT NOT NULL, report BLOB NOT NULL,
    PRIMARY KEY (catalogue, id, checksum)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, catalogue TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, revoked TEXT);
CREATE TABLE IF NOT EXISTS audit (
    n INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT, catalogue TEXT, action TEXT NOT NULL, target TEXT NOT NULL,
    outcome TEXT NOT NULL, status INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '');
"""
DERIVED = ("records", "changes", "terms", "facets", "counts", "search")


class Index:
    """The SQLite file: one writer connection (used under the service's write lock), a reader per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = self._connect()
        self.writer.executescript(SCHEMA)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # WAL: a process crash loses nothing committed
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    @property
    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
            connection.execute("PRAGMA query_only=ON")
        return connection

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the writer connection (the caller holds the service's write lock)."""
        with transaction(self.writer) as db:
            yield db

    def ensure_schema(self, name: str, statements: str) -> None:
        """Create a feature's own tables once (idempotent: `CREATE TABLE IF NOT EXISTS` statements), and note it."""
        self.writer.executescript(statements)
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'created')", (f"schema:{name}",))

    def meta(self, key: str, default: str = "") -> str:
        row = self.reader.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def applied_sequence(self) -> int:
        """The highest change sequence number whose index rows are committed."""
        row = self.writer.execute("SELECT value FROM meta WHERE key = 'applied_seq'").fetchone()
        return int(row[0]) if row else 0

    def clear_derived(self) -> None:
        """Forget every derived table (a rebuild from the store follows)."""
        with self.write() as db:
            for table in DERIVED:
                db.execute(f"DELETE FROM {table}")  # noqa: S608 (a fixed table name)
            db.execute("DELETE FROM meta WHERE key = 'applied_seq'")

    def close(self) -> None:
        self.writer.close()
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()

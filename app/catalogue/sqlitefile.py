"""A small SQLite file kept beside the catalogue (harvest state, quality history): one connection, under a lock.

Every write is one transaction (`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any error), in WAL mode, so a kill -9
leaves the file as it was before or after a write. Only the process holding the data folder's lock opens it.
`transaction` is that write, also used by the catalogue's index (`index.py`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on an autocommit connection: `BEGIN IMMEDIATE` (the write lock at once, so a busy
    file waits here rather than failing half-way), `COMMIT` when the block ends, `ROLLBACK` when it raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class SqliteFile:
    """One SQLite file, safe from any thread (its methods serialise on one re-entrant lock)."""

    def __init__(self, path: Path, *, schema: str, synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(schema)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._lock, transaction(self._db) as db:
            yield db

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

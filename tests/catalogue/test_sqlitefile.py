"""The small SQLite files beside the catalogue (harvest state, quality history): a write is all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalogue.sqlitefile import SqliteFile

SCHEMA = "CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"


def test_a_write_that_raises_leaves_nothing(tmp_path: Path) -> None:
    kept = SqliteFile(tmp_path / "folder" / "kept.sqlite3", schema=SCHEMA, synchronous="FULL")
    with kept.write() as db:
        db.execute("INSERT INTO kept VALUES ('a', 1)")
    with pytest.raises(RuntimeError), kept.write() as db:
        db.execute("INSERT INTO kept VALUES ('b', 2)")
        raise RuntimeError("stopped half-way")
    assert kept.rows("SELECT key, value FROM kept ORDER BY key") == [("a", 1)]
    kept.close()


def test_reopened_the_file_keeps_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "kept.sqlite3"
    first = SqliteFile(path, schema=SCHEMA)
    with first.write() as db:
        db.executemany("INSERT INTO kept VALUES (?, ?)", [("a", 1), ("b", 2)])
    first.close()
    again = SqliteFile(path, schema=SCHEMA)  # the schema runs again: CREATE ... IF NOT EXISTS keeps the rows
    assert again.rows("SELECT count(*) FROM kept") == [(2,)]
    assert again.rows("SELECT value FROM kept WHERE key = ?", ("b",)) == [(2,)]
    again.close()

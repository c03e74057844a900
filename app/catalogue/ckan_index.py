"""What the CKAN Action API (app/api/routes/ckan.py) asks of the catalogue index: package names, offset pages in
CKAN's sort orders with its filters, and the publishers that stand for CKAN organisations.

Names. A CKAN package name is `[a-z0-9_-]{2,100}` and unique in a portal; Puente's records are unique per
catalogue and their ids may hold capitals, `.` or `~`. A package is named `{catalogue}-{id}` with every character
outside `[a-z0-9-]` written `_xx` (its byte in hex): one name per record, the same in every view, and the record is
found again from its name without a lookup table (`records_named`).

Organisations. A CKAN organisation is who publishes a dataset: here one per (catalogue, publisher name), named
`{catalogue}-{slug of the name}`. Names that slug alike (accents, case) are the same organisation.

Every query below is a fixed SQL text with `?` parameters; values from requests never reach the SQL text, sort
keys are looked up in SORT_COLUMNS, and free text goes to FTS5 as quoted words only.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.catalogue.service import ENTRY_COLUMNS, ROW_COLUMNS, CatalogueService, Entry, Row

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_ESCAPE = re.compile(r"_([0-9a-f]{2})")
MAX_START = 2**31 - 1  # Solr's limit on `start`
# CKAN sort keys → SQL expressions (fixed texts; `ckan_name` is registered on the connection by `_reader`)
SORT_COLUMNS = {"metadata_modified": "r.modified", "metadata_created": "r.issued",
                "name": "ckan_name(r.catalogue, r.id)", "title": "r.title COLLATE NOCASE",
                "title_string": "r.title COLLATE NOCASE"}


def package_name(catalogue: str, record_id: str) -> str:
    """A record's CKAN package name (see the module docstring)."""
    out = [catalogue, "-"]
    for char in record_id:
        out.append(char if char in _KEEP else "".join(f"_{byte:02x}" for byte in char.encode("utf-8")))
    return "".join(out)


def records_named(name: str, catalogues: Iterable[str]) -> list[tuple[str, str]]:
    """The (catalogue, record id) pairs a package name can stand for (several only when catalogue ids share a
    prefix, `co` and `co-x`); none for what no `package_name` writes."""
    found: list[tuple[str, str]] = []
    if len(name) > 1200 or not re.fullmatch(r"[a-z0-9_-]+", name):
        return found
    for catalogue in catalogues:
        if not name.startswith(catalogue + "-") or len(name) == len(catalogue) + 1:
            continue
        rest = name[len(catalogue) + 1:]
        if "_" in _ESCAPE.sub("", rest):
            continue  # a bare `_` is never written
        try:
            raw = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), rest).encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if package_name(catalogue, raw) == name:
            found.append((catalogue, raw))
    return found


def organization_name(catalogue: str, publisher: str) -> str:
    """The CKAN organisation of a publisher of a catalogue."""
    plain = unicodedata.normalize("NFKD", publisher).encode("ascii", "ignore").decode("ascii").lower()
    return f"{catalogue}-" + (re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:90] or "publisher")


@dataclass(frozen=True)
class TimeRange:
    """A range of index times (`%Y-%m-%dT%H:%M:%S.%fZ`, which sort as strings); None is open."""

    low: str | None = None
    high: str | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True


@dataclass(frozen=True)
class Publishers:
    """An organisation as a filter: these publisher names of this catalogue."""

    catalogue: str
    names: frozenset[str]


@dataclass(frozen=True)
class Search:
    """What package_search may be narrowed to. Every field narrows (AND); an empty tuple does not."""

    catalogues: tuple[str, ...]
    text: tuple[str, ...] = ()             # words (any field), each must match (prefix)
    tags: tuple[str, ...] = ()             # keywords (their words, in order)
    modified: tuple[TimeRange, ...] = ()
    created: tuple[TimeRange, ...] = ()
    organizations: tuple[Publishers, ...] = ()
    records: tuple[tuple[tuple[str, str], ...], ...] = ()  # per `name:` clause, the records it can be
    themes: tuple[str, ...] = ()           # theme IRIs
    formats: tuple[str, ...] = ()          # dct:format IRIs
    nothing: bool = False                  # a clause no dataset can match (an unknown catalogue, ...)


@dataclass
class Found:
    count: int
    entries: list[Entry]


# CKAN's orders and harvesters' filters are on metadata_modified, and names sort by (catalogue, id): an index that
# holds them answers counts and sorts without reading the records' rows (which carry their stored documents).
# Made once per data folder, through a connection of its own (the service's writer may be inside a transaction);
# SQLite keeps it up to date on every write.
MODIFIED_INDEX = "CREATE INDEX IF NOT EXISTS ckan_modified ON records (catalogue, status, modified, id)"
_INDEXED: set[str] = set()
_INDEXING = threading.Lock()


def _ensure_index(path: Path) -> None:
    key = str(path)
    if key in _INDEXED:
        return
    with _INDEXING:
        if key not in _INDEXED:
            connection = sqlite3.connect(path, timeout=60)
            try:
                connection.execute(MODIFIED_INDEX)
                connection.commit()
            finally:
                connection.close()
            _INDEXED.add(key)


def _reader(service: CatalogueService) -> Any:
    _ensure_index(service.index.path)
    connection = service.index.reader
    connection.create_function("ckan_name", 2, package_name, deterministic=True)
    return connection


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value[:500])[:12]


def _match(search: Search) -> str:
    """One FTS5 query: each word double-quoted (no FTS syntax from a client gets through)."""
    parts = [f'"{word}"*' for phrase in search.text for word in _words(phrase)]
    for tag in search.tags:
        words = _words(tag)
        if words:
            parts.append("keywords : \"" + " ".join(words) + "\"")
    return " AND ".join(parts)


def _condition(search: Search) -> tuple[str, list[Any]]:
    marks = ",".join("?" * len(search.catalogues))
    where = [f"r.catalogue IN ({marks})", "r.status = 'active'"]
    params: list[Any] = list(search.catalogues)
    if search.nothing or not search.catalogues:
        where.append("0")
    for column, ranges in (("r.modified", search.modified), ("r.issued", search.created)):
        for span in ranges:
            if span.low is not None:
                where.append(f"{column} {'>=' if span.low_inclusive else '>'} ?")
                params.append(span.low)
            if span.high is not None:
                where.append(f"{column} {'<=' if span.high_inclusive else '<'} ?")
                params.append(span.high)
    for organization in search.organizations:
        names = sorted(organization.names) or [""]
        where.append(f"r.catalogue = ? AND r.publisher IN ({','.join('?' * len(names))})")
        params += [organization.catalogue, *names]
    for candidates in search.records:
        options = " OR ".join("(r.catalogue = ? AND r.id = ?)" for _ in candidates) or "0"
        where.append(f"({options})")
        params += [value for pair in candidates for value in pair]
    for kind, values in (("theme", search.themes), ("format", search.formats)):
        for value in values:
            where.append("r.pos IN (SELECT pos FROM terms WHERE catalogue = r.catalogue AND kind = ? AND value = ?)")
            params += [kind, value[:500]]
    match = _match(search)
    if match:
        where.append("r.pos IN (SELECT rowid FROM search WHERE search MATCH ?)")
        params.append(match)
    elif search.text or search.tags:
        where.append("0")  # words that are all punctuation match nothing (as an empty Solr query would not)
    return " AND ".join(where), params


def search(service: CatalogueService, query: Search, *, sort: Sequence[tuple[str, str]], rows: int,
           start: int) -> Found:
    """One page (`rows` from `start`) of active datasets, in `sort` order (keys of SORT_COLUMNS, asc|desc), ties in
    the order they were first stored."""
    condition, params = _condition(query)
    reader = _reader(service)
    count = int(reader.execute(f"SELECT count(*) FROM records r WHERE {condition}", params).fetchone()[0])  # noqa: S608
    if rows <= 0 or start >= count:
        return Found(count=count, entries=[])
    order = ", ".join(f"{SORT_COLUMNS[key]} {'DESC' if direction == 'desc' else 'ASC'}" for key, direction in sort)
    # The page's positions first (a sort of small keys), then its rows: sorting whole rows would move every
    # matching record's stored documents through the sorter.
    positions = [int(v[0]) for v in reader.execute(
        f"SELECT r.pos FROM records r WHERE {condition} ORDER BY {order + ', ' if order else ''}r.pos "  # noqa: S608
        "LIMIT ? OFFSET ?", (*params, rows, min(start, MAX_START)))]
    found: dict[int, Entry] = {}
    for first in range(0, len(positions), 500):
        chunk = positions[first:first + 500]
        for v in reader.execute(f"SELECT {ROW_COLUMNS}, {ENTRY_COLUMNS} FROM records "  # noqa: S608
                                f"WHERE pos IN ({','.join('?' * len(chunk))})", chunk):
            found[int(v[0])] = Entry(Row(*v[:15]), v[15], v[16], v[17], v[18])
    return Found(count=count, entries=[found[pos] for pos in positions if pos in found])


def names(service: CatalogueService, catalogues: Sequence[str], *, limit: int | None, offset: int) -> list[str]:
    """Package names of active datasets, in name order."""
    marks = ",".join("?" * len(catalogues))
    rows = _reader(service).execute(
        f"SELECT ckan_name(catalogue, id) AS name FROM records WHERE catalogue IN ({marks}) "  # noqa: S608
        "AND status = 'active' ORDER BY name LIMIT ? OFFSET ?",
        (*catalogues, -1 if limit is None else limit, min(offset, MAX_START))).fetchall()
    return [str(row[0]) for row in rows]


@dataclass
class Organization:
    name: str
    catalogue: str
    title: str                 # the publisher's name (the most used spelling when several slug alike)
    publishers: frozenset[str]
    package_count: int


def organizations(service: CatalogueService, catalogues: Sequence[str]) -> list[Organization]:
    """Every organisation of these catalogues that has an active dataset, by name."""
    marks = ",".join("?" * len(catalogues))
    rows = _reader(service).execute(
        f"SELECT catalogue, publisher, count(*) FROM records WHERE catalogue IN ({marks}) "  # noqa: S608
        "AND status = 'active' AND publisher != '' GROUP BY catalogue, publisher", tuple(catalogues)).fetchall()
    grouped: dict[str, list[tuple[str, str, int]]] = {}
    for catalogue, publisher, count in rows:
        grouped.setdefault(organization_name(catalogue, publisher), []).append((catalogue, publisher, int(count)))
    found = []
    for name, members in sorted(grouped.items()):
        title = max(members, key=lambda m: (m[2], m[1]))[1]
        found.append(Organization(name=name, catalogue=members[0][0], title=title,
                                  publishers=frozenset(m[1] for m in members),
                                  package_count=sum(m[2] for m in members)))
    return found


def organization(service: CatalogueService, catalogues: Sequence[str], name: str) -> Organization | None:
    """One organisation by its name (or None)."""
    owners = [c for c in catalogues if name.startswith(c + "-")]
    if not owners or len(name) > 200:
        return None
    return next((o for o in organizations(service, owners) if o.name == name), None)

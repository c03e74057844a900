"""The RDF store behind the catalogue, the source of truth: one named graph per record, written atomically.

`GraphStore` is what the catalogue needs of a store, and nothing more, so that a SPARQL 1.1 + Graph Store
Protocol server (Virtuoso) fits behind it too. Everything crosses it as N-Triples terms and lines (strings written
by pyoxigraph, `ntriples.py`): nothing a client sends is ever concatenated into a query or an update unchecked.

`OxigraphStore` is the embedded default: pyoxigraph's on-disk store (RocksDB) in PUENTE_DATA_DIR/store.
- Replacing graphs is one SPARQL update (`DROP SILENT GRAPH` + `INSERT DATA`), which pyoxigraph applies in one
  transaction: a reader, or a restart after kill -9, sees the old graphs or the new ones, never a mix.
- Graphs that do not exist yet (the first publication of a catalogue) go through pyoxigraph's bulk loader, three
  to four times faster: below a million quads it writes one set of SST files and ingests them in one RocksDB
  `IngestExternalFiles` call, which RocksDB applies atomically across column families (all or nothing, also
  after a crash). Calls are kept below that size. Leftover SST files of an interrupted load are removed on open.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from app.catalogue import ntriples
from app.rdf.namespaces import PUENTE
from app.settings import Settings

StrTriple = tuple[str, str, str]
SEQUENCE = ntriples.iri(str(PUENTE.changeSequence))
BULK_MAX_QUADS = 900_000  # pyoxigraph's bulk loader writes one batch (one atomic ingestion) below 1,000,000


class GraphStore(Protocol):
    """What the catalogue asks of an RDF store. Graph names are IRIs (plain strings); triples are N-Triples."""

    def replace(self, graphs: Mapping[str, Sequence[str]], *, fresh: bool = False) -> None:
        """Give each graph exactly these N-Triples lines, all in one atomic write (a reader and a crash see all
        of them or none). `fresh`: the caller knows none of these graphs exists yet (a faster path may be used)."""
        ...

    def drop(self, graphs: Sequence[str]) -> None:
        """Remove these graphs, atomically."""
        ...

    def triples(self, graph: str) -> list[StrTriple]:
        """The triples of one graph, as N-Triples terms (empty when the graph does not exist)."""
        ...

    def select(self, query: str) -> list[dict[str, str]]:
        """A read-only SPARQL SELECT; each row maps a variable to its value as an N-Triples term."""
        ...

    def sequences(self, *, after: int) -> Iterator[tuple[str, int]]:
        """(graph, change sequence number) of every record graph written with a sequence above `after`, in
        sequence order: what the index reconciles on open."""
        ...

    def size_bytes(self) -> int:
        """The store's size on disk."""
        ...

    def close(self) -> None:
        ...


class OxigraphStore:
    """pyoxigraph's on-disk store (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        for leftover in path.glob("bulk-*.sst"):  # an interrupted bulk load's files, never ingested
            leftover.unlink()
        self.path = path
        self.store = ox.Store(str(path))

    def replace(self, graphs: Mapping[str, Sequence[str]], *, fresh: bool = False) -> None:
        if not graphs:
            return
        if fresh and sum(len(lines) for lines in graphs.values()) < BULK_MAX_QUADS:
            quads = "\n".join(f"{line[:-1]}{graph} ." for graph, lines in
                               ((ntriples.iri(name), lines) for name, lines in graphs.items()) for line in lines)
            # lenient: every term was written by pyoxigraph itself (ntriples.py), checking it again costs a tenth
            self.store.bulk_load(quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS, lenient=True)
            return
        names = [ntriples.iri(name) for name in graphs]
        drops = " ;\n".join(f"DROP SILENT GRAPH {name}" for name in names)
        data = "\n".join(f"GRAPH {name} {{\n" + "\n".join(lines) + "\n}" for name, lines in zip(names, graphs.values(),
                                                                                              strict=True))
        self.store.update(f"{drops} ;\nINSERT DATA {{\n{data}\n}}")

    def drop(self, graphs: Sequence[str]) -> None:
        if graphs:
            self.store.update(" ;\n".join(f"DROP SILENT GRAPH {ntriples.iri(name)}" for name in graphs))

    def triples(self, graph: str) -> list[StrTriple]:
        return [(str(q.subject), str(q.predicate), str(q.object))
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

    def select(self, query: str) -> list[dict[str, str]]:
        results = self.store.query(query)
        assert isinstance(results, ox.QuerySolutions), "select() runs SELECT queries"
        names = [variable.value for variable in results.variables]
        return [{name: str(row[name]) for name in names if row[name] is not None} for row in results]

    def sequences(self, *, after: int) -> Iterator[tuple[str, int]]:
        rows = self.select(f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?r {SEQUENCE} ?s }} FILTER(?s > {int(after)}) }} "
                           "ORDER BY ?s")
        for row in rows:
            yield row["g"][1:-1], int(row["s"].split('"')[1])

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def close(self) -> None:
        self.store.flush()
        del self.store


def open_store(settings: Settings, path: Path) -> GraphStore:
    """The store PUENTE_STORE names: the embedded one in `path`, or the SPARQL server of the settings."""
    if settings.store == "sparql":
        from app.catalogue.sparqlstore import Endpoints, SparqlStore

        return SparqlStore(Endpoints.from_settings(settings))
    return OxigraphStore(path)


def remove_store(path: Path) -> None:
    """Delete an embedded store's files (tests and benchmarks)."""
    shutil.rmtree(path, ignore_errors=True)

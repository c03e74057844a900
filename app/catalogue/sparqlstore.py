"""The catalogue's store on a SPARQL 1.1 server with the Graph Store HTTP Protocol (Virtuoso 7), PUENTE_STORE=sparql.

The same contract as the embedded store (`graphstore.GraphStore`), over HTTP:
- A record's graph is written whole by one Graph Store `PUT ?graph=` (the server replaces the graph in one
  transaction: a reader sees the old graph or the new one). A share of many records is sent as that many PUTs, a
  few at once on kept-alive connections, because one large SPARQL `INSERT DATA` is what Virtuoso handles worst.
  So a write of several graphs is atomic per graph, not as a whole: after a crash some of a share's graphs may be
  stored and others not. That keeps the catalogue consistent, because the index follows the store graph by graph
  (`CatalogueService.reconcile` indexes every stored graph above its last sequence number).
- Graphs are removed in one SPARQL Update (`DROP SILENT GRAPH ...`), one transaction.
- Reads never take a possibly cut answer as complete. Virtuoso caps every answer at ResultSetMaxRows without an
  error; it says so in an `X-SPARQL-MaxRows` header on SELECT answers only (a CONSTRUCT or a Graph Store GET is
  cut in silence). So: a graph's triples are counted first and read in ordered pages until the count is reached;
  sequence numbers are read by keyset pages until a page comes back empty (an empty answer cannot be cut); a
  SELECT whose answer carries the cap header raises StoreError.
- Every request has a time limit (PUENTE_SPARQL_HTTP_TIMEOUT_S). The server is the operator's own choice, so it is
  not held to the SSRF guard of app/net (which refuses loopback and private addresses).
Terms cross as N-Triples written by pyoxigraph; graph names go through `ntriples.iri`, which refuses anything that
could end an IRI early.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pyoxigraph as ox

from app.catalogue import ntriples
from app.errors import StoreError
from app.i18n import text
from app.rdf.namespaces import PUENTE
from app.settings import Settings

StrTriple = tuple[str, str, str]
SEQUENCE = ntriples.iri(str(PUENTE.changeSequence))
CAP_HEADER = "x-sparql-maxrows"  # Virtuoso: this answer was cut at ResultSetMaxRows
_XSD = "http://www.w3.org/2001/XMLSchema#"
_JSON = "application/sparql-results+json"


DEADLOCK_RETRIES = 6
_DEADLOCK = re.compile(r"\b40001\b|SR172|deadlock", re.IGNORECASE)

@dataclass(frozen=True)
class Endpoints:
    """Where the SPARQL server answers, and how Puente signs in to write."""

    query_url: str
    update_url: str
    gsp_url: str
    user: str
    password: str
    auth: str  # digest | basic
    timeout_s: float
    page_rows: int
    write_threads: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        missing = [name for name, value in (("PUENTE_SPARQL_QUERY_URL", settings.sparql_query_url),
                                            ("PUENTE_SPARQL_UPDATE_URL", settings.sparql_update_url),
                                            ("PUENTE_GSP_URL", settings.gsp_url)) if not value]
        if missing:
            raise StoreError(text("detail.store_not_configured", missing=", ".join(missing)))
        return cls(query_url=settings.sparql_query_url, update_url=settings.sparql_update_url,
                   gsp_url=settings.gsp_url, user=settings.sparql_user,
                   password=settings.sparql_password.get_secret_value(), auth=settings.sparql_auth,
                   timeout_s=settings.sparql_http_timeout_s, page_rows=settings.sparql_page_rows,
                   write_threads=settings.sparql_write_threads)


def term_of(binding: dict[str, Any]) -> str:
    """A SPARQL JSON result term as an N-Triples term (Virtuoso writes booleans as 1 and 0 there)."""
    kind, value = binding["type"], str(binding["value"])
    if kind == "uri":
        return ntriples.iri(value)
    if kind == "bnode":
        return "_:" + "".join(c if c.isalnum() else "_" for c in value.removeprefix("nodeID://"))
    language = binding.get("xml:lang")
    datatype = binding.get("datatype")
    if datatype == _XSD + "boolean" and value in ("0", "1"):
        value = "true" if value == "1" else "false"
    return ntriples.literal(value, language=language, datatype=datatype)


class SparqlStore:
    """See the module docstring."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        auth: httpx.Auth | None = None
        if endpoints.user:
            auth = (httpx.DigestAuth(endpoints.user, endpoints.password) if endpoints.auth == "digest"
                    else httpx.BasicAuth(endpoints.user, endpoints.password))
        limits = httpx.Limits(max_connections=endpoints.write_threads + 4,
                              max_keepalive_connections=endpoints.write_threads + 4)
        self.reader = httpx.Client(timeout=endpoints.timeout_s, limits=limits)
        self.writer = httpx.Client(timeout=endpoints.timeout_s, limits=limits, auth=auth)

    # ------------------------------------------------------------------------------------------ HTTP

    def _failed(self, url: str, reason: str) -> StoreError:
        return StoreError(text("detail.store_failed", url=url, reason=reason[:500]))

    def _send(self, client: httpx.Client, method: str, url: str, *, check: bool = True,
              **kwargs: Any) -> httpx.Response:
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                answer = client.request(method, url, **kwargs)
            except httpx.TimeoutException as error:
                raise self._failed(url, f"no answer within {self.endpoints.timeout_s:g} s ({type(error).__name__})"
                                   ) from error
            except httpx.HTTPError as error:
                raise self._failed(url, f"{type(error).__name__}: {error}") from error
            # Concurrent writes can deadlock inside Virtuoso (SQL state 40001, "SR172: Transaction deadlocked"):
            # the server rolled the request back, and PUT and DROP are idempotent, so sending it again is safe.
            if answer.status_code < 500 or not _DEADLOCK.search(answer.text[:2000]) or attempt == DEADLOCK_RETRIES:
                break
            time.sleep(0.05 * 2 ** attempt + random.uniform(0, 0.05))
        if check and answer.status_code >= 400:
            raise self._failed(url, f"HTTP {answer.status_code}: {answer.text[:400].strip()}")
        return answer

    def query(self, query: str, *, accept: str, timeout_s: float | None = None, check: bool = True,
              params: dict[str, str] | None = None) -> httpx.Response:
        """Run a read-only query (Puente's own, or a reader's already inspected) and give the server's answer as
        it is (`check`: an error status raises StoreError)."""
        return self._send(self.reader, "POST", self.endpoints.query_url, data={"query": query, **(params or {})},
                          headers={"Accept": accept}, check=check,
                          timeout=timeout_s if timeout_s is not None else self.endpoints.timeout_s)

    def _rows(self, query: str) -> tuple[list[dict[str, str]], bool]:
        """A SELECT's rows as N-Triples terms, and whether the server says it cut them."""
        answer = self.query(query, accept=_JSON)
        try:
            bindings = orjson.loads(answer.content)["results"]["bindings"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as error:
            raise self._failed(self.endpoints.query_url, f"not SPARQL JSON results: {answer.text[:200]}") from error
        rows = [{name: term_of(value) for name, value in row.items()} for row in bindings]
        return rows, CAP_HEADER in answer.headers

    # ------------------------------------------------------------------------------------------ GraphStore

    def replace(self, graphs: Mapping[str, Sequence[str]], *, fresh: bool = False) -> None:
        del fresh  # a PUT creates or replaces alike
        if not graphs:
            return
        names = {name: ntriples.iri(name) for name in graphs}  # every name checked before anything is sent
        bodies = {name: ("\n".join(lines) + "\n").encode("utf-8") for name, lines in graphs.items()}
        for body in bodies.values():  # and every line read (SyntaxError, as the embedded store): nothing half-sent
            for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                pass

        def put(name: str) -> None:
            body = bodies[name]
            self._send(self.writer, "PUT", self.endpoints.gsp_url, params={"graph": name}, content=body,
                       headers={"Content-Type": "application/n-triples"})

        if len(names) == 1 or self.endpoints.write_threads == 1:
            for name in names:
                put(name)
            return
        with ThreadPoolExecutor(min(self.endpoints.write_threads, len(names)), thread_name_prefix="gsp") as pool:
            for done in [pool.submit(put, name) for name in names]:
                done.result()

    def drop(self, graphs: Sequence[str]) -> None:
        if graphs:
            update = " ;\n".join(f"DROP SILENT GRAPH {ntriples.iri(name)}" for name in graphs)
            self._send(self.writer, "POST", self.endpoints.update_url, data={"update": update})

    def triples(self, graph: str) -> list[StrTriple]:
        name = ntriples.iri(graph)
        rows, _ = self._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
        expected = int(rows[0]["n"].split('"')[1]) if rows else 0
        found: list[StrTriple] = []
        while len(found) < expected:
            page = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }} "
                              f"ORDER BY ?s ?p ?o OFFSET {len(found)} LIMIT {self.endpoints.page_rows}",
                              accept="application/n-triples")
            try:
                quads = list(ox.parse(page.content, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as error:
                raise self._failed(self.endpoints.query_url, f"unreadable N-Triples: {error}") from error
            if not quads:  # fewer triples than counted: never pass a cut graph on as whole
                raise StoreError(text("detail.store_truncated", url=self.endpoints.query_url))
            found += [(str(q.subject), str(q.predicate), str(q.object)) for q in quads]
        return found

    def select(self, query: str) -> list[dict[str, str]]:
        rows, cut = self._rows(query)
        if cut:
            raise StoreError(text("detail.store_truncated", url=self.endpoints.query_url))
        return rows

    def sequences(self, *, after: int) -> Iterator[tuple[str, int]]:
        last = int(after)
        while True:  # keyset pages until one comes back empty: a cut page only means one more page
            rows, _ = self._rows(f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?r {SEQUENCE} ?s }} FILTER(?s > {last}) }} "
                                 f"ORDER BY ?s LIMIT {self.endpoints.page_rows}")
            if not rows:
                return
            for row in rows:
                seq = int(row["s"].split('"')[1])
                yield row["g"][1:-1], seq
                last = max(last, seq)

    def size_bytes(self) -> int:
        return 0  # the server's files are not Puente's to measure

    def close(self) -> None:
        self.reader.close()
        self.writer.close()

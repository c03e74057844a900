"""Running a reader's SPARQL query (already inspected: app/rdf/sparql.py) on the catalogue's store, capped.

Both stores give their solutions or triples to the same writers, which stop at `max_rows` and say so: the answer
is `truncated` when there was more (or, on a SPARQL server, when the server says it cut its answer, or when a graph
answer reaches the server's own row cap, which Virtuoso applies to CONSTRUCT without saying so).

- Embedded store: `run_embedded` is a job for the runtime's worker pool (app/runtime/workers.py): it opens the store
  read-only in the worker, so a query past the time limit is ended by killing the worker, never a thread of the
  service. The default graph is the union of all graphs, as on Virtuoso.
- SPARQL server: `run_remote` sends the query with the server's own time limit (Virtuoso's `timeout` parameter) and
  an HTTP time limit; an answer the server marks as partial (`X-SQL-State`, Virtuoso's "anytime" results) counts as
  a timeout, never as a result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson
import pyoxigraph as ox

from app.catalogue.sparqlstore import CAP_HEADER, SparqlStore
from app.errors import InputError, QueryTimeoutError, StoreError
from app.i18n import text
from app.rdf.namespaces import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

RESULT_TYPES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
               "application/n-triples": ox.RdfFormat.N_TRIPLES, "application/rdf+xml": ox.RdfFormat.RDF_XML}


@dataclass(frozen=True)
class Answer:
    """A query's answer, written: its body, media type, how many rows or triples, and whether it was cut."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool


# ---------------------------------------------------------------------------------------------- writers


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
        found["datatype"] = term.datatype.value
    return found


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value not in (_XSD_STRING, _LANG_STRING):
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_term(term: Term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def write_solutions(variables: list[str], solutions: Iterable[dict[str, Term]], *, kind: str, max_rows: int,
                    cut: bool = False) -> tuple[bytes, int, bool]:
    """SELECT solutions in SPARQL JSON, XML, CSV or TSV: (body, rows written, truncated)."""
    rows: list[dict[str, Term]] = []
    for solution in solutions:
        if len(rows) == max_rows:
            cut = True
            break
        rows.append(solution)
    if kind == "json":
        document = {"head": {"vars": variables},
                    "results": {"bindings": [{name: _json_term(value) for name, value in row.items()}
                                             for row in rows]},
                    "truncated": cut}  # Puente's own member: a client that does not know it ignores it
        return orjson.dumps(document), len(rows), cut
    if kind == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
                 "<head>", *(f"<variable name={quoteattr(name)}/>" for name in variables), "</head>",
                 "<results>"]
        for row in rows:
            parts.append("<result>" + "".join(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
                                              for name, value in row.items()) + "</result>")
        parts.append("</results></sparql>\n")
        return "\n".join(parts).encode("utf-8"), len(rows), cut
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(row[name]) if name in row else "" for name in variables])
        return out.getvalue().encode("utf-8"), len(rows), cut
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines += ["\t".join(str(row[name]) if name in row else "" for name in variables) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8"), len(rows), cut


def write_boolean(value: bool, *, kind: str) -> bytes:
    if kind == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if kind in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    return orjson.dumps({"head": {}, "boolean": value})


def write_graph(triples: Iterable[ox.Triple], *, media_type: str, max_rows: int,
                cut: bool = False) -> tuple[bytes, int, bool]:
    kept: list[ox.Triple] = []
    for triple in triples:
        if len(kept) == max_rows:
            cut = True
            break
        kept.append(triple)
    fmt = GRAPH_TYPES[media_type]
    written = ox.serialize(kept, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
    return written or b"", len(kept), cut


# ---------------------------------------------------------------------------------------------- embedded store


def run_embedded(pipeline: object, body: bytes, store_path: str, media_type: str, max_rows: int) -> Answer:
    """A worker job (app/runtime): the query (`body`, UTF-8) on the embedded store opened read-only."""
    del pipeline
    try:
        return _embedded(body.decode("utf-8"), store_path, media_type, max_rows)
    except SyntaxError as error:  # what rdflib's parser let through and pyoxigraph's does not
        raise InputError(text("detail.sparql_syntax", message=str(error)[:300]), field="query") from error
    except OSError as error:  # the store's files moved under a read-only view (a compaction): the client may retry
        raise StoreError(text("detail.store_failed", url=store_path, reason=str(error)[:300])) from error
    except (ValueError, RuntimeError) as error:  # pyoxigraph's evaluation errors are about the query
        raise InputError(text("detail.sparql_syntax", message=str(error)[:300]), field="query") from error


def _embedded(query: str, store_path: str, media_type: str, max_rows: int) -> Answer:
    store = ox.Store.read_only(store_path)
    results = store.query(query, use_default_graph_as_union=True)
    if isinstance(results, ox.QueryBoolean):
        return Answer(write_boolean(bool(results), kind=RESULT_TYPES[media_type]), media_type, 1, False)
    if isinstance(results, ox.QueryTriples):
        data, count, cut = write_graph(results, media_type=media_type, max_rows=max_rows)
        return Answer(data, media_type, count, cut)
    assert isinstance(results, ox.QuerySolutions)
    variables = [variable.value for variable in results.variables]

    def solutions() -> Iterator[dict[str, Term]]:
        for solution in results:
            yield {name: value for name in variables if (value := solution[name]) is not None}

    data, count, cut = write_solutions(variables, solutions(), kind=RESULT_TYPES[media_type], max_rows=max_rows)
    return Answer(data, media_type, count, cut)


# ---------------------------------------------------------------------------------------------- SPARQL server


def _term(binding: dict[str, Any]) -> Term:
    kind, value = binding["type"], str(binding["value"])
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode("".join(c if c.isalnum() else "_" for c in value.removeprefix("nodeID://")) or "b")
    datatype = binding.get("datatype")
    if datatype == _XSD_BOOLEAN and value in ("0", "1"):
        value = "true" if value == "1" else "false"
    if binding.get("xml:lang"):
        return ox.Literal(value, language=binding["xml:lang"])
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def run_remote(store: SparqlStore, query: str, *, form: str, media_type: str, max_rows: int, timeout_s: float,
               server_rows: int) -> Answer:
    """The query on the SPARQL server (blocking: call it from a thread)."""
    graph = form in ("construct", "describe")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    answer = store.query(query, accept=accept, timeout_s=timeout_s + 5, check=False,
                         params={"timeout": str(int(timeout_s * 1000))})
    message = answer.text[:2000].split("SPARQL query:")[0] if answer.status_code >= 400 else ""  # not the echo
    if "x-sql-state" in answer.headers or "exceeds the limit" in message or "timeout" in message.lower():
        raise QueryTimeoutError(text("detail.sparql_timeout", seconds=f"{timeout_s:g}"))
    if answer.status_code == 400:  # the server's dialect refused what the inspection accepted
        raise InputError(text("detail.sparql_syntax", message=message.strip()[:300]), field="query")
    if answer.status_code >= 400:
        raise StoreError(text("detail.store_failed", url=store.endpoints.query_url,
                              reason=f"HTTP {answer.status_code}: {message.strip()[:300]}"))
    cut = CAP_HEADER in answer.headers
    if graph:
        try:
            triples = [quad.triple for quad in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as error:
            raise StoreError(text("detail.store_failed", url=store.endpoints.query_url, reason=str(error))) from error
        cut = cut or len(triples) >= server_rows  # Virtuoso cuts graph answers at its cap in silence
        data, count, cut = write_graph(triples, media_type=media_type, max_rows=max_rows, cut=cut)
        return Answer(data, media_type, count, cut)
    try:
        document = orjson.loads(answer.content)
    except orjson.JSONDecodeError as error:
        raise StoreError(text("detail.store_failed", url=store.endpoints.query_url,
                              reason="not SPARQL JSON results")) from error
    kind = RESULT_TYPES[media_type]
    if "boolean" in document:
        return Answer(write_boolean(bool(document["boolean"]), kind=kind), media_type, 1, False)
    variables = [str(name) for name in document["head"]["vars"]]
    solutions = ({name: _term(value) for name, value in row.items()} for row in document["results"]["bindings"])
    data, count, cut = write_solutions(variables, solutions, kind=kind, max_rows=max_rows, cut=cut)
    return Answer(data, media_type, count, cut)

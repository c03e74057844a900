"""Parse: bytes and a media type in, rdflib triples out, safely.

RDF is parsed with pyoxigraph's streaming parsers (linear time, no recursion, never fetches a
JSON-LD context) with caps enforced while iterating; only checked triples become rdflib terms.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from app.errors import InputError, ParseError, PayloadTooLargeError, UnsafeInputError
from app.findings import Finding, Problem, Severity
from app.i18n import text
from app.pipeline.guards import decode_utf8, inline_jsonld_contexts, strict_json_loads
from app.pipeline.xml_guard import check_xml_is_safe
from app.rdf.namespaces import SH, curie
from app.rdf.terms import TermCache, Triple, is_iri, is_uriref


class RdfSyntax(StrEnum):
    """The RDF syntaxes Puente reads and writes."""

    TURTLE = "turtle"
    JSONLD = "json-ld"
    RDFXML = "rdf/xml"
    NTRIPLES = "n-triples"

    @property
    def label(self) -> str:
        return {"turtle": "Turtle", "json-ld": "JSON-LD", "rdf/xml": "RDF/XML", "n-triples": "N-Triples"}[self.value]


RDF_MEDIA_TYPES: dict[str, RdfSyntax] = {
    "text/turtle": RdfSyntax.TURTLE,
    "application/x-turtle": RdfSyntax.TURTLE,
    "application/ld+json": RdfSyntax.JSONLD,
    "application/rdf+xml": RdfSyntax.RDFXML,
    "application/n-triples": RdfSyntax.NTRIPLES,
}
_OX_FORMATS = {
    RdfSyntax.TURTLE: ox.RdfFormat.TURTLE,
    RdfSyntax.JSONLD: ox.RdfFormat.JSON_LD,
    RdfSyntax.RDFXML: ox.RdfFormat.RDF_XML,
    RdfSyntax.NTRIPLES: ox.RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class ParseLimits:
    """Caps applied while parsing untrusted input."""

    max_triples: int
    max_literal_chars: int
    max_json_depth: int


def media_type_of(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def upload_base() -> str:
    """A fresh base IRI for relative IRIs in an upload; never the server's working directory."""
    return f"https://upload.invalid/{uuid.uuid4().hex}/"


def graph_of(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph of triples. rdflib's context-free store (2–3× faster to fill) and no prefixes: binding
    them costs about a millisecond per graph, and `serialise` binds Puente's own when a graph is written out."""
    graph = Graph(store="SimpleMemory", bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    return graph


def parse_rdf_triples(body: bytes, *, syntax: RdfSyntax, limits: ParseLimits, own_contexts: dict[str, Any],
                      own_context_iri: str, base_iri: str | None = None,
                      problems: list[Finding] | None = None) -> list[Triple]:
    """Parse an RDF document into its distinct triples (in document order), refusing unsafe or oversized content.

    One bad IRI (a control character left by a broken encoding) need not make a whole record unreadable: when the
    strict parse fails on an IRI, the document is read again leniently (pyoxigraph's `lenient`, which only skips
    IRI validation), every triple whose value is a bad IRI is left out and reported in `problems` as a finding on
    its property, and the rest is kept. A bad IRI naming a node or a property leaves nothing to attach the rest
    to: the document is refused as before."""
    if not body.strip():
        raise InputError(text("detail.empty_body"))
    data: bytes | str = body
    if syntax is RdfSyntax.JSONLD:
        document = strict_json_loads(body, max_depth=limits.max_json_depth, max_items=limits.max_triples,
                                     max_string=limits.max_literal_chars)
        inline_jsonld_contexts(document, own_contexts=own_contexts, own_iri=own_context_iri)
        data = json.dumps(document)
    elif syntax is RdfSyntax.RDFXML:
        check_xml_is_safe(body)
    else:
        decode_utf8(body)  # a clear error for bad bytes, with the offset
    base = base_iri or upload_base()
    try:
        triples = _parse(data, syntax=syntax, limits=limits, base=base, lenient=False, own=own_context_iri)
    except ParseError as strict:
        if problems is None or "IRI" not in str(strict.detail.get("en", "")):
            raise
        triples = _parse(data, syntax=syntax, limits=limits, base=base, lenient=True, own=own_context_iri)
        triples = _without_bad_iris(triples, strict=strict, problems=problems)
    _refuse_shacl_terms(triples)
    return list(triples)


def _parse(data: bytes | str, *, syntax: RdfSyntax, limits: ParseLimits, base: str, lenient: bool,
           own: str) -> dict[Triple, None]:
    triples: dict[Triple, None] = {}
    terms = TermCache()
    try:
        quads = ox.parse(data, format=_OX_FORMATS[syntax], base_iri=base, without_named_graphs=True,
                         lenient=lenient)
        for count, quad in enumerate(quads, start=1):
            if count > limits.max_triples:
                raise PayloadTooLargeError(text("detail.too_many_triples", limit=limits.max_triples))
            obj = quad.object
            if isinstance(obj, ox.Literal) and len(obj.value) > limits.max_literal_chars:
                raise PayloadTooLargeError(text("detail.literal_too_long", limit=limits.max_literal_chars))
            triples[(terms.node(quad.subject), terms.node(quad.predicate), terms.node(obj))] = None
    except SyntaxError as exc:
        message = str(exc)
        if "LoadDocumentCallback" in message:  # defence in depth: a context we did not inline
            raise UnsafeInputError(text("detail.remote_context", context="?", own=own)) from exc
        raise ParseError(text("detail.syntax", syntax=syntax.label, message=message),
                         line=exc.lineno, column=exc.offset) from exc
    except (TypeError, ValueError) as wrong:  # one name per clause: compiled code types each
        raise ParseError(text("detail.syntax", syntax=syntax.label, message=str(wrong))) from wrong
    return triples


# What RFC 3987 forbids in an IRI: controls (C0, DEL, C1), space and the characters that delimit it in text.
_BAD_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]')


def _shown_iri(value: str) -> str:
    """An IRI with its invisible characters made visible (U+0085 written as \\u0085)."""
    return "".join(f"\\u{ord(ch):04x}" if _BAD_IRI.match(ch) and ch != " " else ch for ch in value)[:300]


def _without_bad_iris(triples: dict[Triple, None], *, strict: ParseError,
                      problems: list[Finding]) -> dict[Triple, None]:
    """The triples of a lenient parse minus those whose value is a bad IRI, each reported once on its property."""
    kept: dict[Triple, None] = {}
    for triple in triples:
        subject, predicate, obj = triple
        if _BAD_IRI.search(str(subject)) or _BAD_IRI.search(str(predicate)):
            raise strict  # a node or a property without a readable name: nothing to attach the rest to
        if is_uriref(obj) and _BAD_IRI.search(str(obj)):
            if isinstance(predicate, URIRef):
                problems.append(Problem("invalid-url", Severity.VIOLATION, _shown_iri(str(obj))).at(
                    focus=subject, target=predicate, source_field=curie(str(predicate))))
            continue
        kept[triple] = None
    return kept


_RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _refuse_shacl_terms(triples: Iterable[Triple]) -> None:
    """Data must not carry shapes: they could never run, but they have no business in a record."""
    shacl, rdf_type = str(SH), str(_RDF_TYPE)
    named: dict[Node, None] = {}  # the distinct predicates and classes (parsed terms are shared objects: few)
    for _, predicate, obj in triples:
        named[predicate] = None
        if is_iri(predicate, rdf_type):
            named[obj] = None
    for term in named:
        if is_uriref(term) and str.startswith(term, shacl):  # rdflib's own startswith is Python code
            raise UnsafeInputError(text("detail.shacl_in_data", term=str(term)))


def literal_text(node: object) -> str | None:
    """The lexical form of a literal, or None."""
    return str(node) if isinstance(node, Literal) else None

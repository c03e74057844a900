"""Parse: bytes and a media type in, rdflib triples out, safely.

RDF is parsed with pyoxigraph's streaming parsers (linear time, no recursion, never fetches a
JSON-LD context) with caps enforced while iterating; only checked triples become rdflib terms.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from app.errors import InputError, ParseError, PayloadTooLargeError, UnsafeInputError
from app.i18n import text
from app.pipeline.guards import decode_utf8, inline_jsonld_contexts, strict_json_loads
from app.pipeline.xml_guard import check_xml_is_safe
from app.rdf.namespaces import SH
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
                      own_context_iri: str, base_iri: str | None = None) -> list[Triple]:
    """Parse an RDF document into its distinct triples (in document order), refusing unsafe or oversized content."""
    if not body.strip():
        raise InputError(text("detail.empty_body"))
    data: bytes | str = body
    if syntax is RdfSyntax.JSONLD:
        document = strict_json_loads(body, max_depth=limits.max_json_depth)
        inline_jsonld_contexts(document, own_contexts=own_contexts, own_iri=own_context_iri)
        data = json.dumps(document)
    elif syntax is RdfSyntax.RDFXML:
        check_xml_is_safe(body)
    else:
        decode_utf8(body)  # a clear error for bad bytes, with the offset
    triples: dict[Triple, None] = {}
    terms = TermCache()
    try:
        quads = ox.parse(data, format=_OX_FORMATS[syntax], base_iri=base_iri or upload_base(),
                         without_named_graphs=True)
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
            raise UnsafeInputError(text("detail.remote_context", context="?", own=own_context_iri)) from exc
        raise ParseError(text("detail.syntax", syntax=syntax.label, message=message),
                         line=exc.lineno, column=exc.offset) from exc
    except (TypeError, ValueError) as wrong:  # one name per clause: compiled code types each
        raise ParseError(text("detail.syntax", syntax=syntax.label, message=str(wrong))) from wrong
    _refuse_shacl_terms(triples)
    return list(triples)


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

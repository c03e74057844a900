"""Serialise: a graph and an RDF format in, bytes out (rdflib's pretty writers, for the profile's own graphs),
or triples in, a file out (linear writers, for answers about a user's input)."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from app.rdf.namespaces import PREFIXES
from app.rdf.terms import Triple


@dataclass(frozen=True)
class RdfFormat:
    """One RDF syntax Puente can answer in."""

    key: str
    media_type: str
    rdflib_name: str
    extension: str


TURTLE = RdfFormat("ttl", "text/turtle", "turtle", "ttl")
JSONLD = RdfFormat("jsonld", "application/ld+json", "json-ld", "jsonld")
RDFXML = RdfFormat("rdf", "application/rdf+xml", "xml", "rdf")
NTRIPLES = RdfFormat("nt", "application/n-triples", "nt", "nt")
RDF_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS}
BY_KEY = {f.key: f for f in RDF_FORMATS}


def serialise(graph: Graph, fmt: RdfFormat, *, context: dict[str, Any] | None = None) -> bytes:
    """The graph in `fmt`; JSON-LD is compacted with the profile's own context (inline, no fetch)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    if fmt is JSONLD and context is not None:
        return _compacted(graph, context.get("@context", context))
    data = graph.serialize(format=fmt.rdflib_name)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _compacted(graph: Graph, context: Any) -> bytes:
    """JSON-LD compacted with `context`. rdflib drops the description of a blank node reached only through a
    property the context types as `@id` (publisher, contactPoint...: the value becomes a bare "_:b" string and
    the node itself is never written). So blank nodes go out as IRIs no document can contain (a fresh
    urn:uuid prefix) and come back as `_:` identifiers in the JSON text."""
    if not any(isinstance(node, BNode) for triple in graph for node in triple):
        data = graph.serialize(format="json-ld", context=context, auto_compact=True)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    prefix = f"urn:uuid:{uuid.uuid4()}:"
    named = Graph()
    for prefix_name, ns in graph.namespaces():
        named.bind(prefix_name, ns, override=True, replace=True)
    for subject, predicate, obj in graph:
        named.add((_named(subject, prefix), predicate, _named(obj, prefix)))
    text = named.serialize(format="json-ld", context=context, auto_compact=True)
    return text.replace(f'"{prefix}', '"_:').encode("utf-8")


def _named(node: Any, prefix: str) -> Any:
    return URIRef(prefix + str(node)) if isinstance(node, BNode) else node


# Answers about a user's input (converted records, SHACL reports) can be large: rdflib's Turtle writer takes time
# quadratic in the namespaces a graph uses (measured: 1,000 namespaces 5.8 s, 8,000 211 s) and builds the whole
# text in memory. They are written by pyoxigraph's streaming writers instead: linear, straight into a file.
# JSON-LD keeps rdflib's compaction with the profile's context (linear: 32,000 namespaces 3.9 s) up to
# COMPACT_JSONLD_MAX_TRIPLES; larger graphs come as expanded JSON-LD from the streaming writer.
COMPACT_JSONLD_MAX_TRIPLES = 100_000
_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML,
               "jsonld": ox.RdfFormat.JSON_LD}
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


class _Terms:
    """rdflib terms as pyoxigraph terms, each converted once."""

    def __init__(self) -> None:
        self._seen: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def __call__(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = self._seen.get(term)
        if found is None:
            found = self._seen[term] = self._convert(term)
        return found

    @staticmethod
    def _convert(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            label = str(term)
            try:
                return ox.BlankNode(label)
            except ValueError:  # not a valid label: one made from it
                return ox.BlankNode("b" + hashlib.sha1(label.encode(), usedforsecurity=False).hexdigest())
        text = str(term)
        try:
            return ox.NamedNode(text)
        except ValueError:  # characters an IRI may not hold (rdflib only warns): percent-encoded
            return ox.NamedNode(quote(text, safe=_IRI_SAFE))


class Writable(Protocol):
    """Where write_triples writes: a binary file, or anything with its write()."""

    def write(self, data: bytes, /) -> int: ...


def write_triples(triples: Iterable[Triple], fmt: RdfFormat, out: Writable, *,
                  context: dict[str, Any] | None = None, grouped: bool = False) -> None:
    """Write triples in `fmt` to a binary file in time linear in their number, each subject's triples together
    (`grouped`: they come so already, and are written as they come, without being held)."""
    ordered: Iterable[Triple]
    if grouped:
        ordered = triples
        if fmt is JSONLD:  # compaction needs the whole graph: taken only when it is small enough
            stream = iter(triples)
            head = list(itertools.islice(stream, COMPACT_JSONLD_MAX_TRIPLES + 1))
            ordered = head if len(head) <= COMPACT_JSONLD_MAX_TRIPLES else itertools.chain(head, stream)
    else:
        by_subject: dict[Node, list[tuple[Node, Node]]] = {}
        for subject, predicate, obj in triples:
            by_subject.setdefault(subject, []).append((predicate, obj))
        ordered = [(subject, predicate, obj) for subject, pairs in by_subject.items() for predicate, obj in pairs]
    if fmt is JSONLD and isinstance(ordered, list) and len(ordered) <= COMPACT_JSONLD_MAX_TRIPLES:
        graph = Graph(store="SimpleMemory", bind_namespaces="none")
        for triple in ordered:
            graph.add(triple)
        out.write(serialise(graph, fmt, context=context))
        return
    term = _Terms()
    converted = (ox.Triple(term(subject), term(predicate), term(obj))  # type: ignore[arg-type]
                 for subject, predicate, obj in ordered)
    prefixes = None if fmt is NTRIPLES else PREFIXES
    ox.serialize(converted, out, format=_OX_FORMATS[fmt.key], prefixes=prefixes)  # type: ignore[arg-type]  # write()

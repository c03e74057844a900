"""RDF terms: conversion from pyoxigraph terms (fast, safe parser) to rdflib terms, and fast term tests.

This is the one module that touches rdflib's private fields (a Literal's `_value`, `_datatype`, `_language`,
`_ill_typed`, and `_is_valid_langtag`): RDFLIB_INTERNALS names them, pyproject.toml bounds rdflib below 8, and
tests/rdf/test_terms.py checks each still behaves as this module assumes.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeGuard

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node, _is_valid_langtag

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Triple = tuple[Node, Node, Node]


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> Node:
    """One pyoxigraph term as the rdflib term with the same meaning."""
    if isinstance(term, ox.NamedNode):
        # pyoxigraph has validated the IRI already (more strictly than rdflib's URIRef(), which only warns):
        # the same object, without rdflib's checks in Python
        return str.__new__(URIRef, term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return plain_literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return plain_literal(term.value)
        return typed_literal(term.value, datatype=datatype)
    raise TypeError(f"unsupported RDF term {term!r}")


RDFLIB_INTERNALS = ("Literal._value", "Literal._datatype", "Literal._language", "Literal._ill_typed",
                    "rdflib.term._is_valid_langtag")


def literal_datatype(literal: Literal) -> URIRef | None:
    """`literal.datatype` without the property's Python-level call."""
    datatype: URIRef | None = literal._datatype
    return datatype


def literal_language(literal: Literal) -> str | None:
    language: str | None = literal._language
    return language


def literal_value(literal: Literal) -> object:
    """`literal.value`: the Python value rdflib converted the lexical form to (or None)."""
    return literal._value


def literal_is_ill_typed(literal: Literal) -> bool:
    """True when rdflib found the lexical form invalid for its datatype (`literal.ill_typed`)."""
    return literal._ill_typed is True


# rdflib's Literal() runs its value conversions even for a plain string, where they change nothing: about 5 µs a
# literal, 17 µs with a datatype (it parses the value, then writes it again). The factories below make the very
# same objects (tests/pipeline/test_terms.py compares every attribute with rdflib's).
def _from_slots(lexical: str, *, lang: str | None, datatype: URIRef | None, value: object,
                ill_typed: bool | None) -> Literal:
    literal: Literal = str.__new__(Literal, lexical)
    literal._language = lang
    literal._datatype = datatype
    literal._value = value
    literal._ill_typed = ill_typed
    return literal


def plain_literal(text: str, *, lang: str | None = None) -> Literal:
    """`Literal(text, lang=lang)` for a str: a plain string is its own value."""
    if lang == "":
        lang = None
    if type(text) is not str or (lang is not None and not _valid_lang(lang)):
        return Literal(text, lang=lang)  # rdflib's own conversion, or its own error for a bad tag
    return _from_slots(text, lang=lang, datatype=None, value=text, ill_typed=None)


@functools.lru_cache(maxsize=10_000)
def _valid_lang(lang: str) -> bool:
    return bool(_is_valid_langtag(lang))


@functools.lru_cache(maxsize=100_000)
def typed_literal(lexical: str, *, datatype: str) -> Literal:
    """`Literal(lexical, datatype=URIRef(datatype))`, made once per distinct value (terms are immutable; catalogues
    repeat dates, sizes and numbers)."""
    return Literal(lexical, datatype=URIRef(datatype))


_XSD_DATETIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")


def utc_datetime_literal(moment: dt.datetime) -> Literal:
    """`Literal(moment.isoformat(), datatype=XSD.dateTime)` for a whole second in UTC (epoch timestamps): rdflib
    would parse the text back into this very datetime."""
    if moment.tzinfo is not dt.UTC or moment.microsecond:
        return typed_literal(moment.isoformat(), datatype=_XSD_DATETIME)
    return _from_slots(moment.isoformat(), lang=None, datatype=_XSD_DATETIME, value=moment, ill_typed=False)


_XSD_NONNEGATIVEINTEGER = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def count_literal(number: int) -> Literal:
    """`Literal(str(number), datatype=XSD.nonNegativeInteger)` for a count or a size (never negative)."""
    if type(number) is not int or number < 0:
        return typed_literal(str(number), datatype=_XSD_NONNEGATIVEINTEGER)
    return _from_slots(str(number), lang=None, datatype=_XSD_NONNEGATIVEINTEGER, value=number, ill_typed=False)


_NOT_IN_IRIS = frozenset('<>" {}|\\^`')  # what rdflib's URIRef() warns about


def iri_term(text: str) -> URIRef:
    """`URIRef(text)` without rdflib's Python-level character check when the text passes it."""
    if type(text) is str and _NOT_IN_IRIS.isdisjoint(text):
        return str.__new__(URIRef, text)
    return URIRef(text)


def is_iri(term: Node, iri: str) -> bool:
    """`term == URIRef(iri)` at C speed (rdflib's own __eq__ is Python code, and this runs per triple)."""
    return is_uriref(term) and str.__eq__(term, iri)


# isinstance() against rdflib's term classes goes through ABCMeta (rdflib's Node is an ABC): a Python-level call
# per test, and the pipeline tests millions of terms. The exact classes Puente makes are answered by identity;
# anything else (a subclass) goes to isinstance.
_EXACT = (URIRef, Literal, BNode, str)


def _of_class(term: object, cls: type) -> bool:
    kind = type(term)
    if kind is cls:
        return True
    return False if kind in _EXACT else isinstance(term, cls)


def is_uriref(term: object) -> TypeGuard[URIRef]:
    return _of_class(term, URIRef)


def is_literal(term: object) -> TypeGuard[Literal]:
    return _of_class(term, Literal)


def is_bnode(term: object) -> TypeGuard[BNode]:
    return _of_class(term, BNode)


class _BlankNodeIds:
    """Blank node labels from a per-process random prefix and a counter: rdflib's BNode() draws a UUID from
    os.urandom for every node. The prefix is drawn again in a forked process, so workers never collide."""

    def __init__(self) -> None:
        self.pid = -1
        self.prefix = ""
        self.count = 0

    def new(self) -> BNode:
        pid = os.getpid()
        if pid != self.pid:
            self.pid, self.prefix, self.count = pid, f"N{uuid.uuid4().hex}x", 0
        self.count += 1
        return BNode(self.prefix + str(self.count))


_BLANK_NODE_IDS = _BlankNodeIds()


def new_bnode() -> BNode:
    """A fresh blank node, unique in this process and across processes."""
    return _BLANK_NODE_IDS.new()


class TermCache:
    """to_rdflib with memory: a document names the same IRIs and values again and again, and building an
    rdflib term (IRI checks, literal conversion) costs more than a dictionary lookup."""

    def __init__(self) -> None:
        self._terms: dict[object, Node] = {}

    def node(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = self._terms.get(term)
        if found is None:
            found = self._terms[term] = to_rdflib(term)
        return found


def triples_from_quads(quads: Iterable[ox.Quad]) -> Iterator[Triple]:
    """rdflib triples from a stream of pyoxigraph quads (graph names are dropped)."""
    for quad in quads:
        yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def load_turtle_file(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse a trusted Turtle file of the repository with pyoxigraph (about 30x faster than rdflib)."""
    graph = into if into is not None else Graph()
    quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
    for triple in triples_from_quads(quads):
        graph.add(triple)
    return graph


def copy_graph(graph: Graph) -> Graph:
    """A new graph with the same triples and prefixes (the caller adds to it without touching the original)."""
    copy = Graph()
    for prefix, ns in graph.namespaces():
        copy.bind(prefix, ns, override=False)
    for triple in graph:
        copy.add(triple)
    return copy

"""Terms and triples as strict N-Triples, written by pyoxigraph (the only way terms reach a query or a store).

Every IRI goes through pyoxigraph's NamedNode, which refuses what is not an IRI (spaces, `<`, `>`, quotes,
control characters): nothing a client sends can close an IRI or a literal early in an update or a document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from app.rdf.namespaces import PREFIXES

_XSD_STRING = str(XSD.string)


class NotAnIriError(ValueError):
    """A value used as an IRI that pyoxigraph does not accept as one."""


@functools.lru_cache(maxsize=65536)  # vocabulary IRIs, predicates and repeated values, again and again
def iri(value: str) -> str:
    """`<value>` checked as an IRI, or NotAnIriError."""
    try:
        return str(ox.NamedNode(value))
    except ValueError as error:
        raise NotAnIriError(str(error)) from error


@functools.lru_cache(maxsize=65536)
def _literal(value: str, language: str | None, datatype: str | None) -> str:
    if language:
        return str(ox.Literal(value, language=language))
    if datatype and datatype != _XSD_STRING:
        return str(ox.Literal(value, datatype=ox.NamedNode(datatype)))
    return str(ox.Literal(value))


def literal(value: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples (escaped by pyoxigraph)."""
    try:
        return _literal(value, language, datatype)
    except ValueError as error:
        raise NotAnIriError(str(error)) from error


def term(node: Node) -> str:
    """An rdflib IRI or literal in N-Triples (blank nodes are labelled by the caller)."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        datatype = node.datatype
        return literal(str(node), language=node.language, datatype=str(datatype) if datatype is not None else None)
    raise TypeError(f"not an IRI or a literal: {node!r}")


TURTLE_HEADER = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items()).encode()


def turtle_chunk(lines: Iterable[str]) -> bytes:
    """N-Triples lines as Turtle statements without the prefix lines: chunks written this way (blank node labels
    unique to their record) follow each other under one TURTLE_HEADER as one valid Turtle document."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    written = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                           prefixes=PREFIXES)
    assert written is not None, "pyoxigraph returns the bytes when given no output"
    return b"".join(line for line in written.splitlines(keepends=True) if not line.startswith(b"@prefix "))

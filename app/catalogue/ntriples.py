"""Terms and triples as strict N-Triples, written by pyoxigraph (the only way terms reach a query or a store).

Every IRI goes through pyoxigraph's NamedNode, which refuses what is not an IRI (spaces, `<`, `>`, quotes,
control characters): nothing a client sends can close an IRI or a literal early in an update or a document.
"""

from __future__ import annotations

import functools
import re
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


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")  # a subset of Turtle's PN_LOCAL every Turtle parser reads


@functools.lru_cache(maxsize=65536)  # IRIs repeat (properties, classes, vocabularies); literals are not cached
def _short_iri(term: str) -> str:
    value = term[1:-1]
    cut = max(value.rfind("/"), value.rfind("#")) + 1
    prefix = _PREFIX_OF.get(value[:cut])
    if prefix is not None and _LOCAL.match(value, cut):
        return f"{prefix}:{value[cut:]}"
    return term


def _short(term: str) -> str:
    """An N-Triples IRI as a prefixed name when a house prefix fits, a typed literal with its datatype so
    shortened; other terms as they are (N-Triples terms are valid Turtle)."""
    if term[0] == "<":
        return _short_iri(term)
    if term[0] == '"' and term[-1] == ">":
        at = term.rfind("^^<")
        if at > 0:
            return term[:at + 2] + _short_iri(term[at + 2:])
    return term


def turtle_chunk(lines: Iterable[str]) -> bytes:
    """N-Triples lines (written by pyoxigraph: one space between terms) as Turtle statements without the prefix
    lines, one block per subject with its types first: chunks written this way (blank node labels unique to their
    record) follow each other under one TURTLE_HEADER as one valid Turtle document. Written here rather than by
    pyoxigraph's parser and serialiser, which cost twice as much on a record's few dozen lines."""
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for line in lines:
        if not line:
            continue
        subject, predicate, rest = line.split(" ", 2)
        by_subject.setdefault(subject, []).append((predicate, rest[:-2]))
    out: list[str] = []
    for subject, pairs in by_subject.items():
        out.append(_short(subject))  # (canonical lines come sorted: a property's values are already together)
        last = ""
        for predicate, obj in [pair for pair in pairs if pair[0] == _RDF_TYPE] + \
                [pair for pair in pairs if pair[0] != _RDF_TYPE]:
            if predicate == last:
                out.append(" ,\n        " + _short(obj))
                continue
            if last:
                out.append(" ;")
            out.append(("\n    a " if predicate == _RDF_TYPE else f"\n    {_short(predicate)} ") + _short(obj))
            last = predicate
        out.append(" .\n\n")
    return "".join(out).encode("utf-8")

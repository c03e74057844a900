"""The checks the fast engine runs: a per-graph index and one small function per supported SHACL constraint.

A graph is indexed once (subject → predicate → objects, and each node's classes with their superclasses); every
check is then a few dictionary lookups. Each builder below is named in the table of supported SHACL
(app/shacl/support.py), which is the only place that says what Puente supports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from app.rdf.namespaces import SH
from app.rdf.terms import (
    Triple,
    is_bnode,
    is_iri,
    is_literal,
    literal_datatype,
    literal_is_ill_typed,
    literal_language,
    literal_value,
)

RDF_LANGSTRING = RDF.langString


@dataclass
class Index:
    """One graph (plus background), ready for checks. Values are dicts used as ordered sets (fast `in`)."""

    out: dict[Node, dict[Node, dict[Node, None]]]
    classes: dict[Node, set[Node]]
    members: dict[Node, list[Node]]


_RDF_TYPE = RDF.type  # a namespace attribute lookup costs more than the dictionary work around it


def build_index(triples: Iterable[Triple], superclasses: dict[Node, tuple[Node, ...]],
                canonical: dict[str, URIRef] | None = None) -> Index:
    """`canonical`: the engine's own objects for the IRIs its shapes name. Keys equal to but not identical
    with a lookup key cost a call of rdflib's __eq__ (Python) on every hit; identical ones cost nothing."""
    out: dict[Node, dict[Node, dict[Node, None]]] = {}
    direct: dict[Node, set[Node]] = {}
    rdf_type = str(_RDF_TYPE)
    same = canonical if canonical is not None else {}
    for s, p, o in triples:
        p = same.get(str(p), p)
        by_predicate = out.get(s)
        if by_predicate is None:
            by_predicate = out[s] = {}
        values = by_predicate.get(p)
        if values is None:
            by_predicate[p] = {o: None}
        else:
            values[o] = None
        if is_iri(p, rdf_type):
            direct.setdefault(s, set()).add(same.get(str(o), o) if isinstance(o, URIRef) else o)
    closure_cache: dict[Node, set[Node]] = {}

    def closure(cls: Node) -> set[Node]:
        if cls not in closure_cache:
            found = {cls}
            stack = [cls]
            while stack:
                for parent in superclasses.get(stack.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        stack.append(parent)
            closure_cache[cls] = found
        return closure_cache[cls]

    classes: dict[Node, set[Node]] = {}
    members: dict[Node, list[Node]] = {}
    for node, types in direct.items():
        every: set[Node] = set()
        for cls in types:
            every |= closure(cls)
        classes[node] = every
        for cls in every:
            members.setdefault(cls, []).append(node)
    return Index(out=out, classes=classes, members=members)


# A check: (index, focus, its values) → the offending values; None stands for "the focus itself" (a count).
Check = Callable[[Index, Node, dict[Node, None]], list[Node | None]]
ValueTest = Callable[[Index, Node], bool]


# What SHACL's sh:datatype means in practice, exactly as the reference engine (pyshacl 0.40) decides it:
# the literal's datatype must be the one asked for, it must not be ill-typed, and for the datatypes rdflib
# converts, its Python value must be of the matching type (a literal created without conversion fails).
_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF_LANGSTRING: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dt.date, XSD.time: dt.time, XSD.dateTime: dt.datetime,
}


def datatype_test(datatype: Node) -> Callable[[Node], bool]:
    """Whether a value satisfies sh:datatype `datatype`. Reads the literal's fields directly (app/rdf/terms.py):
    rdflib's properties and term equality are Python code, and this runs for every dated or typed value."""
    wanted = _PYTHON_TYPES.get(datatype)
    text = str(datatype)
    plain = text == str(XSD.string)  # a literal without datatype or language is an xsd:string
    tagged = text == str(RDF_LANGSTRING)

    def test(value: Node) -> bool:
        if not is_literal(value):
            return False
        given = literal_datatype(value)
        if given is not None:
            if not str.__eq__(given, text) or literal_is_ill_typed(value):
                return False
        elif literal_language(value) is None:
            if not plain:
                return False
        elif not tagged:
            return False
        return wanted is None or isinstance(literal_value(value), wanted)

    return test


KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (URIRef, BNode),
    SH.IRIOrLiteral: (URIRef, Literal), SH.BlankNodeOrLiteral: (BNode, Literal),
}


def kind_test(kind: Node) -> ValueTest:
    types = KINDS[kind]
    exact = frozenset(types)  # isinstance() against rdflib's classes goes through ABCMeta (Python)
    return lambda index, value: type(value) in exact or isinstance(value, types)


def class_test(cls: Node) -> ValueTest:
    return lambda index, value: not is_literal(value) and cls in index.classes.get(value, ())


def datatype_value_test(datatype: Node) -> ValueTest:
    test = datatype_test(datatype)
    return lambda index, value: test(value)


def pairs_test(pairs: list[tuple[Node, Node]]) -> ValueTest:
    """A value conforms to a helper shape made of sh:property [sh:path p; sh:hasValue v] members."""
    return lambda index, value: all(required in index.out.get(value, {}).get(path, ()) for path, required in pairs)


# ------------------------------------------------------------------------------------------ one per constraint


def min_count(n: int) -> Check:
    return lambda index, focus, values: [None] if len(values) < n else []


def max_count(n: int) -> Check:
    return lambda index, focus, values: [None] if len(values) > n else []


def every_value(test: ValueTest) -> Check:
    """One result per value that fails `test` (sh:class, sh:datatype, sh:nodeKind, sh:or, sh:node...)."""
    return lambda index, focus, values: [v for v in values if not test(index, v)]


def pattern(regex: str, flags: str) -> Check:
    compiled = re.compile(regex, re.IGNORECASE if "i" in flags else 0)
    return lambda index, focus, values: [v for v in values if is_bnode(v) or not compiled.search(str(v))]


def any_of(tests: list[ValueTest]) -> Check:
    return lambda index, focus, values: [v for v in values if not any(t(index, v) for t in tests)]


def in_values(allowed: list[Node]) -> Check:
    members = frozenset(allowed)
    return lambda index, focus, values: [v for v in values if v not in members]


def has_value(required: Node) -> Check:
    return lambda index, focus, values: [] if required in values else [None]


def qualified_min_count(test: ValueTest, n: int) -> Check:
    return lambda index, focus, values: [None] if sum(1 for v in values if test(index, v)) < n else []

"""A compiled validator: the profile's shapes turned once into plain checks over a per-graph index.

The profile uses a small part of SHACL Core (the loader refuses anything else): counts, classes, datatypes,
node kinds, a pattern, sh:or of datatypes, sh:node and qualified counts over skos:inScheme/hasValue. Each
property shape becomes one Python function; a graph is indexed once (subject → predicate → objects, and
each node's classes with their superclasses) and every check is a few dictionary lookups. pyshacl stays the
reference: tests/pipeline/test_engine_equivalence.py asserts both report exactly the same findings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from app.namespaces import SH
from app.pipeline.terms import Triple, is_bnode, is_iri, is_literal, is_uriref
from app.pipeline.validation import Finding
from app.profile.model import Profile, ShapeInfo

RDF_LANGSTRING = RDF.langString


@dataclass
class Index:
    """One graph (plus background), ready for checks. Values are dicts used as ordered sets (fast `in`)."""

    out: dict[Node, dict[Node, dict[Node, None]]]
    classes: dict[Node, set[Node]]
    members: dict[Node, list[Node]]


_XSD_STRING = XSD.string
_RDF_TYPE = RDF.type  # a namespace attribute lookup costs more than the dictionary work around it


def build_index(triples: Iterable[Triple], superclasses: dict[Node, tuple[Node, ...]],
                canonical: dict[str, URIRef] | None = None) -> Index:
    """`canonical`: the profile's own objects for the IRIs its shapes name. Keys equal to but not identical
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


Check = Callable[[Index, Node, dict[Node, None]], list[tuple[Node | None]]]


# What SHACL's sh:datatype means in practice, exactly as the reference engine (pyshacl 0.40) decides it:
# the literal's datatype must be the one asked for, it must not be ill-typed, and for the datatypes rdflib
# converts, its Python value must be of the matching type (a literal created without conversion fails).
_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF_LANGSTRING: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dt.date, XSD.time: dt.time, XSD.dateTime: dt.datetime,
}


def datatype_test(datatype: Node) -> Callable[[Node], bool]:
    """Whether a value satisfies sh:datatype `datatype`. Reads the literal's slots: rdflib's properties and term
    equality are Python code, and this runs for every dated or typed value of every record."""
    wanted = _PYTHON_TYPES.get(datatype)
    text = str(datatype)
    plain = text == str(XSD.string)  # a literal without datatype or language is an xsd:string
    tagged = text == str(RDF_LANGSTRING)

    def test(value: Node) -> bool:
        if not is_literal(value):
            return False
        given = value._datatype
        if given is not None:
            if not str.__eq__(given, text) or value._ill_typed is True:
                return False
        elif value._language is None:
            if not plain:
                return False
        elif not tagged:
            return False
        return wanted is None or isinstance(value._value, wanted)

    return test


_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (URIRef, BNode),
    SH.IRIOrLiteral: (URIRef, Literal), SH.BlankNodeOrLiteral: (BNode, Literal),
}


def _kind_types(kind: Node) -> tuple[type, ...]:
    if kind not in _KINDS:
        raise ValueError(f"unsupported node kind {kind}")
    return _KINDS[kind]


def _has_value_shape(shapes: Graph, shape: Node) -> list[tuple[Node, Node]]:
    """(path, value) pairs of a helper node shape made of sh:property [sh:path p; sh:hasValue v]."""
    pairs: list[tuple[Node, Node]] = []
    for prop in shapes.objects(shape, SH.property):
        path, value = shapes.value(prop, SH.path), shapes.value(prop, SH.hasValue)
        if path is None or value is None:
            raise ValueError(f"helper shape {shape} is not a list of sh:path/sh:hasValue properties")
        pairs.append((path, value))
    return pairs


def _conforms_to_pairs(index: Index, value: Node, pairs: list[tuple[Node, Node]]) -> bool:
    return all(required in index.out.get(value, {}).get(path, ()) for path, required in pairs)


def compile_check(shape: Node, shapes: Graph, *, canon: Callable[[Node], Node] = lambda term: term) -> Check:
    """One property shape of the profile as a function (index, focus, values) → offending values.

    `canon` gives the engine's own object for an IRI (see build_index)."""
    min_count, max_count = shapes.value(shape, SH.minCount), shapes.value(shape, SH.maxCount)
    if min_count is not None:
        n = int(str(min_count))
        return lambda index, focus, values: [(None,)] if len(values) < n else []
    if max_count is not None:
        n = int(str(max_count))
        return lambda index, focus, values: [(None,)] if len(values) > n else []
    found_class = shapes.value(shape, SH["class"])
    if found_class is not None:
        cls = canon(found_class)
        return lambda index, focus, values: [
            (v,) for v in values if is_literal(v) or cls not in index.classes.get(v, ())]
    datatype = shapes.value(shape, SH.datatype)
    if datatype is not None:
        test = datatype_test(datatype)
        return lambda index, focus, values: [(v,) for v in values if not test(v)]
    kind = shapes.value(shape, SH.nodeKind)
    if kind is not None:
        types = _kind_types(kind)
        exact = frozenset(types)  # isinstance() against rdflib's classes goes through ABCMeta (Python)
        return lambda index, focus, values: [(v,) for v in values if type(v) not in exact and not isinstance(v, types)]
    pattern = shapes.value(shape, SH.pattern)
    if pattern is not None:
        regex = re.compile(str(pattern))
        return lambda index, focus, values: [
            (v,) for v in values if is_bnode(v) or not regex.search(str(v))]
    options = shapes.value(shape, SH["or"])
    if options is not None:
        members = [shapes.value(member, SH.datatype) for member in Collection(shapes, options)]
        datatypes = [d for d in members if d is not None]
        if len(datatypes) != len(members):
            raise ValueError(f"{shape}: sh:or is supported with sh:datatype members only")
        tests = [datatype_test(d) for d in datatypes]
        return lambda index, focus, values: [(v,) for v in values if not any(t(v) for t in tests)]
    node = shapes.value(shape, SH.node)
    if node is not None:
        pairs = [(canon(path), canon(value)) for path, value in _has_value_shape(shapes, node)]
        return lambda index, focus, values: [(v,) for v in values if not _conforms_to_pairs(index, v, pairs)]
    qualified = shapes.value(shape, SH.qualifiedValueShape)
    if qualified is not None:
        pairs = [(canon(path), canon(value)) for path, value in _has_value_shape(shapes, qualified)]
        n = int(str(shapes.value(shape, SH.qualifiedMinCount)))
        return lambda index, focus, values: (
            [(None,)] if sum(1 for v in values if _conforms_to_pairs(index, v, pairs)) < n else [])
    raise ValueError(f"{shape}: no constraint the compiled engine knows")


@dataclass(frozen=True)
class CompiledShape:
    info: ShapeInfo
    target: URIRef
    path: URIRef
    check: Check


class CompiledEngine:
    """Same answers as pyshacl on the profile's shapes, in a fraction of the time."""

    name = "compiled"

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._canonical: dict[str, URIRef] = {}
        canon = self._canon
        self._shapes = [CompiledShape(info=info, target=canon(URIRef(info.target_class)),
                                      path=canon(URIRef(info.path)),
                                      check=compile_check(URIRef(info.iri), profile.shapes_graph, canon=canon))
                        for info in profile.shapes.values()]
        self._background = profile.background
        self._superclasses = {canon(child): tuple(canon(parent) for parent in parents)
                              for child, parents in profile.background.superclasses.items()}
        # what a check may read of a value node (not of the focus): its types, and the properties of sh:node and
        # qualified value shapes
        looked_at = {str(RDF.type)}
        for info in profile.shapes.values():
            for helper in (SH.node, SH.qualifiedValueShape):
                target = profile.shapes_graph.value(URIRef(info.iri), helper)
                if target is not None:
                    looked_at |= {str(path) for path, _ in _has_value_shape(profile.shapes_graph, target)}
        self.value_properties: frozenset[str] = frozenset(looked_at)

    def _canon(self, term: Node) -> Any:
        """The one object the engine uses for an IRI (identical objects make dictionary hits free)."""
        return self._canonical.setdefault(str(term), term) if is_uriref(term) else term

    def validate_triples(self, triples: Iterable[Triple], *, only: Container[Node] | None = None) -> list[Finding]:
        """Validate a set of triples (one record or a catalogue) without building an rdflib graph.

        `only`: validate these focus nodes alone (the others are there to be pointed at)."""
        data = list(triples)
        # the background describes IRIs alone (and a literal's hash is Python code)
        nodes = {o for _, _, o in data if not is_literal(o)}
        extra: list[Triple] = []
        by_iri = self._background.by_iri
        by_namespace = self._background.by_namespace  # vocabularies Puente knows by namespace (namespaces.yaml)
        for node in nodes:
            known = by_iri.get(node)
            if known is None:
                known = by_namespace(node)
            if known:
                extra.extend(known)
        index = build_index(data + extra, self._superclasses, self._canonical)
        findings: list[Finding] = []
        nothing: dict[Node, None] = {}
        for compiled in self._shapes:
            info = compiled.info
            for focus in index.members.get(compiled.target, ()):
                if only is not None and focus not in only:
                    continue
                values = index.out.get(focus, {}).get(compiled.path, nothing)
                for (value,) in compiled.check(index, focus, values):
                    findings.append(Finding(focus=focus, path=compiled.path, value=value, component=info.component,
                                            shape=info.iri, severity=info.severity))
        findings.sort(key=Finding.key)
        return findings

    def validate(self, data: Graph) -> list[Finding]:
        """Validate a profile graph; `data` is left unchanged."""
        return self.validate_triples(iter(data))



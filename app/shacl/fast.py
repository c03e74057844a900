"""The fast engine: the profile's property shapes turned once into plain checks over a per-graph index.

It supports exactly the table in app/shacl/support.py (the loader refuses anything else), and gives the same
findings as pyshacl, the reference engine: tests/shacl/test_engine_equivalence.py and test_support.py assert it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.findings import Finding, FindingLimitReached, Severity
from app.rdf.terms import Triple, is_literal, is_uriref
from app.shacl.checks import Check, build_index
from app.shacl.support import Constraint


class ShapeLike(Protocol):
    """What the engine reads of a property shape (the profile's ShapeInfo has it)."""

    @property
    def iri(self) -> str: ...
    @property
    def target_class(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def constraint(self) -> Constraint: ...


class Knowledge(Protocol):
    """Background knowledge about vocabulary IRIs (the profile's Background has it)."""

    @property
    def by_iri(self) -> dict[Node, tuple[Triple, ...]]: ...
    @property
    def superclasses(self) -> dict[Node, tuple[Node, ...]]: ...
    def by_namespace(self, node: Node) -> tuple[Triple, ...]: ...


@dataclass(frozen=True)
class _Compiled:
    iri: str
    component: str
    severity: Severity
    target: URIRef
    path: URIRef
    check: Check


class FastEngine:
    """Same answers as pyshacl on the profile's shapes, in a fraction of the time."""

    name = "fast"

    def __init__(self, shapes: Sequence[ShapeLike], *, background: Knowledge) -> None:
        self._canonical: dict[str, URIRef] = {}
        canon = self._canon
        self._shapes = [_Compiled(iri=s.iri, component=s.constraint.component, severity=s.severity,
                                  target=canon(URIRef(s.target_class)), path=canon(URIRef(s.path)),
                                  check=s.constraint.build(canon))
                        for s in shapes]
        self._by_iri = background.by_iri
        self._by_namespace = background.by_namespace  # vocabularies Puente knows by namespace (namespaces.yaml)
        self._superclasses = {canon(child): tuple(canon(parent) for parent in parents)
                              for child, parents in background.superclasses.items()}
        # What a check may read of a value node (not of the focus): its types, and the properties of helper shapes.
        self.value_properties: frozenset[str] = frozenset({str(RDF.type)} | {
            str(path) for s in shapes for path in s.constraint.value_paths})

    def _canon(self, term: Node) -> Any:
        """The one object the engine uses for an IRI (identical objects make dictionary hits free)."""
        return self._canonical.setdefault(str(term), term) if is_uriref(term) else term

    def validate_triples(self, triples: Iterable[Triple], *, only: Container[Node] | None = None,
                         limit: int | None = None) -> list[Finding]:
        """Validate a set of triples (one record or a catalogue) without building an rdflib graph.

        `only`: validate these focus nodes alone (the others are there to be pointed at). `limit`: stop with
        FindingLimitReached past that many findings (a worker's memory is then not spent on a report it cannot
        give)."""
        data = list(triples)
        # the background describes IRIs alone (and a literal's hash is Python code)
        nodes = {o for _, _, o in data if not is_literal(o)}
        extra: list[Triple] = []
        by_iri, by_namespace = self._by_iri, self._by_namespace
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
            for focus in index.members.get(compiled.target, ()):
                if only is not None and focus not in only:
                    continue
                values = index.out.get(focus, {}).get(compiled.path, nothing)
                for value in compiled.check(index, focus, values):
                    findings.append(Finding(focus=focus, path=compiled.path, value=value, component=compiled.component,
                                            shape=compiled.iri, severity=compiled.severity))
                if limit is not None and len(findings) > limit:
                    raise FindingLimitReached(len(findings))
        findings.sort(key=Finding.key)
        return findings

    def validate(self, data: Graph) -> list[Finding]:
        """Validate a graph; `data` is left unchanged."""
        return self.validate_triples(iter(data))

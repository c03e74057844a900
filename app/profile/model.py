"""The loaded profile: shapes with their texts, vocabularies and background knowledge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from app.findings import Severity
from app.i18n import LocalText
from app.rdf.terms import Triple
from app.shacl.support import Constraint


class Level(StrEnum):
    """Which concern file a constraint comes from; shown on the profile page."""

    MANDATORY = "mandatory"
    RANGE = "range"
    RECOMMENDED = "recommended"
    VOCABULARY = "vocabulary"
    HINT = "hint"


@dataclass(frozen=True)
class ShapeInfo:
    """One property shape of the profile: one constraint on one property of one class."""

    iri: str
    node_shape: str
    target_class: str
    path: str
    severity: Severity
    level: Level
    constraint: Constraint
    name: LocalText
    message: LocalText
    description: LocalText

    @property
    def component(self) -> str:
        """The SHACL constraint component reports name (sh:MinCountConstraintComponent)."""
        return self.constraint.component

    @property
    def parameters(self) -> dict[str, str]:
        """The constraint's parameters as the profile page shows them."""
        return self.constraint.shown


@dataclass(frozen=True)
class ClassInfo:
    """One node shape: the class it targets and its documentation."""

    iri: str
    target_class: str
    label: LocalText
    comment: LocalText
    order: int


@dataclass(frozen=True)
class Vocabulary:
    """One SKOS concept scheme Puente ships (vocabularies/**/*.ttl)."""

    name: str
    iri: str
    title: LocalText
    member_class: str
    path: Path
    graph: Graph
    concept_count: int


@dataclass(frozen=True)
class NamespaceRule:
    """What an IRI of a namespace is, for vocabularies whose tables Puente does not ship (namespaces.yaml)."""

    name: str
    title: LocalText
    namespaces: tuple[str, ...]
    types: tuple[URIRef, ...]
    scheme: URIRef | None
    label_properties: tuple[URIRef, ...]
    used_for: tuple[URIRef, ...]
    source: str

    def triples(self, iri: URIRef, namespace: str) -> tuple[Triple, ...]:
        """The triples this rule states about `iri` (which starts with `namespace`); none without a code."""
        code = str(iri)[len(namespace):].rstrip("/")
        if not code:
            return ()
        known: list[Triple] = [(iri, RDF.type, cls) for cls in self.types]
        if self.scheme is not None:
            known.append((iri, SKOS.inScheme, self.scheme))
        known.append((iri, SKOS.notation, Literal(code)))
        known += [(iri, prop, Literal(code)) for prop in self.label_properties]
        return tuple(known)


_NAMESPACE_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Background:
    """What Puente knows about vocabulary IRIs, supplied to validation instead of the network."""

    by_iri: dict[Node, tuple[Triple, ...]]
    superclasses: dict[Node, tuple[Node, ...]]
    ranges: dict[Node, Node] = field(default_factory=dict)
    knowledge: Graph = field(default_factory=Graph)  # all vocabularies and alignments, for crosswalk lookups
    namespaces: tuple[NamespaceRule, ...] = ()
    # every namespace of every rule, longest first (so the most specific rule wins), for one C-level startswith
    namespace_prefixes: tuple[str, ...] = ()
    _by_namespace: dict[Node, tuple[Triple, ...]] = field(default_factory=dict, compare=False, repr=False)

    def by_namespace(self, node: Node) -> tuple[Triple, ...]:
        """What the namespace rules say about an IRI no vocabulary file describes (empty when none applies)."""
        if type(node) is not URIRef or not str.startswith(node, self.namespace_prefixes):
            return ()
        found = self._by_namespace.get(node)
        if found is None:
            found = ()
            for namespace in self.namespace_prefixes:
                if node.startswith(namespace):
                    rule = next(r for r in self.namespaces if namespace in r.namespaces)
                    found = rule.triples(node, namespace)
                    break
            if len(self._by_namespace) >= _NAMESPACE_CACHE_SIZE:
                self._by_namespace.clear()
            self._by_namespace[node] = found
        return found

    def known(self, node: Node) -> tuple[Triple, ...]:
        """Everything Puente knows about `node`: from its vocabularies, else from its namespace."""
        return self.by_iri.get(node) or self.by_namespace(node)

    def triples_for(self, graph: Graph | Iterable[Triple]) -> list[Triple]:
        """The background triples relevant to `graph` (or to triples): types and labels of the IRIs it uses."""
        added: list[Triple] = []
        objects: dict[Node, None] = {}
        types: dict[Node, None] = {}
        for _, predicate, obj in graph:
            objects[obj] = None
            if predicate == RDF.type:
                types[obj] = None
        for obj in objects:
            extra = self.known(obj)
            if extra:
                added.extend(extra)
        for cls in {**types, **{t[2]: None for t in added if t[1] == RDF.type}}:
            for parent in self.superclasses.get(cls, ()):
                added.append((cls, RDFS.subClassOf, parent))
        return added

    def types_of(self, iri: Node) -> list[Node]:
        """The classes Puente's vocabularies give to `iri`."""
        return [o for (_, p, o) in self.known(iri) if p == RDF.type]


@dataclass(frozen=True)
class Profile:
    """Everything validation and publication need, loaded once at start-up."""

    iri: URIRef
    version: str
    title: LocalText
    description: LocalText
    shapes_graph: Graph
    shapes: dict[str, ShapeInfo]
    classes: list[ClassInfo]
    vocabularies: dict[str, Vocabulary]
    background: Background
    context: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    # other JSON-LD contexts real documents point at, by address (shapes/contexts/, app/profile/contexts.py)
    known_contexts: dict[str, Any] = field(default_factory=dict)

    def shapes_for_class(self, target_class: str) -> list[ShapeInfo]:
        """The property shapes whose node shape targets `target_class`, in file order."""
        return [s for s in self.shapes.values() if s.target_class == target_class]

    def iter_shapes(self, *, severity: Severity | None = None) -> Iterable[ShapeInfo]:
        """All property shapes, optionally of one severity."""
        return (s for s in self.shapes.values() if severity is None or s.severity == severity)

"""A small in-memory triple index: the part of rdflib's Graph API that the RDF normalisation steps use.

It keeps the layout of rdflib's SimpleMemory store (nested dictionaries subject → predicate → object, and the two
other orders), so it lists triples in the same order. Compiled and without Graph's store layers and term checks,
it fills and answers several times faster: a Spanish catalogue spent half of its reading time in rdflib's Graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib.term import Node

from app.rdf.terms import Triple

Pattern = tuple[Node | None, Node | None, Node | None]  # None matches any term


class TripleIndex:
    """A set of triples, in the order rdflib's SimpleMemory would list them."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._spo: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._pos: dict[Node, dict[Node, dict[Node, None]]] = {}
        self._osp: dict[Node, dict[Node, dict[Node, None]]] = {}
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        subject, predicate, obj = triple
        _put(self._spo, subject, predicate, obj)
        _put(self._pos, predicate, obj, subject)
        _put(self._osp, obj, subject, predicate)

    def remove(self, pattern: Pattern) -> None:
        """Remove every triple matching the pattern (emptied entries keep their place, as in SimpleMemory)."""
        for subject, predicate, obj in list(self.triples(pattern)):
            del self._spo[subject][predicate][obj]
            del self._pos[predicate][obj][subject]
            del self._osp[obj][subject][predicate]

    def triples(self, pattern: Pattern = (None, None, None)) -> Iterator[Triple]:
        """The matching triples, each index read as SimpleMemory reads it (so in its order)."""
        subject, predicate, obj = pattern
        if subject is not None:
            for s, p, o in _matches(self._spo, subject, predicate, obj):
                yield s, p, o
        elif predicate is not None:
            for p, o, s in _matches(self._pos, predicate, obj, None):
                yield s, p, o
        elif obj is not None:
            for o, s, p in _matches(self._osp, obj, None, None):
                yield s, p, o
        else:
            for first in self._spo:
                yield from _matches(self._spo, first, None, None)

    def __contains__(self, pattern: Pattern) -> bool:
        return next(self.triples(pattern), None) is not None

    def __iter__(self) -> Iterator[Triple]:
        return self.triples()

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """The first object of (subject, predicate), like rdflib's Graph.value."""
        return next(self.objects(subject, predicate), None)

    def objects(self, subject: Node | None, predicate: Node | None) -> Iterator[Node]:
        for _, _, obj in self.triples((subject, predicate, None)):
            yield obj

    def subjects(self, predicate: Node | None, obj: Node | None) -> Iterator[Node]:
        for subject, _, _ in self.triples((None, predicate, obj)):
            yield subject

    def subject_objects(self, predicate: Node | None) -> Iterator[tuple[Node, Node]]:
        for subject, _, obj in self.triples((None, predicate, None)):
            yield subject, obj


def _put(index: dict[Node, dict[Node, dict[Node, None]]], first: Node, second: Node, third: Node) -> None:
    middle = index.get(first)
    if middle is None:
        middle = index[first] = {}
    inner = middle.get(second)
    if inner is None:
        inner = middle[second] = {}
    inner[third] = None


def _matches(index: dict[Node, dict[Node, dict[Node, None]]], first: Node, second: Node | None,
             third: Node | None) -> Iterator[tuple[Node, Node, Node]]:
    """Entries of one index under `first`, with `second` and `third` given or not (None)."""
    middle = index.get(first)
    if middle is None:
        return
    chosen = middle.items() if second is None else [(second, middle.get(second, {}))]
    for each, inner in chosen:
        if third is not None:
            if third in inner:
                yield first, each, third
            continue
        for found in inner:
            yield first, each, found

"""TripleIndex answers as rdflib's Graph on its SimpleMemory store does, in the same order, after any mix of
additions and removals (the RDF normalisation steps rely on both)."""

from __future__ import annotations

import itertools
import random

from rdflib import BNode, Graph, Literal, URIRef

from app.rdf.terms import Triple
from app.rdf.triple_index import Pattern, TripleIndex

NODES = [URIRef(f"http://ex.org/n{i}") for i in range(6)] + [BNode("b1"), BNode("b2")]
PREDICATES = [URIRef(f"http://ex.org/p{i}") for i in range(4)]
OBJECTS = NODES + [Literal("x"), Literal("x", lang="es"), Literal("1", datatype=URIRef("http://ex.org/dt"))]


def _random_triple(draw: random.Random) -> Triple:
    return draw.choice(NODES), draw.choice(PREDICATES), draw.choice(OBJECTS)


def _patterns(draw: random.Random) -> list[Pattern]:
    found: list[Pattern] = []
    for s, p, o in itertools.product([None, True], repeat=3):
        found.append((draw.choice(NODES) if s else None, draw.choice(PREDICATES) if p else None,
                      draw.choice(OBJECTS) if o else None))
    return found


def test_same_answers_in_the_same_order_as_rdflib_simple_memory() -> None:
    draw = random.Random(11)
    for _ in range(60):
        start = [_random_triple(draw) for _ in range(draw.randrange(0, 40))]
        index, graph = TripleIndex(start), Graph(store="SimpleMemory", bind_namespaces="none")
        for triple in start:
            graph.add(triple)
        for _ in range(30):
            if draw.random() < 0.5:
                triple = _random_triple(draw)
                index.add(triple)
                graph.add(triple)
            else:
                pattern = draw.choice(_patterns(draw))
                index.remove(pattern)
                graph.remove(pattern)
            assert list(index) == list(graph.triples((None, None, None)))
        for pattern in _patterns(draw):
            assert list(index.triples(pattern)) == list(graph.triples(pattern)), pattern
            assert (pattern in index) == (pattern in graph)
        subject, predicate, obj = draw.choice(NODES), draw.choice(PREDICATES), draw.choice(OBJECTS)
        assert index.value(subject, predicate) == graph.value(subject, predicate)
        assert list(index.objects(subject, predicate)) == list(graph.objects(subject, predicate))
        assert list(index.objects(None, predicate)) == list(graph.objects(None, predicate))
        assert list(index.subjects(predicate, obj)) == list(graph.subjects(predicate, obj))
        assert list(index.subjects(None, obj)) == list(graph.subjects(None, obj))
        assert list(index.subject_objects(predicate)) == list(graph.subject_objects(predicate))


def test_an_empty_index_answers_nothing() -> None:
    index = TripleIndex()
    assert list(index) == [] and (None, None, None) not in index and index.value(NODES[0], PREDICATES[0]) is None

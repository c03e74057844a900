"""Cutting DCAT pages into records: closures, N-Triples, label-independent hashes, Hydra next links."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from app.errors import HarvestError
from app.harvest.rdf import PageGraph, graph_hash, nt_term, ntriples, parse_page
from app.pipeline.parsing import ParseLimits

LIMITS = ParseLimits(max_triples=10_000, max_literal_chars=100_000, max_json_depth=64)
PAGE = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<cat> a dcat:Catalog ; dcat:dataset <d1>, <d2> .
<cat?page=1> a hydra:PartialCollectionView ; hydra:next <cat?page=2> .
<d1> a dcat:Dataset ; dct:title "Uno"@es ; dcat:distribution <d1/csv> ; dcat:contactPoint [ vcard:fn "Ana" ] ;
     dct:isPartOf <cat> ; dct:relation <d2> .
<d1/csv> a dcat:Distribution ; dcat:accessURL <http://x.example/1.csv> .
<d2> a dcat:Dataset ; dct:title "Dos" ; dct:publisher <org> .
<org> <http://www.w3.org/2004/02/skos/core#prefLabel> "Org" .
"""


def graph() -> PageGraph:
    return PageGraph(parse_page(PAGE, media_type="text/turtle", url="http://portal.example/cat?page=1",
                                limits=LIMITS))


def test_a_record_is_its_dataset_and_what_it_points_to() -> None:
    page = graph()
    assert sorted(str(d) for d in page.datasets()) == ["http://portal.example/d1", "http://portal.example/d2"]
    d1 = page.record(URIRef("http://portal.example/d1"))
    subjects = {str(s) for s, _, _ in d1 if isinstance(s, URIRef)}
    assert subjects == {"http://portal.example/d1", "http://portal.example/d1/csv"}  # not the catalogue nor d2
    assert any(str(o) == "Ana" for _, _, o in d1)  # the blank-node contact point came along
    d2 = page.record(URIRef("http://portal.example/d2"))
    assert any(str(o) == "Org" for _, _, o in d2)


def test_next_page_new_and_old_vocabulary_and_link_header() -> None:
    assert graph().next_page(url="http://portal.example/cat?page=1", link_header=None) == \
        "http://portal.example/cat?page=2"
    old = PageGraph(parse_page(b'<p1> a <http://www.w3.org/ns/hydra/core#PagedCollection> ; '
                               b'<http://www.w3.org/ns/hydra/core#nextPage> "catalog.ttl?page=2#x" .',
                               media_type="text/turtle", url="http://p.example/catalog.ttl?page=1", limits=LIMITS))
    assert old.next_page(url="http://p.example/catalog.ttl?page=1", link_header=None) == \
        "http://p.example/catalog.ttl?page=2"
    bare = PageGraph([])
    assert bare.next_page(url="http://p.example/a", link_header='<b?page=3>; rel="next", <a>; rel="first"') == \
        "http://p.example/b?page=3"
    assert bare.next_page(url="http://p.example/a", link_header=None) is None


def test_two_different_next_pages_are_an_error() -> None:
    page = PageGraph(parse_page(b'<v> <http://www.w3.org/ns/hydra/core#next> <a>, <b> .', media_type="text/turtle",
                                url="http://p.example/", limits=LIMITS))
    with pytest.raises(HarvestError):
        page.next_page(url="http://p.example/", link_header=None)


def test_ntriples_round_trip_through_a_strict_parser() -> None:
    triples = [(URIRef("http://a.example/s"), URIRef("http://a.example/p"),
                Literal('línea 1\nlínea "2" \\ fin\r', lang="es")),
               (URIRef("http://a.example/s"), URIRef("http://a.example/p"), Literal("2024-01-01",
                datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))),
               (BNode("b0"), URIRef("http://a.example/p"), Literal("plain"))]
    parsed = list(ox.parse(ntriples(triples), format=ox.RdfFormat.N_TRIPLES))
    assert [q.object.value for q in parsed] == ['línea 1\nlínea "2" \\ fin\r', "2024-01-01", "plain"]
    assert parsed[0].object.language == "es"
    assert nt_term(Literal("x", datatype=URIRef("http://www.w3.org/2001/XMLSchema#string"))) == '"x"'


def test_the_hash_ignores_blank_node_labels_but_not_content() -> None:
    first = graph().record(URIRef("http://portal.example/d1"))
    again = graph().record(URIRef("http://portal.example/d1"))  # a new parse: new blank-node labels
    assert {str(o) for _, _, o in first if isinstance(o, BNode)} != {str(o) for _, _, o in again
                                                                      if isinstance(o, BNode)}
    assert graph_hash(first) == graph_hash(again) == graph_hash(list(reversed(again)))
    changed = [(s, p, Literal("Eva") if str(o) == "Ana" else o) for s, p, o in again]
    assert graph_hash(changed) != graph_hash(first)


def test_unreadable_and_unsafe_pages_are_harvest_errors() -> None:
    with pytest.raises(HarvestError) as broken:
        parse_page(b"<a> <b> ", media_type="text/turtle", url="http://p.example/x", limits=LIMITS)
    assert broken.value.url == "http://p.example/x"
    with pytest.raises(HarvestError):  # a remote JSON-LD context is never fetched
        parse_page(b'{"@context": "http://127.0.0.1/ctx", "@id": "a"}', media_type="application/ld+json",
                   url="http://p.example/x", limits=LIMITS)
    with pytest.raises(HarvestError):
        parse_page(b"<html></html>", media_type="text/html", url="http://p.example/x", limits=LIMITS)

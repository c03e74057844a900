"""What Puente adds to a graph it emits, so consumers need no background knowledge.

Every vocabulary IRI gets the type, scheme and labels Puente knows for it, and every untyped
object of a property with a DCAT-AP range gets that range class (landing pages become
foaf:Document, publishers foaf:Agent...). Emitted graphs therefore conform to the official
DCAT-AP 3.0.1 range checks on their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from app.profile.model import Profile
from app.rdf.terms import Triple, copy_graph


def for_publication(graph: Graph, *, profile: Profile) -> Graph:
    """A copy of `graph` with vocabulary knowledge and range types added."""
    out = copy_graph(graph)
    for triple in publication_triples(graph, profile=profile)[len(graph):]:
        out.add(triple)
    return out


def publication_triples(triples: Iterable[Triple], *, profile: Profile) -> list[Triple]:
    """The same without a graph: the triples (distinct, in order), then what is added (linear in their number)."""
    out: dict[Triple, None] = dict.fromkeys(triples)
    given = list(out)
    for triple in profile.background.triples_for(given):
        if triple[1] != RDFS.subClassOf:
            out.setdefault(triple)
    ranges = profile.background.ranges
    for _subject, predicate, obj in given + list(out)[len(given):]:
        cls = ranges.get(predicate)
        if cls is None or isinstance(obj, Literal):
            continue
        out.setdefault((obj, RDF.type, cls))  # an RDFS entailment, stated so consumers need no ontology
    return list(out)

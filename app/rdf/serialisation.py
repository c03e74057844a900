"""Serialise: a graph and an RDF format in, bytes out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Graph

from app.rdf.namespaces import PREFIXES


@dataclass(frozen=True)
class RdfFormat:
    """One RDF syntax Puente can answer in."""

    key: str
    media_type: str
    rdflib_name: str
    extension: str


TURTLE = RdfFormat("ttl", "text/turtle", "turtle", "ttl")
JSONLD = RdfFormat("jsonld", "application/ld+json", "json-ld", "jsonld")
RDFXML = RdfFormat("rdf", "application/rdf+xml", "xml", "rdf")
NTRIPLES = RdfFormat("nt", "application/n-triples", "nt", "nt")
RDF_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS}
BY_KEY = {f.key: f for f in RDF_FORMATS}


def serialise(graph: Graph, fmt: RdfFormat, *, context: dict[str, Any] | None = None) -> bytes:
    """The graph in `fmt`; JSON-LD is compacted with the profile's own context (inline, no fetch)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    if fmt is JSONLD and context is not None:
        data = graph.serialize(format="json-ld", context=context.get("@context", context), auto_compact=True)
    else:
        data = graph.serialize(format=fmt.rdflib_name)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)

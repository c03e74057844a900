"""Serialise: a graph and an RDF format in, bytes out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, URIRef

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
        return _compacted(graph, context.get("@context", context))
    data = graph.serialize(format=fmt.rdflib_name)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _compacted(graph: Graph, context: Any) -> bytes:
    """JSON-LD compacted with `context`. rdflib drops the description of a blank node reached only through a
    property the context types as `@id` (publisher, contactPoint...: the value becomes a bare "_:b" string and
    the node itself is never written). So blank nodes go out as IRIs no document can contain (a fresh
    urn:uuid prefix) and come back as `_:` identifiers in the JSON text."""
    if not any(isinstance(node, BNode) for triple in graph for node in triple):
        data = graph.serialize(format="json-ld", context=context, auto_compact=True)
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    prefix = f"urn:uuid:{uuid.uuid4()}:"
    named = Graph()
    for prefix_name, ns in graph.namespaces():
        named.bind(prefix_name, ns, override=True, replace=True)
    for subject, predicate, obj in graph:
        named.add((_named(subject, prefix), predicate, _named(obj, prefix)))
    text = named.serialize(format="json-ld", context=context, auto_compact=True)
    return text.replace(f'"{prefix}', '"_:').encode("utf-8")


def _named(node: Any, prefix: str) -> Any:
    return URIRef(prefix + str(node)) if isinstance(node, BNode) else node

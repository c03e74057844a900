"""Generate the profile's JSON-LD context from the shapes, so the two can never drift.

Regenerate the published file with:  python -m app.profile.context > shapes/context.jsonld
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from app.rdf.namespaces import PREFIXES, SH, curie
from app.settings import REPO_ROOT

IRI_KINDS = {SH.IRI, SH.BlankNodeOrIRI, SH.BlankNode}
CONTEXT_PREFIXES = ("dcat", "dct", "dcatap", "foaf", "vcard", "skos", "adms", "locn", "prov", "spdx",
                    "time", "xsd", "rdfs", "owl")


def _is_iri_valued(graph: Graph, shape: URIRef) -> bool:
    if (shape, SH["class"], None) in graph or (shape, SH.node, None) in graph:
        return True
    if (shape, SH.qualifiedValueShape, None) in graph:
        return True
    kind = graph.value(shape, SH.nodeKind)
    if kind in IRI_KINDS:
        return True
    pattern = graph.value(shape, SH.pattern)
    return isinstance(pattern, Literal) and str(pattern).startswith(("^mailto:", "^http"))


def build_context(shapes_graph: Graph) -> dict[str, Any]:
    """A JSON-LD 1.1 context: house prefixes, a term per class and per profile property."""
    context: dict[str, Any] = {"@version": 1.1}
    for prefix in CONTEXT_PREFIXES:
        context[prefix] = PREFIXES[prefix]
    classes = sorted({str(c) for c in shapes_graph.objects(None, SH.targetClass)})
    for cls in classes:
        short = curie(cls)
        context.setdefault(short.split(":")[-1], short)
    paths: dict[str, bool] = {}
    for shape in shapes_graph.subjects(RDF.type, SH.PropertyShape):
        path_node = shapes_graph.value(shape, SH.path)
        if isinstance(path_node, URIRef) and isinstance(shape, URIRef):
            key = str(path_node)
            paths[key] = paths.get(key, False) or _is_iri_valued(shapes_graph, shape)
    locals_seen: dict[str, str] = {}
    for path_iri in sorted(paths):
        short = curie(path_iri)
        local = short.split(":")[-1]
        term: dict[str, str] = {"@id": short}
        if paths[path_iri]:
            term["@type"] = "@id"
        if local in locals_seen and locals_seen[local] != path_iri:
            context[short] = term  # two properties share a local name: the second keeps its prefixed form
            continue
        locals_seen[local] = path_iri
        context[local] = term
    return {"@context": context}


def main() -> None:
    graph = Graph()
    for name in ("profile", "mandatory", "ranges", "recommended", "vocabularies", "hints"):
        graph.parse(REPO_ROOT / "shapes" / f"{name}.ttl", format="turtle")
    sys.stdout.write(json.dumps(build_context(graph), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

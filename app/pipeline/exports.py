"""Exports of a common-profile graph to other formats: a CKAN package dict (ckanext-dcat scheming fields), and
DCAT-AP-ES 1.0.

The field names are those of ckanext-dcat's DCAT-AP scheming schema (docs/reference/
ckanext-dcat-mapping.md), so a CKAN with ckanext-dcat and ckanext-scheming can create the package as is.
Both read the triples through a subject index (one dictionary, a third of an rdflib graph's memory), so a
converted catalogue of a million triples stays within a worker's memory and time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.rdf.namespaces import DCAT, DCT, FOAF, VCARD
from app.rdf.terms import Triple


class _Index:
    """subject → predicate → objects, in the order the triples came."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.spo: dict[Node, dict[Node, list[Node]]] = {}
        for subject, predicate, obj in triples:
            objects = self.spo.setdefault(subject, {}).setdefault(predicate, [])
            if obj not in objects:
                objects.append(obj)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self.spo.get(subject, {}).get(predicate, [])

    def subjects(self, predicate: Node, obj: Node) -> Iterator[Node]:
        for subject, properties in self.spo.items():
            if obj in properties.get(predicate, ()):
                yield subject

    def __iter__(self) -> Iterator[Triple]:
        for subject, properties in self.spo.items():
            for predicate, objects in properties.items():
                for obj in objects:
                    yield subject, predicate, obj


def first_text(graph: _Index, node: Node, predicate: URIRef, lang: str) -> str | None:
    """The literal of `predicate` in `lang`, else Spanish, else English, else untagged, else any."""
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    for wanted in (lang, "es", "en", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else None


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:100] or "dataset"


def _text(graph: _Index, node: Node, predicate: URIRef, lang: str = "es") -> str | None:
    return first_text(graph, node, predicate, lang)


def _iris(graph: _Index, node: Node, predicate: URIRef) -> list[str]:
    return sorted(str(v) for v in graph.objects(node, predicate) if isinstance(v, URIRef))


def _one_iri(graph: _Index, node: Node, predicate: URIRef) -> str | None:
    found = _iris(graph, node, predicate)
    return found[0] if found else None


def _agent(graph: _Index, node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"name": _text(graph, node, FOAF.name)}
    if isinstance(node, URIRef):
        out["uri"] = str(node)
    identifier = _text(graph, node, DCT.identifier)
    if identifier:
        out["identifier"] = identifier
    return {k: v for k, v in out.items() if v}


def _contact(graph: _Index, node: Node) -> dict[str, Any]:
    email = _one_iri(graph, node, VCARD.hasEmail)
    out: dict[str, Any] = {"name": _text(graph, node, VCARD.fn),
                           "email": email[7:] if email and email.startswith("mailto:") else email,
                           "url": _one_iri(graph, node, VCARD.hasURL)}
    if isinstance(node, URIRef):
        out["uri"] = str(node)
    return {k: v for k, v in out.items() if v}


def _resource(graph: _Index, node: Node) -> dict[str, Any]:
    size = next((v for v in graph.objects(node, DCAT.byteSize) if isinstance(v, Literal)), None)
    out: dict[str, Any] = {
        "name": _text(graph, node, DCT.title),
        "description": _text(graph, node, DCT.description),
        "url": _one_iri(graph, node, DCAT.accessURL) or _one_iri(graph, node, DCAT.downloadURL),
        "access_url": _one_iri(graph, node, DCAT.accessURL),
        "download_url": _one_iri(graph, node, DCAT.downloadURL),
        "format": (_one_iri(graph, node, DCT["format"]) or "").rsplit("/", 1)[-1] or None,
        "mimetype": (_one_iri(graph, node, DCAT.mediaType) or "").split("/media-types/", 1)[-1] or None,
        "license": _one_iri(graph, node, DCT.license),
        "size": int(str(size)) if size is not None and str(size).isdigit() else None,
        "issued": _text(graph, node, DCT.issued),
        "modified": _text(graph, node, DCT.modified),
        "availability": _one_iri(graph, node, URIRef("http://data.europa.eu/r5r/availability")),
    }
    if isinstance(node, URIRef):
        out["uri"] = str(node)
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def dataset_to_ckan(graph: _Index, dataset: Node) -> dict[str, Any]:
    """One dcat:Dataset as a CKAN package dict."""
    title = _text(graph, dataset, DCT.title) or ""
    identifier = _text(graph, dataset, DCT.identifier)
    temporal = []
    for period in graph.objects(dataset, DCT.temporal):
        span = {"start": _text(graph, period, DCAT.startDate), "end": _text(graph, period, DCAT.endDate)}
        if any(span.values()):
            temporal.append({k: v for k, v in span.items() if v})
    package: dict[str, Any] = {
        "name": _slug(identifier or title),
        "title": title,
        "notes": _text(graph, dataset, DCT.description),
        "url": _one_iri(graph, dataset, DCAT.landingPage),
        "identifier": identifier or (str(dataset) if isinstance(dataset, URIRef) else None),
        "uri": str(dataset) if isinstance(dataset, URIRef) else None,
        "tags": [{"name": str(k)[:100]} for k in sorted({str(k) for k in graph.objects(dataset, DCAT.keyword)})],
        "issued": _text(graph, dataset, DCT.issued),
        "modified": _text(graph, dataset, DCT.modified),
        "frequency": _one_iri(graph, dataset, DCT.accrualPeriodicity),
        "language": _iris(graph, dataset, DCT.language),
        "theme": _iris(graph, dataset, DCAT.theme),
        "access_rights": _one_iri(graph, dataset, DCT.accessRights),
        "spatial_coverage": [{"uri": uri} for uri in _iris(graph, dataset, DCT.spatial)],
        "temporal_coverage": temporal,
        "publisher": [_agent(graph, a) for a in graph.objects(dataset, DCT.publisher) if not isinstance(a, Literal)],
        "contact": [_contact(graph, c) for c in graph.objects(dataset, DCAT.contactPoint)
                    if not isinstance(c, Literal)],
        "resources": [_resource(graph, d) for d in sorted(graph.objects(dataset, DCAT.distribution), key=str)
                      if not isinstance(d, Literal)],
    }
    return {k: v for k, v in package.items() if v not in (None, "", [])}


def dataset_package(triples: Iterable[Triple], dataset: Node) -> dict[str, Any]:
    """The CKAN package dict of one dataset among `triples` (a stored record with its vocabulary knowledge)."""
    return dataset_to_ckan(_Index(triples), dataset)


def to_ckan(triples: Iterable[Triple]) -> dict[str, Any]:
    """One package dict for one dataset; a package_search-like page for several (`triples`: a list, or a graph)."""
    graph = _Index(triples)
    datasets = sorted((d for d in graph.subjects(RDF.type, DCAT.Dataset)), key=lambda n: (isinstance(n, BNode), str(n)))
    packages = [dataset_to_ckan(graph, d) for d in datasets]
    if len(packages) == 1:
        return packages[0]
    return {"count": len(packages), "results": packages}


SECTORS = "http://datos.gob.es/kos/sector-publico/sector/"
DCAT_AP_ES_SPATIAL = ("http://datos.gob.es/recurso/sector-publico/territorio/",
                      "http://publications.europa.eu/resource/authority/", "http://sws.geonames.org/",
                      "https://sws.geonames.org/")


def to_dcat_ap_es(graph: Graph, *, knowledge: Graph) -> Graph:
    """The profile graph as DCAT-AP-ES 1.0 (see dcat_ap_es_triples), as a graph with the input's prefixes."""
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for triple in dcat_ap_es_triples(graph, knowledge=knowledge):
        out.add(triple)
    return out


def dcat_ap_es_triples(triples: Iterable[Triple], *, knowledge: Graph) -> list[Triple]:
    """The profile's triples as DCAT-AP-ES 1.0: a Spanish NTI sector on every dataset (from its EU theme when it
    has none), places outside DCAT-AP-ES's vocabularies left out, the rest as it is."""
    from rdflib.namespace import SKOS

    out = _Index(t for t in triples if not (t[1] == DCT.spatial and isinstance(t[2], URIRef)
                                            and not str(t[2]).startswith(DCAT_AP_ES_SPATIAL)))
    agents = {o for properties in out.spo.values() for p in (DCT.publisher, DCT.creator) for o in properties.get(p, ())}
    for agent in agents:
        # A DIR3 body Puente could not name goes back as the bare IRI DCAT-AP-ES expects (datos.gob.es names it).
        if isinstance(agent, URIRef) and "/sector-publico/org/Organismo/" in str(agent) \
                and not out.objects(agent, FOAF.name):
            out.spo.pop(agent, None)
    records = [s for s, properties in out.spo.items()
               if DCAT.Dataset in properties.get(RDF.type, ()) or DCAT.DataService in properties.get(RDF.type, ())]
    for dataset in records:
        themes = [t for t in out.objects(dataset, DCAT.theme) if isinstance(t, URIRef)]
        if any(str(t).startswith(SECTORS) for t in themes):
            continue
        for theme in themes:
            for sector in knowledge.objects(theme, SKOS.closeMatch):
                if str(sector).startswith(SECTORS) and sector not in out.objects(dataset, DCAT.theme):
                    out.spo[dataset].setdefault(DCAT.theme, []).append(sector)
    return list(out)

"""The catalogue pages for people: the list of catalogues, one catalogue (search, filters, paging), a dataset.

Server-rendered in the house style (templates/, static/puente.css), usable without JavaScript, nothing from a
CDN. What a page shows is read from the same stored lines the linked data answers serve.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node
from starlette.responses import Response

from app.api.linked_data import graph_of_lines
from app.api.rendering import page
from app.catalogue.definitions import Catalogue
from app.catalogue.service import CatalogueService, Filters, Page, Row
from app.profile.model import Profile
from app.rdf.namespaces import ADMS, DCAT, DCT, FOAF, SPDX, VCARD


def label(profile: Profile, iri: str, lang: str) -> str:
    """A vocabulary IRI's label in `lang` (else Spanish, English, any), or the IRI's last segment."""
    labels = {o.language: str(o) for _, p, o in profile.background.by_iri.get(URIRef(iri), ())
              if p == SKOS.prefLabel and isinstance(o, Literal)}
    for wanted in (lang, "es", "en", None):
        if wanted in labels:
            return labels[wanted]
    return next(iter(labels.values()), iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri)


def catalogues_page(request: Request, *, items: list[dict[str, Any]], lang: str) -> Response:
    return page(request, "catalogues.html", lang=lang, items=items)


def catalogue_page(request: Request, *, service: CatalogueService, catalogue: Catalogue, listing: Page,
                   filters: Filters, lang: str, next_url: str | None, total_pages: int,
                   headers: dict[str, str]) -> Response:
    profile = service.profile
    facets = {
        "theme": [(v, label(profile, v, lang), n) for v, n in service.facets(catalogue.id, "theme")],
        "publisher": [(v, v, n) for v, n in service.facets(catalogue.id, "publisher")],
        "filetype": [(v, label(profile, v, lang), n) for v, n in service.facets(catalogue.id, "format")],
    }
    chosen = {"q": filters.text, "theme": filters.theme, "publisher": filters.publisher, "filetype": filters.format,
              "conformance": filters.conformance}
    response = page(request, "catalogue.html", lang=lang, catalogue=catalogue, title=catalogue.title(lang),
                    description=catalogue.spec.description.get(lang) or catalogue.spec.description.get("es", ""),
                    rows=[entry.row for entry in listing.rows], total=listing.total, next_url=next_url, facets=facets,
                    chosen=chosen, filtered=filters.any(), total_pages=total_pages)
    response.headers.update(headers)
    return response


def _texts(graph: Graph, node: Node, predicate: URIRef, lang: str) -> str:
    values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    for wanted in (lang, "es", "en", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else ""


def _iris(graph: Graph, node: Node, predicate: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, predicate) if isinstance(o, URIRef))


def dataset_page(request: Request, *, service: CatalogueService, catalogue: Catalogue, row: Row, lines: list[str],
                 report: dict[str, Any] | None, quality: dict[str, Any] | None, lang: str,
                 headers: dict[str, str]) -> Response:
    """A dataset for people: its fields, distributions, last validation and (`quality`: a quality box) quality."""
    profile = service.profile
    graph = graph_of_lines(lines)
    dataset = URIRef(catalogue.dataset_iri(row.id))
    record = URIRef(catalogue.record_iri(row.id))

    def named(iris: list[str]) -> list[tuple[str, str]]:
        return [(iri, label(profile, iri, lang)) for iri in iris]

    publishers = [_texts(graph, agent, FOAF.name, lang) or str(agent)
                  for agent in graph.objects(dataset, DCT.publisher)]
    contacts = []
    for contact in graph.objects(dataset, DCAT.contactPoint):
        emails = [e.removeprefix("mailto:") for e in _iris(graph, contact, VCARD.hasEmail)]
        contacts.append({"name": _texts(graph, contact, VCARD.fn, lang), "emails": emails})
    periods = []
    for period in graph.objects(dataset, DCT.temporal):
        periods.append((_texts(graph, period, DCAT.startDate, lang), _texts(graph, period, DCAT.endDate, lang)))
    distributions = []
    for distribution in sorted(graph.objects(dataset, DCAT.distribution), key=str):
        distributions.append({
            "iri": str(distribution), "title": _texts(graph, distribution, DCT.title, lang),
            "description": _texts(graph, distribution, DCT.description, lang),
            "formats": named(_iris(graph, distribution, DCT["format"])),
            "media_types": _iris(graph, distribution, DCAT.mediaType),
            "access": _iris(graph, distribution, DCAT.accessURL),
            "download": _iris(graph, distribution, DCAT.downloadURL),
            "licences": named(_iris(graph, distribution, DCT.license)),
            "size": _texts(graph, distribution, DCAT.byteSize, lang)})
    source_iris = [_texts(graph, identifier, SKOS.notation, lang)
                   for identifier in graph.objects(dataset, ADMS.identifier)]
    checksum = next((_texts(graph, c, SPDX.checksumValue, lang) for c in graph.objects(record, SPDX.checksum)), "")
    status = next((label(profile, str(s), lang) for s in graph.objects(record, ADMS.status)), "")
    fields = {
        "title": _texts(graph, dataset, DCT.title, lang) or row.id,
        "description": _texts(graph, dataset, DCT.description, lang),
        "keywords": sorted({str(k) for k in graph.objects(dataset, DCAT.keyword)}),
        "themes": named(_iris(graph, dataset, DCAT.theme)),
        "publishers": publishers, "contacts": contacts, "periods": periods,
        "issued": _texts(graph, dataset, DCT.issued, lang), "modified": _texts(graph, dataset, DCT.modified, lang),
        "frequency": named(_iris(graph, dataset, DCT.accrualPeriodicity)),
        "languages": named(_iris(graph, dataset, DCT.language)),
        "spatial": named(_iris(graph, dataset, DCT.spatial)),
        "landing": _iris(graph, dataset, DCAT.landingPage), "identifier": _texts(graph, dataset, DCT.identifier, lang),
        "source_iris": [s for s in source_iris if s],
        "types": [str(t) for t in graph.objects(dataset, RDF.type)],
    }
    response = page(request, "dataset.html", lang=lang, catalogue=catalogue, catalogue_title=catalogue.title(lang),
                    row=row, dataset=fields, distributions=distributions, report=report, checksum=checksum,
                    status=status, iri=str(dataset), record_iri=str(record), quality=quality,
                    metrics=quality["metrics"] if quality else None,
                    severities=("violation", "warning", "info"))
    response.headers.update(headers)
    return response

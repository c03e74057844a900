"""The input formats Puente reads (DESIGN §2) and how a source is chosen when none is given."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InputError, UnsupportedMediaTypeError
from app.i18n import LocalText, text
from app.pipeline.parsing import RDF_MEDIA_TYPES, RdfSyntax

JSON_MEDIA_TYPES = ("application/json", "text/json")


@dataclass(frozen=True)
class Source:
    """One input format: a generic reader or a country's conventions on top of one."""

    name: str
    label: LocalText
    description: LocalText
    media_types: tuple[str, ...]
    available: bool


SOURCES: dict[str, Source] = {
    "dcat": Source("dcat", {"es": "DCAT / DCAT-AP (RDF)", "en": "DCAT / DCAT-AP (RDF)"},
                   {"es": "Cualquier RDF DCAT o DCAT-AP: Turtle, JSON-LD, RDF/XML o N-Triples.",
                    "en": "Any DCAT or DCAT-AP RDF: Turtle, JSON-LD, RDF/XML or N-Triples."},
                   (*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES), True),
    "ckan": Source("ckan", {"es": "CKAN", "en": "CKAN"},
                   {"es": "Resultado de package_show o una página de package_search.",
                    "en": "A package_show result or a package_search page."}, JSON_MEDIA_TYPES, False),
    "socrata": Source("socrata", {"es": "Socrata", "en": "Socrata"},
                      {"es": "Metadatos /api/views/{id}.json.", "en": "/api/views/{id}.json metadata."},
                      JSON_MEDIA_TYPES, False),
    "datajson": Source("datajson", {"es": "data.json (POD 1.1)", "en": "data.json (POD 1.1)"},
                       {"es": "Catálogo o conjunto Project Open Data v1.1.",
                        "en": "Project Open Data v1.1 catalogue or dataset."}, JSON_MEDIA_TYPES, False),
    "co": Source("co", {"es": "Colombia (datos.gov.co)", "en": "Colombia (datos.gov.co)"},
                 {"es": "Vistas Socrata con los campos propios de datos.gov.co.",
                  "en": "Socrata views with datos.gov.co's own fields."}, JSON_MEDIA_TYPES, False),
    "cl": Source("cl", {"es": "Chile (datos.gob.cl)", "en": "Chile (datos.gob.cl)"},
                 {"es": "Paquetes CKAN de datos.gob.cl.", "en": "CKAN packages of datos.gob.cl."},
                 JSON_MEDIA_TYPES, False),
    "mx": Source("mx", {"es": "México (datos.gob.mx)", "en": "Mexico (datos.gob.mx)"},
                 {"es": "catalogo.json de ADELA y su CKAN.", "en": "ADELA catalogo.json and its CKAN."},
                 JSON_MEDIA_TYPES, False),
    "es": Source("es", {"es": "España (datos.gob.es)", "en": "Spain (datos.gob.es)"},
                 {"es": "DCAT-AP-ES 1.0 y NTI-RISP 2013.", "en": "DCAT-AP-ES 1.0 and NTI-RISP 2013."},
                 tuple(RDF_MEDIA_TYPES), False),
}


def available_names() -> str:
    return ", ".join(name for name, source in SOURCES.items() if source.available)


def resolve_source(requested: str | None, *, media_type: str) -> tuple[Source, bool]:
    """The source to read the body with, and whether Puente chose it (detection)."""
    if requested:
        source = SOURCES.get(requested)
        if source is None:
            raise InputError(text("detail.unknown_source", source=requested, available=", ".join(SOURCES)),
                             field="source")
        if not source.available:
            raise InputError(text("detail.source_not_ready", source=requested, available=available_names()),
                             field="source")
        return source, False
    if media_type in RDF_MEDIA_TYPES or media_type in JSON_MEDIA_TYPES:
        # JSON that is not JSON-LD belongs to a national source, read by the crosswalks
        return SOURCES["dcat"], True
    raise UnsupportedMediaTypeError(text("detail.media_type", media_type=media_type or "(none)", source="?",
                                         accepted=", ".join((*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES))))


def rdf_syntax_for(source: Source, *, media_type: str) -> RdfSyntax:
    """The RDF syntax of a body for an RDF source, or a 415 naming what is accepted."""
    if media_type in RDF_MEDIA_TYPES:
        return RDF_MEDIA_TYPES[media_type]
    if media_type in JSON_MEDIA_TYPES:
        return RdfSyntax.JSONLD
    raise UnsupportedMediaTypeError(text("detail.media_type", media_type=media_type or "(none)", source=source.name,
                                         accepted=", ".join(source.media_types)))

"""The graphs the catalogue writes besides a dataset's own triples: its dcat:CatalogRecord, a deleted record's
tombstone, and each catalogue's own description; and the reverse, a stored record graph read back.

The CatalogRecord (DCAT-AP 3.0.1): `foaf:primaryTopic` the dataset, `dct:issued` (first stored), `dct:modified`
(this write), `adms:status` (ADMS change type Created / Updated / Deleted), `dct:conformsTo` the profile,
`dct:identifier` the dataset's identifier in its source, `puente:sourceFormat` the source format that read it,
`puente:changeSequence` its place in the catalogue's changes feed, and `spdx:checksum` (SHA-256 of the dataset's
canonical N-Triples: `canonical.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from app.catalogue import ntriples
from app.catalogue.definitions import Catalogue
from app.rdf.namespaces import ADMS, DCAT, DCT, FOAF, PROFILE_IRI, PUENTE, SPDX

StrTriple = tuple[str, str, str]
CHANGE_TYPES = {"created": "http://purl.org/adms/changetype/Created",
                "updated": "http://purl.org/adms/changetype/Updated",
                "deleted": "http://purl.org/adms/changetype/Deleted"}
_STATUS_OF = {ntriples.iri(iri): name for name, iri in CHANGE_TYPES.items()}
_I = ntriples.iri
TYPE, RECORD_CLASS, PRIMARY_TOPIC = _I(str(RDF.type)), _I(str(DCAT.CatalogRecord)), _I(str(FOAF.primaryTopic))
ISSUED, MODIFIED, STATUS, CONFORMS_TO = _I(str(DCT.issued)), _I(str(DCT.modified)), _I(str(ADMS.status)), \
    _I(str(DCT.conformsTo))
IDENTIFIER, SOURCE_FORMAT, SEQUENCE = _I(str(DCT.identifier)), _I(str(PUENTE.sourceFormat)), \
    _I(str(PUENTE.changeSequence))
CHECKSUM, CHECKSUM_CLASS, ALGORITHM, CHECKSUM_VALUE = _I(str(SPDX.checksum)), _I(str(SPDX.Checksum)), \
    _I(str(SPDX.algorithm)), _I(str(SPDX.checksumValue))
SHA256 = _I(str(SPDX.checksumAlgorithm_sha256))
STANDARD = _I(str(DCT.Standard))
THEMES = _I("http://publications.europa.eu/resource/authority/data-theme")
PROFILE = _I(PROFILE_IRI)
XSD_DATETIME, XSD_INTEGER, XSD_HEX = str(XSD.dateTime), str(XSD.integer), str(XSD.hexBinary)


@dataclass(frozen=True)
class RecordState:
    """What a record's CatalogRecord says (written by the service, read back by reconciliation)."""

    catalogue: str
    id: str
    seq: int
    status: str  # created | updated | deleted (its last change)
    issued: str
    modified: str
    original_id: str
    source: str
    checksum: str


def catalogue_record(catalogue: Catalogue, state: RecordState) -> list[str]:
    """The N-Triples lines of a record's CatalogRecord (a tombstone when `state.status` is deleted)."""
    record = _I(catalogue.record_iri(state.id))
    dataset = _I(catalogue.dataset_iri(state.id))
    lines = [
        f"{record} {TYPE} {RECORD_CLASS} .",
        f"{record} {PRIMARY_TOPIC} {dataset} .",
        f"{record} {ISSUED} {ntriples.literal(state.issued, datatype=XSD_DATETIME)} .",
        f"{record} {MODIFIED} {ntriples.literal(state.modified, datatype=XSD_DATETIME)} .",
        f"{record} {STATUS} {_I(CHANGE_TYPES[state.status])} .",
        f"{record} {IDENTIFIER} {ntriples.literal(state.original_id)} .",
        f"{record} {SOURCE_FORMAT} {ntriples.literal(state.source)} .",
        f"{record} {SEQUENCE} {ntriples.literal(str(state.seq), datatype=XSD_INTEGER)} .",
    ]
    if state.status != "deleted":
        checksum = _I(catalogue.record_iri(state.id) + "#checksum")
        lines += [f"{record} {CONFORMS_TO} {PROFILE} .", f"{PROFILE} {TYPE} {STANDARD} .",
                  f"{record} {CHECKSUM} {checksum} .", f"{checksum} {TYPE} {CHECKSUM_CLASS} .",
                  f"{checksum} {ALGORITHM} {SHA256} .",
                  f"{checksum} {CHECKSUM_VALUE} {ntriples.literal(state.checksum, datatype=XSD_HEX)} ."]
    return lines


def record_knowledge(state: RecordState) -> list[str]:
    """Knowledge keys the CatalogRecord's own lines use (its change type, a vocabulary concept)."""
    status = _I(CHANGE_TYPES[state.status])
    return [status, f"{status} {_I('http://www.w3.org/2004/02/skos/core#Concept')}"]


def catalogue_lines(catalogue: Catalogue) -> list[str]:
    """The catalogue's own description (its graph): title, description, publisher, language, country, homepage,
    theme taxonomy."""
    spec = catalogue.spec
    me = _I(catalogue.iri)
    publisher = _I(spec.publisher_iri) if spec.publisher_iri else _I(catalogue.iri + "#publisher")
    lines = [f"{me} {TYPE} {_I(str(DCAT.Catalog))} .",
             f"{me} {_I(str(DCT.publisher))} {publisher} .",
             f"{publisher} {TYPE} {_I(str(FOAF.Agent))} .",
             f"{publisher} {_I(str(FOAF.name))} {ntriples.literal(spec.publisher, language='es')} .",
             f"{me} {_I(str(DCT.language))} {_I(catalogue.language_iri)} .",
             f"{me} {_I(str(DCT.spatial))} {_I(catalogue.country_iri)} .",
             f"{me} {_I(str(DCAT.themeTaxonomy))} {THEMES} .",
             f"{me} {CONFORMS_TO} {PROFILE} .", f"{PROFILE} {TYPE} {STANDARD} ."]
    for lang, title in sorted(spec.title.items()):
        lines.append(f"{me} {_I(str(DCT.title))} {ntriples.literal(title, language=lang)} .")
    descriptions = spec.description or spec.title
    for lang, description in sorted(descriptions.items()):
        lines.append(f"{me} {_I(str(DCT.description))} {ntriples.literal(description, language=lang)} .")
    lines.append(f"{me} {_I(str(DCT.license))} {_I(spec.licence)} .")
    if spec.homepage:
        lines += [f"{me} {_I(str(FOAF.homepage))} {_I(spec.homepage)} .",
                  f"{_I(spec.homepage)} {TYPE} {_I(str(FOAF.Document))} ."]
    return lines


def catalogue_knowledge(catalogue: Catalogue) -> list[str]:
    """Knowledge keys of the catalogue's description (its language, country, licence and theme scheme)."""
    licence = _I(catalogue.spec.licence)
    return [_I(catalogue.language_iri), f"{_I(catalogue.language_iri)} {_I(str(DCT.LinguisticSystem))}",
            _I(catalogue.country_iri), f"{_I(catalogue.country_iri)} {_I(str(DCT.Location))}", THEMES,
            f"{THEMES} {_I('http://www.w3.org/2004/02/skos/core#ConceptScheme')}", licence,
            f"{licence} {_I(str(DCT.LicenseDocument))}"]


def catalogue_times(catalogue: Catalogue, *, issued: str, modified: str) -> list[str]:
    """The catalogue's dct:issued (when Puente first kept it) and dct:modified (its last change): they move with
    every write, so they are added when it is read, not stored in its graph."""
    me = _I(catalogue.iri)
    return [f"{me} {ISSUED} {ntriples.literal(issued, datatype=XSD_DATETIME)} .",
            f"{me} {MODIFIED} {ntriples.literal(modified, datatype=XSD_DATETIME)} ."]


SECTORS = "http://datos.gob.es/kos/sector-publico/sector"


def dcat_ap_es_catalogue(catalogue: Catalogue, *, issued: str, modified: str) -> list[str]:
    """The catalogue as DCAT-AP-ES 1.0 wants it: its description, times, licence, and Spain's sector taxonomy.
    The publisher must be a DIR3 body (datos.gob.es's organism IRIs): set the catalogue's `publisher_iri`."""
    me = _I(catalogue.iri)
    return [*catalogue_lines(catalogue), *catalogue_times(catalogue, issued=issued, modified=modified),
            f"{me} {_I(str(DCAT.themeTaxonomy))} {_I(SECTORS)} ."]


def parse_graph_name(graph: str) -> tuple[str, str] | None:
    """(catalogue, id) of a record graph `{base}/catalogues/{cc}/records/{id}`, None for other graphs."""
    head, marker, tail = graph.rpartition("/catalogues/")
    if not marker or not head:
        return None
    catalogue, _, rest = tail.partition("/records/")
    return (catalogue, rest) if catalogue and rest and "/" not in rest else None


def read_state(graph: str, triples: list[StrTriple]) -> RecordState | None:
    """The CatalogRecord of a stored record graph (None when the graph holds none)."""
    names = parse_graph_name(graph)
    if names is None:
        return None
    record = _I(graph)
    values: dict[str, str] = {}
    checksum_node = ""
    for subject, predicate, obj in triples:
        if subject == record:
            if predicate == CHECKSUM:
                checksum_node = obj
            else:
                values[predicate] = obj
    checksum = next((o for s, p, o in triples if s == checksum_node and p == CHECKSUM_VALUE), "")
    if SEQUENCE not in values or STATUS not in values:
        return None
    return RecordState(catalogue=names[0], id=names[1], seq=int(_value(values[SEQUENCE])),
                       status=_STATUS_OF.get(values[STATUS], "updated"), issued=_value(values.get(ISSUED, "")),
                       modified=_value(values.get(MODIFIED, "")), original_id=_value(values.get(IDENTIFIER, "")),
                       source=_value(values.get(SOURCE_FORMAT, "")), checksum=_value(checksum))


def _value(term: str) -> str:
    """The lexical value of an N-Triples literal (escapes undone by pyoxigraph)."""
    if not term or term[0] != '"':
        return ""
    parsed = next(iter(ox.parse(f"<x:s> <x:p> {term} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    assert isinstance(parsed.object, ox.Literal)
    return parsed.object.value


def literals_of(triples: list[StrTriple]) -> dict[str, tuple[str, str | None]]:
    """(value, language) of every literal of some triples (one parse of the whole graph)."""
    text = "\n".join(f"{s} {p} {o} ." for s, p, o in triples if o[:1] == '"')
    found: dict[str, tuple[str, str | None]] = {}
    if text:
        for quad in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
            literal = quad.object
            assert isinstance(literal, ox.Literal)
            found[str(literal)] = (literal.value, literal.language)
    return found

"""The RDF namespaces Puente uses: the only place a Namespace is built."""

from __future__ import annotations

import functools

from rdflib import Namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCT = Namespace("http://purl.org/dc/terms/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
TIME = Namespace("http://www.w3.org/2006/time#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PUENTE = Namespace("https://w3id.org/puente/ns#")
PS = Namespace("https://w3id.org/puente/shapes#")
# Quality measurements (app/quality): W3C DQV, Web Annotation, Puente's metrics and piveau's (data.europa.eu)
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
PQ = Namespace("https://w3id.org/puente/quality#")
PV = Namespace("https://piveau.eu/ns/voc#")

PROFILE_IRI = "https://w3id.org/puente/profile"
CONTEXT_IRI = "https://w3id.org/puente/profile/context.jsonld"

# Prefixes used for CURIEs in reports, pages and serialisations (order = preference).
PREFIXES: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCT),
    "dcatap": str(DCATAP),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "adms": str(ADMS),
    "locn": str(LOCN),
    "prov": str(PROV),
    "spdx": str(SPDX),
    "time": str(TIME),
    "dc": str(DC),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "puente": str(PUENTE),
    "ps": str(PS),
    "gsp": str(GSP),
    "eli": str(ELI),
}


@functools.lru_cache(maxsize=8192)  # reports shorten the same few properties thousands of times
def curie(iri: str) -> str:
    """Shorten an IRI with the house prefixes; return it unchanged when none fits."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
    return iri

"""No false violations on the vocabularies DCAT-AP recommends: each one, on each property, conforms in both engines.

One conforming case per vocabulary and property (the base record with that one value), a complete record using
them all (tests/cases/dcat/recommended-vocabularies), and the controls: the same records without Puente's
background knowledge get violations.
"""

from __future__ import annotations

import dataclasses

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from app.findings import Finding, Severity
from app.pipeline.validation import fast_engine, reference_engine
from app.profile.model import Background, Profile
from app.rdf.namespaces import DCT, PS
from app.shacl.fast import FastEngine
from app.shacl.reference import PyshaclEngine
from tests.conftest import CASES, PREFIXES

EU = "http://publications.europa.eu/resource/authority/"
COMPLETE = CASES / "dcat" / "recommended-vocabularies" / "input.ttl"

# (name, SPARQL update on base.ttl putting one value of the vocabulary on the property, the shapes that guard it)
CASES_BY_VOCABULARY = [
    ("adms-publisher-type", "DELETE WHERE { ex:ministerio dct:type ?v } ; "
     "INSERT DATA { ex:ministerio dct:type <http://purl.org/adms/publishertype/LocalAuthority> }",
     ["Agent-type-class"]),
    ("eu-corporate-body-publisher", "DELETE WHERE { ex:presupuesto dct:publisher ?v } ; "
     f"INSERT DATA {{ ex:presupuesto dct:publisher <{EU}corporate-body/PUBL> }}",
     ["Dataset-publisher-class", "Dataset-publisher-required", "Agent-name-required"]),
    ("eu-corporate-body-catalogue-publisher", "DELETE WHERE { ex:catalogo dct:publisher ?v } ; "
     f"INSERT DATA {{ ex:catalogo dct:publisher <{EU}corporate-body/ESTAT> }}",
     ["Catalog-publisher-class", "Agent-name-required"]),
    ("eu-continent", f"INSERT DATA {{ ex:presupuesto dct:spatial <{EU}continent/SOUTH_AMERICA> }}",
     ["Dataset-spatial-class"]),
    ("eu-place", f"INSERT DATA {{ ex:presupuesto dct:spatial <{EU}place/COL_BOG> }}", ["Dataset-spatial-class"]),
    ("nuts", "INSERT DATA { ex:presupuesto dct:spatial <http://data.europa.eu/nuts/code/ES300> }",
     ["Dataset-spatial-class"]),
    ("geonames-https", "INSERT DATA { ex:presupuesto dct:spatial <https://sws.geonames.org/3688689/> }",
     ["Dataset-spatial-class"]),
    ("geonames-http", "INSERT DATA { ex:catalogo dct:spatial <http://sws.geonames.org/3688689/> }",
     ["Catalog-spatial-class"]),
    ("geonames-series", "INSERT DATA { ex:presupuestos dct:spatial <https://www.geonames.org/3688689> }",
     ["DatasetSeries-spatial-class"]),
    ("eurovoc-theme", "INSERT DATA { ex:presupuesto dcat:theme <http://eurovoc.europa.eu/4536> }",
     ["Dataset-theme-class"]),
    ("cc-licence-https", "DELETE WHERE { ex:presupuesto-csv dct:license ?v } ; "
     "INSERT DATA { ex:presupuesto-csv dct:license <https://creativecommons.org/licenses/by/4.0/> }",
     ["Distribution-license-class", "LicenseDocument-prefLabel-hint"]),
    ("cc-licence-http-no-slash", "DELETE WHERE { ex:catalogo dct:license ?v } ; "
     "INSERT DATA { ex:catalogo dct:license <http://creativecommons.org/licenses/by-sa/4.0> }",
     ["Catalog-license-class", "LicenseDocument-prefLabel-hint"]),
    ("cc-licence-deed-page", "DELETE WHERE { ex:presupuesto-csv dct:license ?v } ; "
     "INSERT DATA { ex:presupuesto-csv dct:license <https://creativecommons.org/licenses/by/4.0/deed.es> }",
     ["Distribution-license-class"]),
    ("eu-dataset-type", "DELETE WHERE { ex:presupuesto dct:type ?v } ; "
     f"INSERT DATA {{ ex:presupuesto dct:type <{EU}dataset-type/GEOSPATIAL> }}",
     ["Dataset-type-resource", "Dataset-type-eu"]),
    ("eu-distribution-status", "DELETE WHERE { ex:presupuesto-csv adms:status ?v } ; "
     f"INSERT DATA {{ ex:presupuesto-csv adms:status <{EU}distribution-status/DEPRECATED> }}",
     ["Distribution-status-eu"]),
    ("eu-planned-availability", "DELETE WHERE { ex:presupuesto-csv dcatap:availability ?v } ; "
     f"INSERT DATA {{ ex:presupuesto-csv dcatap:availability <{EU}planned-availability/TEMPORARY> }}",
     ["Distribution-availability-eu"]),
    ("eu-file-type-newer-than-the-table", "DELETE WHERE { ex:presupuesto-csv dct:format ?v } ; "
     f"INSERT DATA {{ ex:presupuesto-csv dct:format <{EU}file-type/PROTOCOL_BUF> }}",
     ["Distribution-format-class", "Distribution-format-eu"]),
]


def _without_background(profile: Profile) -> Profile:
    """The profile with no vocabulary knowledge (only the subclass axioms): what a plain SHACL engine has."""
    bare = Background(by_iri={}, superclasses=profile.background.superclasses)
    return dataclasses.replace(profile, background=bare)


@pytest.fixture(scope="module")
def engines(profile: Profile) -> tuple[PyshaclEngine, FastEngine]:
    return reference_engine(profile), fast_engine(profile)


@pytest.fixture(scope="module")
def bare_engines(profile: Profile) -> tuple[PyshaclEngine, FastEngine]:
    bare = _without_background(profile)
    return reference_engine(bare), fast_engine(bare)


def _violations(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.VIOLATION]


def _graph(update: str | None = None) -> Graph:
    graph = Graph()
    graph.parse(CASES / "shapes" / "base.ttl", format="turtle")
    if update:
        graph.update(PREFIXES + update)
    return graph


@pytest.mark.parametrize("name,update,guards", CASES_BY_VOCABULARY, ids=[c[0] for c in CASES_BY_VOCABULARY])
def test_a_recommended_vocabulary_conforms(name: str, update: str, guards: list[str],
                                           engines: tuple[PyshaclEngine, FastEngine]) -> None:
    graph = _graph(update)
    guarding = {str(PS[g]) for g in guards}
    for engine in engines:
        findings = engine.validate(graph)
        assert _violations(findings) == [], (engine.name, _violations(findings))
        assert not [f for f in findings if f.shape in guarding], (engine.name, name)


@pytest.mark.parametrize("name,update,guards", [c for c in CASES_BY_VOCABULARY if c[0] not in (
    "eu-distribution-status", "eu-planned-availability", "eu-dataset-type")], ids=lambda c: str(c))
def test_control_without_background_the_value_is_rejected(name: str, update: str, guards: list[str],
                                                          bare_engines: tuple[PyshaclEngine, FastEngine]) -> None:
    """The same value without the background: a plain SHACL engine cannot place it (the false violation)."""
    graph = _graph(update)
    guarding = {str(PS[g]) for g in guards}
    for engine in bare_engines:
        assert [f for f in engine.validate(graph) if f.shape in guarding], (engine.name, name)


def test_the_complete_record_conforms_in_both_engines(engines: tuple[PyshaclEngine, FastEngine]) -> None:
    graph = Graph()
    graph.parse(COMPLETE, format="turtle")
    expected = None
    for engine in engines:
        findings = engine.validate(graph)
        assert _violations(findings) == [], (engine.name, _violations(findings))
        assert [f for f in findings if f.severity is Severity.WARNING] == [], engine.name
        keys = sorted(f.key() for f in findings)
        assert expected is None or keys == expected  # the two engines agree, hints included
        expected = keys


def test_control_the_complete_record_fails_without_the_background(
        bare_engines: tuple[PyshaclEngine, FastEngine]) -> None:
    graph = Graph()
    graph.parse(COMPLETE, format="turtle")
    for engine in bare_engines:
        violated = {f.shape.rsplit("#", 1)[-1] for f in _violations(engine.validate(graph))}
        assert {"Dataset-publisher-class", "Dataset-spatial-class", "Agent-type-class", "Distribution-license-class",
                "Distribution-format-class", "Catalog-spatial-class", "Catalog-license-class"} <= violated, violated


def test_namespace_knowledge_never_overrides_a_vocabulary(profile: Profile) -> None:
    """A code the EU file-type table has keeps the table's labels; a newer one gets its code as label."""
    csv = profile.background.known(URIRef(f"{EU}file-type/CSV"))
    newer = profile.background.known(URIRef(f"{EU}file-type/PROTOCOL_BUF"))
    assert (URIRef(f"{EU}file-type/CSV"), RDF.type, DCT.MediaTypeOrExtent) in csv
    assert not any(p.endswith("notation") for _, p, _ in csv)  # the vocabulary's own description, not the rule's
    assert (URIRef(f"{EU}file-type/PROTOCOL_BUF"), RDF.type, DCT.MediaTypeOrExtent) in newer
    assert profile.background.known(URIRef("https://datos.example.org/x")) == ()

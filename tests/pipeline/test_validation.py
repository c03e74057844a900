"""Validation with background knowledge: EU authority IRIs need no types in the record."""

from __future__ import annotations

import pyshacl
from rdflib import Graph

from app.pipeline.validation import with_background
from app.profile.model import Profile
from app.shacl.reference import PyshaclEngine

THIRD_PARTY = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://x.example/ds> a dcat:Dataset ;
  dct:title "Calidad del aire"@es ; dct:description "Mediciones horarias."@es ;
  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
  dct:language <http://publications.europa.eu/resource/authority/language/SPA> ;
  dct:spatial <http://publications.europa.eu/resource/authority/country/CHL> ;
  dct:publisher [ a foaf:Organization ; foaf:name "Ministerio del Medio Ambiente" ] ;
  dcat:contactPoint [ a vcard:Organization ; vcard:fn "Datos" ; vcard:hasEmail <mailto:datos@x.example> ] ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL <https://x.example/aire.csv> ;
     dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
     dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;
     dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ] .
"""
RANGE_SHAPES = ("Dataset-accrualPeriodicity-class", "Dataset-theme-class", "Dataset-language-class",
                "Dataset-spatial-class", "Distribution-format-class", "Distribution-mediaType-class",
                "Distribution-license-class", "Dataset-publisher-class", "Dataset-contactPoint-class")


def _graph() -> Graph:
    graph = Graph()
    graph.parse(data=THIRD_PARTY, format="turtle")
    return graph


def test_untyped_eu_iris_get_no_false_range_violations(engine: PyshaclEngine) -> None:
    """SEMICeu/DCAT-AP#125 and #248: correct EU IRIs must not be reported because the record lacks their types."""
    findings = engine.validate(_graph())
    fired = {f.shape.rsplit("#", 1)[-1] for f in findings}
    assert not fired & set(RANGE_SHAPES)
    assert not [f for f in findings if f.severity.value == "violation"]


def test_without_background_the_same_record_would_fail(profile: Profile) -> None:
    """The control: the same shapes on the bare record report the range violations the background prevents."""
    conforms, report, _ = pyshacl.validate(_graph(), shacl_graph=profile.shapes_graph, inference="none")
    assert not conforms
    text = report.serialize(format="turtle")
    assert "Dataset-accrualPeriodicity-class" in text
    assert "Distribution-license-class" in text


def test_background_does_not_change_the_input(profile: Profile) -> None:
    graph = _graph()
    before = len(graph)
    enriched = with_background(graph, profile=profile)
    assert len(graph) == before
    assert len(enriched) > before


def test_an_unknown_iri_still_fails_the_range_check(engine: PyshaclEngine) -> None:
    graph = _graph()
    graph.update("""PREFIX dct: <http://purl.org/dc/terms/>
        DELETE { ?d dct:accrualPeriodicity ?f } INSERT { ?d dct:accrualPeriodicity <http://example.org/freq/monthly> }
        WHERE { ?d dct:accrualPeriodicity ?f }""")
    fired = {f.shape.rsplit("#", 1)[-1] for f in engine.validate(graph)}
    assert "Dataset-accrualPeriodicity-class" in fired

"""The crosswalk engine's options, on a small crosswalk written here: texts Puente writes, conditions on nodes,
links that need the portal's address, dates not after another, a record's own language, problems told once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from app.crosswalk.engine import Mapper, portal_origin
from app.crosswalk.loader import load_crosswalk
from app.crosswalk.lookups import Lookups
from app.findings import Finding
from app.pipeline.mapping import map_records
from app.pipeline.report import deduplicate
from app.profile.model import Profile
from app.rdf.namespaces import DCAT, DCT, FOAF

CROSSWALK = """
source: demo
title: {es: t, en: t}
description: {es: d, en: d}
lang: ""
lang_from: [language]
origin_from: [domain]
records: ["$[*]"]
detect: {any_of: [id]}
dataset:
  class: dcat:Dataset
  iri: "{base}/demo/{id}"
  rows:
    - {target: dct:title, path: name, transform: text}
    - {target: dct:issued, path: published, fallbacks: [created], not_after: changed, transform: epoch_datetime}
    - {target: dcat:landingPage, value: "{origin}/d/{id}", transform: iri}
    - target: dct:creator
      node:
        class: foaf:Agent
        require: [author]
        unless: organization
        rows:
          - {target: foaf:name, path: author, transform: text}
    - target: dct:temporal
      node:
        class: dct:PeriodOfTime
        require: [period]
        drop_empty: true
        rows:
          - {target: dcat:startDate, path: period, transform: period_start}
    - target: dcat:distribution
      node:
        class: dcat:Distribution
        iri: "{parent}/csv"
        when: kind
        when_in: [table]
        needs_origin: true
        rows:
          - {target: dct:title, text: {es: "Descarga CSV de «{name}»", en: "CSV download of \\"{name}\\""}}
          - {target: dcat:accessURL, value: "{origin}/rows/{id}.csv", transform: iri}
          - {target: dct:license, path: "$.license", transform: licence}
    - target: dcat:distribution
      node:
        class: dcat:Distribution
        iri: "{parent}/json"
        when: kind
        when_in: [table]
        needs_origin: true
        rows:
          - {target: dcat:accessURL, value: "{origin}/rows/{id}.json", transform: iri}
          - {target: dct:license, path: "$.license", transform: licence}
    - {target: dcat:theme, path: "tags[*]", transform: theme, args: {scheme: "http://publications.europa.eu/resource/authority/data-theme"}}
ignored:
  - {field: nothing, reason: a test}
"""


@pytest.fixture(scope="module")
def mapper(profile: Profile, tmp_path_factory: pytest.TempPathFactory) -> Mapper:
    folder: Path = tmp_path_factory.mktemp("mappings") / "demo"
    folder.mkdir()
    (folder / "crosswalk.yaml").write_text(CROSSWALK, encoding="utf-8")
    return Mapper(load_crosswalk(folder / "crosswalk.yaml"), lookups=Lookups(profile.background.knowledge),
                  base_url="http://127.0.0.1:8000")


def _map(mapper: Mapper, record: dict[str, Any], origin: str | None = None) -> Any:
    return map_records([(record, "[0]")], mapper=mapper, origin=origin)


def _objects(mapped: Any, predicate: URIRef) -> list[Any]:
    return [o for _, p, o in mapped.triples if p == predicate]


def test_links_on_the_portal_only_with_its_address(mapper: Mapper) -> None:
    record = {"id": "a1", "name": "Datos", "kind": "table", "license": "cc-by"}
    alone = _map(mapper, record)
    assert not _objects(alone, DCAT.distribution) and not _objects(alone, DCAT.landingPage)
    gaps = [p for p in alone.problems if p.component == "puente:NoOrigin"]
    assert {(str(p.path), p.severity.value) for p in gaps} == {(str(DCAT.distribution), "warning"),
                                                              (str(DCAT.landingPage), "info")}  # once each
    assert all(p.source_gap and p.source_field is None for p in gaps)
    given = _map(mapper, record, origin="https://portal.example.gov")
    assert URIRef("https://portal.example.gov/rows/a1.csv") in _objects(given, DCAT.accessURL)
    from_record = _map(mapper, {**record, "domain": "portal.example.gov"})
    assert URIRef("https://portal.example.gov/d/a1") in _objects(from_record, DCAT.landingPage)
    assert portal_origin("https://x.example.org/some/page?q=1") == "https://x.example.org"
    assert portal_origin("not a domain") is None


def test_texts_puente_writes_are_in_each_language(mapper: Mapper) -> None:
    mapped = _map(mapper, {"id": "a1", "name": "Datos", "kind": "table"}, origin="https://p.example.gov")
    titles = {(str(o), o.language) for o in _objects(mapped, DCT.title) if o.language}
    assert titles == {("Descarga CSV de «Datos»", "es"), ('CSV download of "Datos"', "en")}


def test_conditions_on_nodes(mapper: Mapper) -> None:
    file_view = _map(mapper, {"id": "a1", "kind": "file"}, origin="https://p.example.gov")
    assert not _objects(file_view, DCAT.distribution)  # when_in: only tables get table exports
    with_org = _map(mapper, {"id": "a1", "author": "Ana", "organization": "Ministerio"})
    assert not _objects(with_org, DCT.creator)  # unless: an organisation publishes, the author is no creator
    without = _map(mapper, {"id": "a1", "author": "Ana"})
    assert _objects(without, FOAF.name) == [Literal("Ana")]


def test_an_empty_node_is_left_out_and_its_problem_told_on_its_property(mapper: Mapper) -> None:
    mapped = _map(mapper, {"id": "a1", "period": "Fall 2010"})
    assert not _objects(mapped, DCT.temporal) and not any(o == DCT.PeriodOfTime for _, _, o in mapped.triples)
    problem = next(p for p in mapped.problems if p.component == "puente:UnreadText")
    assert problem.path == DCT.temporal and str(problem.focus).endswith("/demo/a1")
    kept = _map(mapper, {"id": "a1", "period": "2010 to present"})
    assert _objects(kept, DCAT.startDate) == [Literal("2010", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear"))]


def test_issued_is_never_after_the_data_changed(mapper: Mapper) -> None:
    later = _map(mapper, {"id": "a1", "published": 1348659243, "created": 1317377230, "changed": 1348659179})
    assert [str(o) for o in _objects(later, DCT.issued)] == ["2011-09-30T10:07:10+00:00"]  # created
    earlier = _map(mapper, {"id": "a1", "published": 1300000000, "created": 1200000000, "changed": 1348659179})
    assert [str(o)[:10] for o in _objects(earlier, DCT.issued)] == ["2011-03-13"]  # published


def test_a_record_states_its_own_language(mapper: Mapper) -> None:
    one = _map(mapper, {"id": "a1", "name": "Datos", "language": ["spa"]})
    assert [o.language for o in _objects(one, DCT.title)] == ["es"]
    two = _map(mapper, {"id": "a1", "name": "Datos", "language": ["spa", "en"]})
    assert [o.language for o in _objects(two, DCT.title)] == [None]  # several: no tag rather than a wrong one
    none = _map(mapper, {"id": "a1", "name": "Datos"})
    assert [o.language for o in _objects(none, DCT.title)] == [None]


def test_problems_are_told_once(mapper: Mapper) -> None:
    mapped = _map(mapper, {"id": "a1", "kind": "table", "license": "no such licence", "tags": ["zz1", "zz2"]},
                  origin="https://p.example.gov")
    licences = [p for p in mapped.problems if str(p.path) == str(DCT.license)]
    assert len(licences) == 1 and licences[0].source_field == "[0].license"  # one dataset field, two exports
    themes = [p for p in mapped.problems if str(p.path) == str(DCAT.theme)]
    assert len(themes) == 1 and str(themes[0].value) == "zz1 · zz2" and themes[0].source_field == "[0].tags"
    assert "values" in themes[0].message["en"]  # type: ignore[index]


def test_one_finding_per_node_and_property() -> None:
    focus, path = URIRef("http://ex.org/d"), DCAT.theme
    problem = Finding(focus, path, Literal("X"), "puente:UnknownValue", "p#unknown-value",
                      severity=_warning(), message={"en": "X is unknown"}, source_field="category")
    shape = Finding(focus, path, None, "sh:QualifiedMinCountConstraintComponent", "s#Dataset-theme-eu",
                    severity=_warning())
    other = Finding(focus, DCT.title, None, "sh:MinCountConstraintComponent", "s#t", severity=_warning())
    assert deduplicate([shape, other, problem]) == [problem, other]  # the one naming the value and the field
    typed = [Finding(focus, DCAT.keyword, Literal(v), "sh:DatatypeConstraintComponent", "s#k", severity=_warning())
             for v in ("a", "b")]
    (merged,) = deduplicate(typed)
    assert str(merged.value) == "a · b"


def _warning() -> Any:
    from app.findings import Severity

    return Severity.WARNING


def test_the_rdf_type_triple_of_a_made_node(mapper: Mapper) -> None:
    mapped = _map(mapper, {"id": "a1", "kind": "table"}, origin="https://p.example.gov")
    assert (URIRef("http://127.0.0.1:8000/demo/a1/csv"), RDF.type, DCAT.Distribution) in mapped.triples
    assert URIRef("http://127.0.0.1:8000/demo/a1/csv") in mapped.generated

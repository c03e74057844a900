"""Golden cases per source: the common-profile graph (isomorphic) and the report of each input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.report import report_data
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from tests.conftest import CASES
from tests.pipeline.test_golden_reports import normalise

SOURCES = ("ckan", "socrata", "datajson", "co", "cl", "mx", "es")
MEDIA = {".json": "application/json", ".ttl": "text/turtle", ".rdf": "application/rdf+xml",
         ".jsonld": "application/ld+json", ".nt": "application/n-triples"}
CASE_DIRS = sorted(p for source in SOURCES for p in (CASES / source).iterdir() if p.is_dir())
UPDATE = os.environ.get("PUENTE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


def _input(case: Path) -> tuple[bytes, str]:
    path = next(p for p in sorted(case.iterdir()) if p.stem == "input")
    return path.read_bytes(), MEDIA[path.suffix]


def _diff(expected: Graph, actual: Graph) -> str:
    from rdflib.compare import graph_diff

    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    return (f"only expected:\n{only_expected.serialize(format='nt')}\n"
            f"only actual:\n{only_actual.serialize(format='nt')}")


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{c.parent.name}/{c.name}" for c in CASE_DIRS])
def test_golden_mapping(case: Path, pipeline: Pipeline, profile: Profile) -> None:
    source = case.parent.name
    body, media_type = _input(case)
    outcome = pipeline.validate(body, media_type=media_type, source=source)
    graph = outcome.mapped.graph
    report = normalise(report_data(graph, outcome.findings, profile=profile, lang="es", source=source,
                                    source_detected=False, source_field=outcome.source_field))
    expected_ttl, expected_report = case / "expected.ttl", case / "expected-report.json"
    if UPDATE:
        expected_ttl.write_text(graph.serialize(format="turtle"), encoding="utf-8")
        expected_report.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert expected_ttl.exists() and expected_report.exists(), f"no golden files: PUENTE_UPDATE_GOLDEN=1 for {case}"
    expected = Graph()
    expected.parse(expected_ttl, format="turtle")
    assert isomorphic(expected, graph), _diff(expected, graph)
    assert report == json.loads(expected_report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{c.parent.name}/{c.name}" for c in CASE_DIRS])
def test_source_is_detected(case: Path, pipeline: Pipeline) -> None:
    """Without ?source=, Puente recognises the format of every golden input."""
    body, media_type = _input(case)
    outcome = pipeline.validate(body, media_type=media_type, source=None)
    assert outcome.detected is True
    assert outcome.source.name == case.parent.name


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{c.parent.name}/{c.name}" for c in CASE_DIRS])
def test_every_finding_names_its_field_or_has_none(case: Path, pipeline: Pipeline, profile: Profile) -> None:
    """Results of a national record carry source_field; null only for properties no field of the format holds,
    and then source_gap says so (tests/crosswalk/test_golden_properties.py checks every case of every source)."""
    source = case.parent.name
    body, media_type = _input(case)
    outcome = pipeline.validate(body, media_type=media_type, source=source)
    report = report_data(outcome.mapped.graph, outcome.findings, profile=profile, lang="en", source=source,
                          source_detected=False, source_field=outcome.source_field)
    for record in report["records"]:
        for result in record["results"]:
            if result["severity"] == "violation" or result["constraint"].startswith("puente:"):
                assert result["source_field"] or result["source_gap"], (record["id"], result)

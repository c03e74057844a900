"""Golden reports for DCAT input: written cases and the real Spanish records of ../shared/samples."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.pipeline.parsing import RDF_MEDIA_TYPES
from app.pipeline.report import report_data
from app.pipeline.report_models import REPORT_ADAPTER, ValidationReport
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import Settings
from tests.conftest import CASES

MEDIA = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".jsonld": "application/ld+json",
         ".nt": "application/n-triples"}
CASE_DIRS = sorted(p for p in (CASES / "dcat").iterdir() if p.is_dir())


def _bnode(value: str | None) -> str | None:
    return "_:" if value is not None and value.startswith("_:") else value


def normalise(report: ValidationReport) -> dict[str, Any]:
    """The report without what changes between runs (blank-node labels, the order of shared groups)."""
    data = json.loads(json.dumps(report))

    def results(found: list[dict[str, Any]]) -> None:
        for result in found:
            result["focus"] = _bnode(result["focus"])
            result["value"] = _bnode(result["value"])
        found.sort(key=lambda r: json.dumps(r, sort_keys=True))

    shared = data["shared"]
    for group in shared:
        group["records"] = [_bnode(r) for r in group["records"]]
        results(group["results"])
    order = sorted(range(len(shared)), key=lambda i: json.dumps(shared[i], sort_keys=True))
    renumbered = {old: new for new, old in enumerate(order)}
    data["shared"] = [shared[i] for i in order]
    for record in data["records"]:
        record["id"] = _bnode(record["id"])
        results(record["results"])
        record["shared"] = sorted(renumbered[i] for i in record["shared"])
    data["records"].sort(key=lambda r: json.dumps(r, sort_keys=True))
    return data


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks={})


def _input(case: Path) -> Path:
    return next(p for p in case.iterdir() if p.stem == "input")


@pytest.mark.parametrize("case", CASE_DIRS, ids=[c.name for c in CASE_DIRS])
def test_golden_report(case: Path, pipeline: Pipeline, profile: Profile) -> None:
    source = _input(case)
    media_type = MEDIA[source.suffix]
    assert media_type in RDF_MEDIA_TYPES
    outcome = pipeline.validate(source.read_bytes(), media_type=media_type, source="dcat")
    report = normalise(report_data(outcome.mapped.graph, outcome.findings, profile=profile, lang="es", source="dcat",
                                    source_detected=False))
    expected_path = case / "expected-report.json"
    if os.environ.get("PUENTE_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no golden report yet: run PUENTE_UPDATE_GOLDEN=1 make unit and review {case}"
    assert report == json.loads(expected_path.read_text(encoding="utf-8"))


def test_complete_dataset_conforms_with_zero_violations(pipeline: Pipeline, profile: Profile) -> None:
    body = (CASES / "dcat" / "complete-dataset" / "input.ttl").read_bytes()
    outcome = pipeline.validate(body, media_type="text/turtle", source="dcat")
    report = report_data(outcome.mapped.graph, outcome.findings, profile=profile, lang="es", source="dcat",
                          source_detected=False)
    assert report["conforms"] is True
    assert report["summary"]["violations"] == 0
    assert report["summary"]["records"] == 1


def test_defective_dataset_reports_each_defect(pipeline: Pipeline, profile: Profile) -> None:
    body = (CASES / "dcat" / "defective-dataset" / "input.ttl").read_bytes()
    outcome = pipeline.validate(body, media_type="text/turtle", source="dcat")
    report = report_data(outcome.mapped.graph, outcome.findings, profile=profile, lang="es", source="dcat",
                          source_detected=False)
    violations = {(r["path"], r["constraint"]) for rec in report["records"] for r in rec["results"]
                  if r["severity"] == "violation"}
    assert ("dct:title", "sh:MinCountConstraintComponent") in violations
    assert ("dct:issued", "sh:OrConstraintComponent") in violations
    assert ("dct:publisher", "sh:ClassConstraintComponent") in violations
    assert ("dcat:accessURL", "sh:MinCountConstraintComponent") in violations
    fields = {r["source_field"] for rec in report["records"] for r in rec["results"] if r["path"] == "dcat:accessURL"}
    assert fields == {"dcat:distribution/dcat:accessURL"}


def test_the_report_written_without_models_is_the_models_own_dump(pipeline: Pipeline, profile: Profile) -> None:
    """Workers send report_json (orjson over plain data); the parent reads it as the model: the same bytes as
    pydantic's own dump, on every case and on a generated corpus with defects of every kind."""
    from bench.corpus import generate

    bodies = [(_input(case).read_bytes(), MEDIA[_input(case).suffix]) for case in CASE_DIRS]
    bodies += [(d.body, d.media_type) for d in generate(records=60, seed=3) if d.source == "dcat"]
    compared = 0
    for body, media_type in bodies:
        outcome = pipeline.validate(body, media_type=media_type, source="dcat")
        for lang in ("es", "en"):
            written = outcome.report_json(profile=profile, lang=lang)  # the definition's order and types, exactly
            assert written == REPORT_ADAPTER.dump_json(REPORT_ADAPTER.validate_json(written))
            assert written == REPORT_ADAPTER.dump_json(outcome.report(profile=profile, lang=lang))
            compared += 1
    assert compared == 2 * len(bodies)

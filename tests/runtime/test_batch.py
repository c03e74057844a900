"""Catalogues on every core answer exactly what one process answers, and what pyshacl finds.

Blank nodes get new names on every read, so reports are compared with blank node names erased and each
record's results as a multiset.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rdflib import BNode

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.errors import PuenteError
from app.findings import Finding
from app.pipeline.report import deduplicate
from app.pipeline.report_models import REPORT_ADAPTER, ValidationReport
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.runtime.batch import Input, validate_catalogue, validate_catalogues
from app.settings import REPO_ROOT, Settings
from app.shacl.reference import PyshaclEngine
from bench.corpus import Document, generate

_BLANK = re.compile(r"_:[0-9A-Za-z]+")


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


def _normal(report: ValidationReport) -> dict[str, Any]:
    data = json.loads(json.dumps(report))
    groups = []
    for group in data.pop("shared"):
        results = sorted(_BLANK.sub("_:", json.dumps(r, sort_keys=True)) for r in group["results"])
        groups.append(_BLANK.sub("_:", json.dumps({"records": group["records"], "results": results}, sort_keys=True)))
    records = []
    for record in data.pop("records"):
        results = sorted(_BLANK.sub("_:", json.dumps(r, sort_keys=True)) for r in record.pop("results"))
        if record["iri"] is None:
            record["id"] = _BLANK.sub("_:", record["id"])
        shared = sorted(groups[i] for i in record.pop("shared"))  # the groups themselves, not their places
        records.append(_BLANK.sub("_:", json.dumps({**record, "results": results, "shared": shared}, sort_keys=True)))
    data["records"] = records
    data["shared"] = sorted(groups)
    return data


def _key(finding: Finding) -> tuple[str, ...]:
    def shown(node: object) -> str:
        return "_:" if isinstance(node, BNode) else str(node)

    return (shown(finding.focus), str(finding.path), "" if finding.value is None else shown(finding.value),
            finding.component, finding.shape, finding.severity.value)


def _run(pipeline: Pipeline, document: Document, *, processes: int) -> Any:
    return validate_catalogue(pipeline, document.body, media_type=document.media_type, source=document.source,
                              lang="es", processes=processes, keep_findings=True)


@pytest.mark.parametrize("document", generate(records=200, seed=11), ids=lambda d: d.source)
def test_every_core_reports_what_one_process_reports(document: Document, pipeline: Pipeline) -> None:
    shared = _run(pipeline, document, processes=2)
    alone = _run(pipeline, document, processes=1)
    assert shared.report["summary"]["records"] >= document.records
    assert shared.report["summary"]["violations"] > 0  # the corpus has defects: there is something to get wrong
    assert _normal(shared.report) == _normal(alone.report)
    assert sorted(map(_key, shared.findings)) == sorted(map(_key, alone.findings))
    for result in (shared, alone):  # the JSON written from the shares is exactly the report model's own dump
        assert result.report_json == REPORT_ADAPTER.dump_json(result.report)
        assert result.summary == result.report["summary"] and result.conforms == result.report["conforms"]


@pytest.mark.parametrize("document", generate(records=40, seed=5), ids=lambda d: d.source)
def test_every_core_finds_what_pyshacl_finds(document: Document, pipeline: Pipeline, engine: PyshaclEngine) -> None:
    shared = _run(pipeline, document, processes=2)
    mapped, _, _ = pipeline.read(document.body, media_type=document.media_type, source=document.source)
    # pyshacl's results and the mapping's problems, told once each as every report tells them (report.deduplicate)
    reference = deduplicate(mapped.tidy(engine.validate(mapped.graph) + mapped.problems))
    assert len(reference) > document.records
    assert sorted(map(_key, shared.findings)) == sorted(map(_key, reference))


def test_records_that_share_an_iri_are_validated_together(pipeline: Pipeline) -> None:
    """Two Colombian records with one identifier describe one dataset with two issue dates: a violation that
    neither record shows alone, so the catalogue must not be split between them."""
    views = [{"id": "abcd-1234", "name": f"Presupuesto {n}", "description": "Datos del presupuesto.",
              "createdAt": 1420000000 + n * 86400 * 40, "category": "Educación"} for n in range(6)]
    document = Document("co", "application/json", json.dumps(views).encode(), len(views))
    shared = _run(pipeline, document, processes=2)
    alone = _run(pipeline, document, processes=1)
    assert any(f.component == "sh:MaxCountConstraintComponent" for f in alone.findings)
    assert _normal(shared.report) == _normal(alone.report)


def test_an_rdf_catalogue_is_shared_out_by_record(pipeline: Pipeline) -> None:
    """A catalogue node pointing at every dataset, and one publisher all datasets share: each finding once."""
    datasets = "\n".join(
        f'<http://ex.org/d{n}> a dcat:Dataset ; dct:title "Conjunto {n}"@es ; dct:publisher <http://ex.org/org> ;'
        f' dct:description "Datos {n}."@es .\n<http://ex.org/cat> dcat:dataset <http://ex.org/d{n}> .'
        for n in range(12))
    body = ("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            "<http://ex.org/cat> a dcat:Catalog ; dct:title \"Catálogo\"@es .\n"
            "<http://ex.org/org> a <http://xmlns.com/foaf/0.1/Agent> .\n" + datasets).encode()
    document = Document("dcat", "text/turtle", body, 12)
    shared = _run(pipeline, document, processes=2)
    alone = _run(pipeline, document, processes=1)
    publisher = [f for f in shared.findings if str(f.focus) == "http://ex.org/org"]
    assert publisher  # the shared publisher has no name: found once, reported once for every dataset
    assert len(publisher) == len({_key(f) for f in publisher})
    assert _normal(shared.report) == _normal(alone.report)
    [group] = [g for g in shared.report["shared"] if g["results"][0]["focus"] == "http://ex.org/org"]
    assert len(group["results"]) == len(publisher) and len(group["records"]) == 12
    datasets = [r for r in shared.report["records"] if r["type"] == "dataset"]
    index = shared.report["shared"].index(group)
    assert all(index in r["shared"] for r in datasets)
    assert not any(r["focus"] == "http://ex.org/org" for d in datasets for r in d["results"])
    assert [r["type"] for r in shared.report["records"]][:2] == ["catalog", "dataset"]


def test_dataset_series_are_shared_out_and_reported_as_records(pipeline: Pipeline) -> None:
    """Series are records of their own: shared out like datasets, their findings under "datasetseries"."""
    parts = []
    for n in range(6):
        parts.append(f'<http://ex.org/s{n}> a dcat:DatasetSeries ; dct:title "Serie {n}"@es .\n'
                     f'<http://ex.org/d{n}> a dcat:Dataset ; dct:title "Conjunto {n}"@es ; dct:description "D."@es ;'
                     f' dct:publisher <http://ex.org/org> ; dcat:inSeries <http://ex.org/s{n}> .')
    body = ("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            "<http://ex.org/org> a <http://xmlns.com/foaf/0.1/Agent> ; <http://xmlns.com/foaf/0.1/name> \"Org\" .\n"
            + "\n".join(parts)).encode()
    document = Document("dcat", "text/turtle", body, 12)
    shared = _run(pipeline, document, processes=2)
    alone = _run(pipeline, document, processes=1)
    assert _normal(shared.report) == _normal(alone.report)
    series = [r for r in shared.report["records"] if r["type"] == "datasetseries"]
    assert len(series) == 6 and shared.report["summary"]["records"] == 12
    assert all(not r["conforms"] and any(x["path"] == "dct:description" for x in r["results"]) for r in series)
    assert shared.report_json == REPORT_ADAPTER.dump_json(shared.report)


def test_several_documents_overlapped_answer_as_each_alone(pipeline: Pipeline) -> None:
    """`puente validate a b c`: the next document is read while the workers validate the previous one; each
    answer is the one a run on that document alone gives, in order, and a bad document is an error in its place."""
    documents = generate(records=60, seed=3)
    inputs = [Input(d.body, d.media_type, d.source) for d in documents]
    inputs.insert(2, Input(b"{ not json", "application/json", "co"))
    answers = list(validate_catalogues(pipeline, inputs, lang="es", processes=2, keep_findings=True))
    assert len(answers) == len(inputs)
    assert isinstance(answers[2], PuenteError)
    for document, answer in zip(documents, answers[:2] + answers[3:], strict=True):
        assert not isinstance(answer, PuenteError)
        alone = _run(pipeline, document, processes=1)
        assert answer.report["source"] == document.source
        assert _normal(answer.report) == _normal(alone.report)
        assert sorted(map(_key, answer.findings)) == sorted(map(_key, alone.findings))

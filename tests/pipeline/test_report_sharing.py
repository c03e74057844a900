"""Reports grow with their input: a finding on a node several records reach is reported once (in `shared`), and
referenced by those records (issue 19, defect 4: 650 datasets sharing 1,400 distributions made a 2.66 GB report)."""

from __future__ import annotations

import csv
import io

import orjson

from app.pipeline.report import report_csv
from app.pipeline.report_models import REPORT_ADAPTER
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import Settings
from bench.worst import shared_distributions


def _report(profile: Profile, body: bytes) -> tuple[dict, int]:  # type: ignore[type-arg]
    pipeline = Pipeline(profile=profile, settings=Settings(), crosswalks={})
    outcome = pipeline.validate(body, media_type="text/turtle", source="dcat")
    data = outcome.report_json(profile=profile, lang="es")
    REPORT_ADAPTER.validate_json(data)  # the report is what the TypedDicts say
    return orjson.loads(data), len(outcome.findings)


def _results(report: dict) -> int:  # type: ignore[type-arg]
    return (sum(len(r["results"]) for r in report["records"])
            + sum(len(g["results"]) for g in report["shared"]))


def test_every_finding_is_reported_once(profile: Profile) -> None:
    body, _ = shared_distributions(scale=0.002)  # 29 datasets, 62 distributions, every one shared by all
    report, findings = _report(profile, body)
    assert _results(report) == findings  # not findings × datasets
    datasets = [r for r in report["records"] if r["type"] == "dataset"]
    assert len(datasets) == 29 and len(report["shared"]) == 1
    [group] = report["shared"]
    assert sorted(group["records"]) == sorted(d["id"] for d in datasets)
    assert {r["focus"] for r in group["results"]} == {f"http://example.org/distribution{j:05d}" for j in range(62)}
    for dataset in datasets:  # each dataset points at the group, and counts and conforms with it
        assert dataset["shared"] == [0]
        assert not any(r["focus"].startswith("http://example.org/distribution") for r in dataset["results"])
        assert dataset["violations"] >= sum(1 for r in group["results"] if r["severity"] == "violation") > 0
        assert dataset["conforms"] is False
    assert report["summary"]["conforming"] == 0


def test_the_report_grows_with_the_input_not_with_its_square(profile: Profile) -> None:
    small, _ = shared_distributions(scale=0.002)
    large, _ = shared_distributions(scale=0.008)  # twice the datasets and twice the distributions: 4× the input
    small_report, _ = _report(profile, small)
    large_report, _ = _report(profile, large)
    small_size, large_size = len(orjson.dumps(small_report)), len(orjson.dumps(large_report))
    assert large_size < 3 * small_size  # filed under every dataset, it would be 4× (and 16× at 4× per side)


def test_the_csv_has_one_row_per_finding(profile: Profile) -> None:
    body, _ = shared_distributions(scale=0.002)
    report, findings = _report(profile, body)
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))  # type: ignore[arg-type]
    assert len(rows) == findings
    shared = [row for row in rows if row["record_type"] == "shared"]
    assert shared and all(len(row["record_id"].split()) == 29 for row in shared)

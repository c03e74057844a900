"""JSON inputs have the caps RDF has (values ~ triples, strings ~ literals), enforced with a 413 before any mapping,
and no record or item of a JSON document is ever dropped silently (issue 19, defect 3)."""

from __future__ import annotations

import json

import pytest

from app.crosswalk.loader import load_crosswalks
from app.errors import PayloadTooLargeError
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from bench.worst import socrata_views


def _pipeline(profile: Profile, **settings: int) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(**settings), crosswalks=load_crosswalks(REPO_ROOT / "mappings"))


def test_more_than_ten_thousand_records_are_all_read(profile: Profile) -> None:
    """The crosswalk engine used to keep the first 10,000 records and answer as if that were all."""
    body, media = socrata_views(10_001, defective_last=True)
    opened = _pipeline(profile).open(body, media_type=media, source="co")
    assert len(opened.records) == 10_001
    assert opened.records[-1][0]["id"] == "zzzz-last"


def test_the_record_limit_is_checked_on_every_record(profile: Profile) -> None:
    body, media = socrata_views(450)
    with pytest.raises(PayloadTooLargeError) as refused:
        _pipeline(profile, max_records=400).open(body, media_type=media, source="co")
    assert "450" in str(refused.value) and "400" in str(refused.value)


def test_a_long_json_string_is_refused_like_a_long_literal(profile: Profile) -> None:
    view = {"id": "abcd-0001", "name": "Vista", "viewType": "tabular", "description": "a" * 5_001}
    pipeline = _pipeline(profile, max_literal_chars=5_000)
    with pytest.raises(PayloadTooLargeError) as refused:
        pipeline.validate(json.dumps(view).encode(), media_type="application/json", source=None)
    assert "5000" in str(refused.value)
    view["description"] = "a" * 5_000  # at the limit: read
    assert pipeline.validate(json.dumps(view).encode(), media_type="application/json", source=None).findings
    long_key = {"id": "abcd-0001", "name": "Vista", "viewType": "tabular", "k" * 5_001: 1}
    with pytest.raises(PayloadTooLargeError):
        pipeline.validate(json.dumps(long_key).encode(), media_type="application/json", source=None)


def test_a_json_document_with_more_values_than_triples_allowed_is_refused(profile: Profile) -> None:
    """69 packages of 10,000 resources grew a worker to 4.4 GB: the document's values are counted first."""
    resources = [{"url": f"http://e/{i}"} for i in range(600)]  # 1,201 values
    page = {"result": {"results": [{"name": "p", "title": "P", "resources": resources}]}}
    pipeline = _pipeline(profile, max_triples=1_000)
    with pytest.raises(PayloadTooLargeError) as refused:
        pipeline.validate(json.dumps(page).encode(), media_type="application/json", source="ckan")
    assert "1000" in str(refused.value)
    page["result"]["results"][0]["resources"] = resources[:400]  # type: ignore[index]
    pipeline.validate(json.dumps(page).encode(), media_type="application/json", source="ckan")


def test_every_item_of_a_long_list_is_mapped(profile: Profile) -> None:
    """One package of 10,005 resources: every distribution is there (the engine used to stop at 10,000)."""
    resources = [{"url": f"http://e.org/{i}", "format": "CSV"} for i in range(10_005)]
    package = {"name": "p", "title": "Paquete", "notes": "Datos.", "resources": resources}
    mapped, _, _ = _pipeline(profile).read(json.dumps(package).encode(), media_type="application/json", source="ckan")
    distributions = {s for s, p, o in mapped.triples if str(p) == "http://www.w3.org/ns/dcat#accessURL"}
    assert len(distributions) == 10_005

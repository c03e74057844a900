"""The sinks a harvest writes into: validation decides refusals; the JSON-Lines log survives a crash."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from app.errors import FetchError, HarvestError, UnsafeUrlError
from app.harvest.model import Change, HarvestItem, HarvestRun, Refusal, RunError, RunStatus, json_hash, json_item
from app.harvest.sink import JsonlSink, MemorySink, read_log
from app.harvest.state import FileStateStore
from app.i18n import text
from app.pipeline.run import Pipeline
from tests.harvest.fakes import ckan_packages


def item(name: str, **changes: object) -> HarvestItem:
    package = {**ckan_packages(1)[0], "name": name, **changes}
    return json_item(name, package, source_format="ckan", url="http://portal.example/api/3/action/package_show")


def test_memory_sink_created_updated_unchanged_deleted() -> None:
    sink = MemorySink()
    assert sink.upsert(item("a")).change is Change.CREATED
    assert sink.upsert(item("a")).change is Change.UNCHANGED
    assert sink.upsert(item("a", title="Otro")).change is Change.UPDATED
    assert sink.list_ids() == {"a"} and sink.stored_hash("a") == item("a", title="Otro").content_hash
    assert sink.delete("a") and not sink.delete("a")
    assert sink.list_ids() == set()


def test_validation_refuses_records_with_violations(pipeline: Pipeline) -> None:
    sink = MemorySink(pipeline)
    refused = sink.upsert(item("sin-descripcion", notes=""))
    assert refused.change is Change.REFUSED and refused.violations >= 1
    assert refused.message is not None and "descripción" in refused.message["es"]
    assert "description" in refused.message["en"]
    assert sink.list_ids() == set()
    unreadable = HarvestItem("roto", b"{not json", "application/json", "ckan", "x", "http://p.example/")
    broken = sink.upsert(unreadable)
    assert broken.change is Change.REFUSED and broken.message is not None
    assert sink.upsert(item("bien")).change is Change.CREATED


def test_a_refused_update_keeps_the_stored_version(pipeline: Pipeline) -> None:
    sink = MemorySink(pipeline)
    good = item("a")
    sink.upsert(good)
    assert sink.upsert(item("a", notes="")).change is Change.REFUSED
    assert sink.stored_hash("a") == good.content_hash


def test_jsonl_sink_replays_and_drops_a_line_cut_by_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    sink = JsonlSink(path)
    sink.upsert(item("a"))
    sink.upsert(item("b"))
    sink.upsert(item("a", title="Nuevo"))
    sink.delete("b")
    sink.checkpoint()
    sink.close()
    with path.open("ab") as torn:  # what kill -9 in the middle of a write leaves
        torn.write(b'{"change": "created", "id": "c", "bo')
    reopened = JsonlSink(path)
    assert reopened.list_ids() == {"a"}
    assert reopened.stored_hash("a") == item("a", title="Nuevo").content_hash
    assert reopened.records["a"].body == item("a", title="Nuevo").body
    assert path.read_bytes().endswith(b"\n")  # the cut line is gone
    assert [e["change"] for e in read_log(path)] == ["created", "created", "updated", "deleted"]
    assert reopened.upsert(item("a", title="Nuevo")).change is Change.UNCHANGED
    reopened.close()


def test_file_state_store_is_replaced_atomically(tmp_path: Path) -> None:
    store = FileStateStore(tmp_path / "deep" / "state.json")
    assert store.load() is None
    store.save({"reader": {"since": "2024-01-01"}})
    store.save({"reader": {"since": "2024-02-02"}})
    assert store.load() == {"reader": {"since": "2024-02-02"}}
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["state.json"]  # no temporary file left


def test_json_hash_sorts_keys_and_ignores_what_it_is_told() -> None:
    assert json_hash({"a": 1, "b": [1, {"y": 2, "x": 1}]}) == json_hash({"b": [1, {"x": 1, "y": 2}], "a": 1})
    assert json_hash({"a": 1, "modified": "x"}, ignore=["modified"]) == json_hash({"a": 1, "modified": "y"},
                                                                                  ignore=["modified"])
    assert json_hash({"a": 1}) != json_hash({"a": 2})


def test_run_report_matches_the_design() -> None:
    run = HarvestRun(source_type="ckan", url="https://datos.gob.cl", full=True)
    assert run.status is RunStatus.QUEUED
    run.start()
    run.counts.add(Change.CREATED, 3)
    run.error(RunError("record", text("detail.harvest_no_id", url="https://datos.gob.cl/x"), "https://datos.gob.cl/x"))
    run.refused(Refusal("d1", "https://datos.gob.cl/y", 2, {"es": "Falta", "en": "Missing"}))
    run.finish(RunStatus.DONE)
    data = run.to_json(lang="en")
    assert data["status"] == "done" and data["full"] is True
    assert set(data["counts"]) == {"created", "updated", "unchanged", "deleted", "refused", "errors"}
    assert data["counts"]["created"] == 3 and data["counts"]["errors"] == 1
    assert set(data["progress"]) == {"pages", "records"} and "requests" in data
    assert data["errors"][0]["url"] == "https://datos.gob.cl/x" and "no identifier" in data["errors"][0]["message"]
    assert data["refusals"][0]["message"] == "Missing"
    both = run.to_json()
    assert set(both["errors"][0]["message"]) == {"es", "en", "pt"}
    json.dumps(both)


def test_errors_about_urls_keep_their_url_across_processes() -> None:
    for error in (FetchError({"es": "x", "en": "x"}, url="http://a.example/", status_code=503),
                  UnsafeUrlError({"es": "y", "en": "y"}, url="http://127.0.0.1/"),
                  HarvestError({"es": "z", "en": "z"}, url="http://b.example/")):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and copy.url == error.url and copy.detail == error.detail
    assert pickle.loads(pickle.dumps(FetchError({"en": "x"}, status_code=503))).status_code == 503
    assert UnsafeUrlError({"en": "x"}).status == 400 and FetchError({"en": "x"}).status == 502

"""The jobs the service runs in its worker processes: everything proportional to a request's input (validation,
reports, their serialisation, exports, the validator page's results) happens there, under the time limit.

Each job is `job(pipeline, body, *args)` (Runner.run); large answers come back as an Output (a temporary file).
Reports are capped at PUENTE_MAX_REPORT_BYTES: refused before they are built when what their results must hold
already passes the cap (least_report_bytes), and while they are written otherwise.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from rdflib import RDF, URIRef

from app.errors import PayloadTooLargeError
from app.findings import FindingLimitReached
from app.i18n import render, text
from app.pipeline.enrichment import publication_triples
from app.pipeline.exports import dcat_ap_es_triples, to_ckan
from app.pipeline.report import report_csv, report_triples
from app.pipeline.report_models import ValidationReport
from app.pipeline.run import Outcome, Pipeline
from app.rdf.namespaces import DCAT
from app.rdf.serialisation import BY_KEY, JSONLD, TURTLE, RdfFormat, write_triples
from app.runtime.output import Output, SpillWriter

RDF_RESULT_MIN_BYTES = 400  # the smallest a result is in a SHACL report graph, in any syntax (3 messages alone)
# A JSON result without its texts: {"severity":"info","path":null,"focus":"","value":null,"message":"",...}
_RESULT_SKELETON = len(orjson.dumps({"severity": "info", "path": None, "focus": "", "value": None, "message": "",
                                     "constraint": "", "shape": "", "shape_name": "", "source_field": None,
                                     "source_gap": False, "element": None}))
# A record's entry without its texts: every dataset and data service gets one, results or not.
_RECORD_SKELETON = len(orjson.dumps({"id": "", "iri": "", "title": None, "type": "dataset", "conforms": True,
                                     "violations": 0, "warnings": 0, "infos": 0, "results": [], "shared": []}))
_RECORD_TYPES = frozenset((DCAT.Dataset, DCAT.DataService))
PREVIEW_RECORDS = 200  # what the validator page shows; the downloads hold everything
PREVIEW_RESULTS = 100


def _most_results(pipeline: Pipeline) -> int:
    """More results than this cannot fit in a report under the cap (each takes its skeleton, a shape IRI of 31
    characters or more and a constraint name of 10 or more): validation stops past it."""
    return pipeline.settings.max_report_bytes // (_RESULT_SKELETON + 41)


def _validate(pipeline: Pipeline, body: bytes, media_type: str, source: str | None,
              origin: str | None = None) -> Outcome:
    try:
        return pipeline.validate(body, media_type=media_type, source=source, origin=origin,
                                 max_findings=_most_results(pipeline))
    except FindingLimitReached as reached:
        raise _too_large(pipeline, reached.found) from None


def _too_large(pipeline: Pipeline, results: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(text("detail.report_too_large", limit=pipeline.settings.max_report_bytes,
                                     results=results))


def _check_results(pipeline: Pipeline, outcome: Outcome, *, least: int) -> None:
    results = len(outcome.findings)
    if results * least > pipeline.settings.max_report_bytes:
        raise _too_large(pipeline, results)


def least_report_bytes(pipeline: Pipeline, outcome: Outcome, lang: str) -> int:
    """A lower bound of the JSON report's size, from what every result must hold (its skeleton, message, shape,
    constraint and focus; characters, each at least a byte), so a report past the cap is refused before it is
    built (building it takes several times its size in memory)."""
    shapes = pipeline.profile.shapes
    messages: dict[str, int] = {}  # shape → the length of its message and name in `lang`
    total = 0
    for finding in outcome.findings:
        shape = shapes.get(finding.shape)
        if finding.message is not None:
            message = len(render(finding.message, lang)) + (len(render(shape.name, lang)) if shape else 0)
        else:
            message = messages.get(finding.shape, -1)
            if message < 0:
                message = messages[finding.shape] = \
                    len(render(shape.message, lang)) + len(render(shape.name, lang)) if shape else 0
        total += _RESULT_SKELETON + message + len(finding.shape) + len(finding.component) + len(str(finding.focus))
    records = {s for s, p, o in outcome.mapped.triples if p == RDF.type and o in _RECORD_TYPES}
    return total + sum(_RECORD_SKELETON + (len(record) if isinstance(record, URIRef) else 0) for record in records)


def _report_bytes(pipeline: Pipeline, outcome: Outcome, lang: str) -> bytes:
    if least_report_bytes(pipeline, outcome, lang) > pipeline.settings.max_report_bytes:
        raise _too_large(pipeline, len(outcome.findings))
    data = outcome.report_json(profile=pipeline.profile, lang=lang)
    if len(data) > pipeline.settings.max_report_bytes:
        raise _too_large(pipeline, len(outcome.findings))
    return data


def _writer(pipeline: Pipeline, outcome: Outcome | None) -> SpillWriter:
    if outcome is None:
        return SpillWriter()
    results = len(outcome.findings)
    return SpillWriter(limit=pipeline.settings.max_report_bytes, on_limit=lambda: _too_large(pipeline, results))


def report_json(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, lang: str,
                origin: str | None = None) -> Output:
    """POST /validate: the JSON report (docs/DESIGN.md §5)."""
    outcome = _validate(pipeline, body, media_type, source, origin)
    return Output.of(_report_bytes(pipeline, outcome, lang))


def report_rdf(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, fmt: str,
               origin: str | None = None) -> Output:
    """POST /validate with an RDF Accept: the SHACL validation report graph in format `fmt` (a key of BY_KEY)."""
    outcome = _validate(pipeline, body, media_type, source, origin)
    _check_results(pipeline, outcome, least=RDF_RESULT_MIN_BYTES)
    writer = _writer(pipeline, outcome)
    write_triples(report_triples(outcome.findings, profile=pipeline.profile), BY_KEY[fmt], writer,
                  context=pipeline.profile.context, grouped=True)
    return writer.output()


@dataclass(frozen=True)
class Converted:
    """What POST /convert answers: the body, and the source that was read."""

    source: str
    detected: bool
    body: Output


def convert(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, to: str, fmt: str,
            origin: str | None = None) -> Converted:
    """POST /convert: the common-profile graph (`to` "profile"), DCAT-AP-ES ("es") or a CKAN package ("ckan")."""
    mapped, found, detected = pipeline.read(body, media_type=media_type, source=source, origin=origin)
    del body
    if to == "ckan":
        payload = json.dumps(to_ckan(mapped.triples), ensure_ascii=False, indent=1).encode("utf-8")
        return Converted(source=found.name, detected=detected, body=Output.of(payload))
    writer = SpillWriter()
    _write_graph(pipeline, mapped.triples, to=to, fmt=BY_KEY[fmt], out=writer)
    return Converted(source=found.name, detected=detected, body=writer.output())


def _write_graph(pipeline: Pipeline, triples: list[Any], *, to: str, fmt: RdfFormat, out: Any) -> None:
    knowledge = pipeline.profile.background.knowledge
    emitted = dcat_ap_es_triples(triples, knowledge=knowledge) if to == "es" else publication_triples(
        triples, profile=pipeline.profile)
    write_triples(emitted, fmt, out, context=pipeline.profile.context)


# ---------------------------------------------------------------------------------------------- the page
# A result of the validator page is a folder (app/api/result_store.py): `input` and `meta.json`, written when the
# form is sent, then what is asked for, each made once: report.<lang>.json with preview.<lang>.json (what the page
# shows), report.<lang>.csv, report.ttl, dcat.ttl, dcat.jsonld.

ARTIFACTS = ("report.json", "report.csv", "report.ttl", "dcat.ttl", "dcat.jsonld")


def artifact_name(kind: str, lang: str) -> str:
    """The file a download is kept in (per language when it holds messages)."""
    stem, suffix = kind.rsplit(".", 1)
    return f"{stem}.{lang}.{suffix}" if kind in ("report.json", "report.csv") else kind


def _write_atomic(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def stored_outcome(pipeline: Pipeline, folder: Path) -> Outcome:
    """The outcome of a page result kept on disk, validated again from its stored input."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return _validate(pipeline, (folder / "input").read_bytes(), meta["media_type"], meta["source"], meta.get("origin"))


def page_submit(pipeline: Pipeline, body: bytes, directory: str, media_type: str, source: str | None, lang: str,
                origin: str | None = None) -> str:
    """The form was sent: keep the input, validate it, write its report and preview in `lang`; the source used."""
    folder = Path(directory)
    _write_atomic(folder / "input", body)
    _write_atomic(folder / "meta.json", json.dumps({"media_type": media_type, "source": source,
                                                   "origin": origin}).encode())
    outcome = _validate(pipeline, body, media_type, source, origin)
    del body
    _write_report(pipeline, outcome, folder, lang)
    return outcome.source.name


def page_report(pipeline: Pipeline, body: bytes, directory: str, lang: str) -> None:
    """The page asked for in another language: the report and preview in `lang` (validated again)."""
    folder = Path(directory)
    _write_report(pipeline, stored_outcome(pipeline, folder), folder, lang)


def _write_report(pipeline: Pipeline, outcome: Outcome, folder: Path, lang: str) -> None:
    data = _report_bytes(pipeline, outcome, lang)
    _write_atomic(folder / artifact_name("report.json", lang), data)
    report: ValidationReport = orjson.loads(data)
    del data
    _write_atomic(folder / f"preview.{lang}.json", orjson.dumps(preview(report)))


def page_artifact(pipeline: Pipeline, body: bytes, directory: str, kind: str, lang: str) -> str:
    """A download of a page result, made once: the name of its file in the result's folder."""
    folder = Path(directory)
    name = artifact_name(kind, lang)
    if (folder / name).exists():
        return name
    if kind == "report.json":
        _write_report(pipeline, stored_outcome(pipeline, folder), folder, lang)
        return name
    outcome = stored_outcome(pipeline, folder)
    if kind == "report.csv":
        data = _report_bytes(pipeline, outcome, lang)
        report: ValidationReport = orjson.loads(data)
        del data
        _write_atomic(folder / name, report_csv(report).encode("utf-8"))
        return name
    partial = folder / (name + ".partial")
    with partial.open("wb") as out:
        if kind == "report.ttl":
            _check_results(pipeline, outcome, least=RDF_RESULT_MIN_BYTES)
            write_triples(report_triples(outcome.findings, profile=pipeline.profile), TURTLE, out, grouped=True)
        else:
            _write_graph(pipeline, outcome.mapped.triples, to="profile", fmt=TURTLE if kind == "dcat.ttl" else JSONLD,
                         out=out)
    os.replace(partial, folder / name)
    return name


def preview(report: ValidationReport, *, records: int = PREVIEW_RECORDS, results: int = PREVIEW_RESULTS
            ) -> dict[str, Any]:
    """What the page shows of a report: its head, the first `records` records (and shared groups) with their
    first `results` results each, and how much was left out."""
    shown: dict[str, Any] = {key: value for key, value in report.items() if key not in ("records", "shared")}
    groups = report.get("shared", [])
    left_records = 0
    left_results = 0
    for key in ("records", "shared"):
        entries: list[Any] = list(report.get(key, []))  # type: ignore[call-overload]
        kept = []
        for entry in entries[:records]:
            entry = dict(entry)
            if key == "records":  # how many of its results are in shared groups (the page links to them)
                entry["shared_results"] = sum(len(groups[i]["results"]) for i in entry["shared"])
            left_results += max(0, len(entry["results"]) - results)
            entry["results"] = entry["results"][:results]
            kept.append(entry)
        left_records += max(0, len(entries) - records)
        left_results += sum(len(entry["results"]) for entry in entries[records:])
        shown[key] = kept
    shown["omitted"] = {"entries": left_records, "results": left_results}
    return shown

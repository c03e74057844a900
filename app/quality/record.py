"""The quality of a validated input's datasets, as /validate?quality=true and the validator page show it: each
dataset's score (DESIGN §4a JSON, without link checks: reachability "unknown"), and what would raise it most."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from rdflib import URIRef
from rdflib.term import Node

from app.findings import Finding
from app.i18n import render, text
from app.pipeline.run import Pipeline
from app.quality.advice import improvements_json, reachability_points
from app.quality.indicators import RecordIndex
from app.quality.score import Scorer, score_triples
from app.rdf.namespaces import DCT
from app.runtime.jobs import stored_outcome


def record_id(index: RecordIndex, node: Node) -> str:
    """The id the validation report gives a record (its dct:identifier, else the end of its IRI)."""
    identifier = index.text(node, DCT.identifier, "")
    if identifier:
        return identifier
    if isinstance(node, URIRef):
        tail = str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return tail or str(node)
    return f"_:{node}"


def quality_section(triples: Iterable[tuple[Node, Node, Node]], findings: Iterable[Finding], *, scorer: Scorer,
                    lang: str, now: datetime) -> dict[str, Any]:
    """Plain JSON data: the note on what was not measured, and per dataset its quality and improvements."""
    index = RecordIndex(triples)
    scored = score_triples(index, findings, scorer=scorer, now=now, lang=lang)
    datasets = []
    for entry in scored:
        datasets.append({
            "id": record_id(index, entry.node), "iri": str(entry.node) if isinstance(entry.node, URIRef) else None,
            "title": entry.title, "publisher": entry.publisher,
            "best_distribution": str(entry.best_distribution) if isinstance(entry.best_distribution, URIRef)
            else None,
            "quality": entry.quality.model_dump(mode="json"),
            "improvements": improvements_json(entry.quality, metrics=scorer.metrics, lang=lang),
        })
    note = render(text("quality.unmeasured", points=reachability_points(scorer.metrics)), lang)
    return {"link_checks": False, "note": note, "datasets": datasets}


def report_with_quality(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, lang: str,
                        now: datetime, origin: str | None = None) -> bytes:
    """The /validate JSON report with a "quality" member added after the others (run where validations run)."""
    outcome = pipeline.validate(body, media_type=media_type, source=source, origin=origin)
    data = outcome.report(profile=pipeline.profile, lang=lang)
    scorer = Scorer.for_profile(pipeline.profile, assets_dir=pipeline.settings.assets_dir)
    data["quality"] = quality_section(outcome.mapped.triples, outcome.findings, scorer=scorer, lang=lang, now=now)
    return orjson.dumps(data)


def page_quality(pipeline: Pipeline, body: bytes, directory: str, lang: str,
                 now: datetime) -> tuple[dict[str, Any], Any]:
    """The validator page's quality box for a stored result (a worker job: the input is read from `directory`)."""
    del body
    outcome = stored_outcome(pipeline, Path(directory))
    scorer = Scorer.for_profile(pipeline.profile, assets_dir=pipeline.settings.assets_dir)
    section = quality_section(outcome.mapped.triples, outcome.findings, scorer=scorer, lang=lang, now=now)
    return section, scorer.metrics

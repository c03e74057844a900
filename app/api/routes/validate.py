"""POST /validate: a record or a catalogue in, a report out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api import negotiation
from app.api.deps import FormatQuery, LangDep, PipelineDep, RunnerDep
from app.api.problems import WRITE_ERRORS
from app.api.rendering import RDF_OFFERS, rdf_response
from app.pipeline.parsing import RDF_MEDIA_TYPES, media_type_of
from app.pipeline.report import report_graph
from app.pipeline.report_models import ValidationReport
from app.pipeline.sources import JSON_MEDIA_TYPES, ORDER
from app.quality.record import report_with_quality

router = APIRouter(tags=["validation"], responses=WRITE_ERRORS)

_BODY_TYPES = (*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES)
_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "One record or a whole catalogue, in the format of `source`.",
        "content": {m: {"schema": {"type": "string"}} for m in _BODY_TYPES},
    }
}
SourceQuery = Annotated[str | None, Query(max_length=32, description=(
    "Input format: " + ", ".join(ORDER) + ". Omit it to let Puente detect it."))]
QualityQuery = Annotated[bool, Query(description=(
    "Also score each dataset the MQA way (data.europa.eu's 405 points) with its freshness, and say what would "
    "raise the score most: a `quality` member is added to the JSON report (RDF answers are unchanged). Link checks "
    "are not run here, so URL reachability is null (unknown) and earns nothing."))]
OriginQuery = Annotated[str | None, Query(max_length=500, description=(
    "Address of the portal the record comes from (https://data.example.org), for the links Puente writes to its "
    "downloads when the record does not say it (a Socrata view). Without it those links are left out and a finding "
    "says so; Puente never writes links under its own address."))]


@router.post("/validate", summary="Validate a record or a catalogue against the profile",
             response_model=ValidationReport, openapi_extra=_OPENAPI_BODY,
             responses={200: {"content": {"application/json": {}, **{m: {} for m in RDF_OFFERS}},
                              "description": "The report (JSON), or a SHACL ValidationReport graph for RDF types."}})
async def validate(request: Request, pipeline: PipelineDep, runner: RunnerDep, lang: LangDep,
                   source: SourceQuery = None, fmt: FormatQuery = None, quality: QualityQuery = False,
                   origin: OriginQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", *RDF_OFFERS),
                                default="application/json", format_key=fmt)
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    # Parsing and validation are CPU-bound: keep them off the event loop.
    if quality and chosen not in RDF_OFFERS:
        # scored where it was validated (a worker, same time limit): only the answer's bytes come back
        now: datetime = request.app.state.clock()
        answer = await run_in_threadpool(runner.run, report_with_quality, body, media_type, source, lang, now,
                                        origin)
        return Response(answer, media_type="application/json",
                        headers={"Content-Language": lang, "Vary": "Accept, Accept-Language"})
    if chosen in RDF_OFFERS:
        outcome = await run_in_threadpool(runner.validate, body, media_type=media_type, source=source, origin=origin)
        graph = report_graph(outcome.findings, profile=pipeline.profile)
        return rdf_response(graph, media_type=chosen, profile=pipeline.profile)
    report = await runner.report_async(body, media_type=media_type, source=source, lang=lang, origin=origin)
    return Response(report, media_type="application/json",
                    headers={"Content-Language": lang, "Vary": "Accept, Accept-Language"})

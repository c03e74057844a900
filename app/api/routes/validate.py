"""POST /validate: a record or a catalogue in, a report out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api import negotiation
from app.api.answers import OutputResponse
from app.api.deps import FormatQuery, LangDep, RunnerDep
from app.api.problems import WRITE_ERRORS
from app.api.rendering import RDF_OFFERS
from app.pipeline.parsing import RDF_MEDIA_TYPES, media_type_of
from app.pipeline.report_models import ValidationReport
from app.pipeline.sources import JSON_MEDIA_TYPES, ORDER
from app.quality.record import report_with_quality
from app.rdf.serialisation import BY_MEDIA_TYPE
from app.runtime import jobs

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
async def validate(request: Request, runner: RunnerDep, lang: LangDep, source: SourceQuery = None,
                   fmt: FormatQuery = None, quality: QualityQuery = False, origin: OriginQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", *RDF_OFFERS),
                                default="application/json", format_key=fmt)
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    # Parsing, validation, the report and its serialisation are all proportional to the input: done by a worker,
    # under the time limit, never on the event loop.
    if chosen in RDF_OFFERS:
        graph = await runner.run(jobs.report_rdf, body, media_type, source, BY_MEDIA_TYPE[chosen].key, origin)
        return OutputResponse(graph, media_type=chosen, headers={"Vary": "Accept"})
    if quality:  # scored where it was validated: only the answer's bytes come back
        now: datetime = request.app.state.clock()
        answer = await runner.run(report_with_quality, body, media_type, source, lang, now, origin)
        return Response(answer, media_type="application/json",
                        headers={"Content-Language": lang, "Vary": "Accept, Accept-Language"})
    report = await runner.run(jobs.report_json, body, media_type, source, lang, origin)
    return OutputResponse(report, media_type="application/json",
                          headers={"Content-Language": lang, "Vary": "Accept, Accept-Language"})

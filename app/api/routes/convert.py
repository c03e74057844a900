"""POST /convert: a record or a catalogue in, the common-profile graph (or an export) out."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api import negotiation
from app.api.answers import OutputResponse
from app.api.deps import FormatQuery, RunnerDep
from app.api.problems import WRITE_ERRORS
from app.api.rendering import RDF_OFFERS
from app.api.routes.validate import _OPENAPI_BODY, OriginQuery, SourceQuery
from app.pipeline.parsing import media_type_of
from app.rdf.serialisation import BY_MEDIA_TYPE
from app.runtime import jobs

router = APIRouter(tags=["conversion"], responses=WRITE_ERRORS)

ToQuery = Annotated[Literal["profile", "es", "ckan"] | None, Query(
    description="Export: omit (or 'profile') for the common-profile graph; 'es' for DCAT-AP-ES 1.0 RDF; "
                "'ckan' for a CKAN package dict (ckanext-dcat scheming fields).")]


@router.post("/convert", summary="Convert a record or a catalogue to the common profile (or export it)",
             openapi_extra=_OPENAPI_BODY,
             responses={200: {"content": {**{m: {} for m in RDF_OFFERS}, "application/json": {}},
                              "description": "The common-profile graph (RDF by Accept), or the export."}})
async def convert(request: Request, runner: RunnerDep, source: SourceQuery = None, to: ToQuery = None,
                  fmt: FormatQuery = None, origin: OriginQuery = None) -> Response:
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    if to == "ckan":
        chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json",),
                                    default="application/json", format_key=fmt)
        key = "nt"  # unused: the export is JSON
    else:
        chosen = negotiation.choose(request.headers.get("accept"), offers=RDF_OFFERS, default="text/turtle",
                                    format_key=fmt)
        key = BY_MEDIA_TYPE[chosen].key
    # Reading, mapping, the export and its serialisation: in a worker, under the time limit.
    converted = await runner.run(jobs.convert, body, media_type, source, to or "profile", key,
                                 origin)
    headers = {"X-Puente-Source": converted.source,
               "X-Puente-Source-Detected": "true" if converted.detected else "false"}
    if to != "ckan":
        extension = BY_MEDIA_TYPE[chosen].extension
        headers.update({"Vary": "Accept", "Content-Disposition": f'inline; filename="puente.{extension}"'})
    return OutputResponse(converted.body, media_type=chosen, headers=headers)

"""POST /convert: a record or a catalogue in, the common-profile graph (or an export) out."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api import negotiation
from app.api.deps import FormatQuery, PipelineDep, RunnerDep
from app.api.problems import WRITE_ERRORS
from app.api.rendering import RDF_OFFERS, rdf_response
from app.api.routes.validate import _OPENAPI_BODY, OriginQuery, SourceQuery
from app.pipeline.enrichment import for_publication
from app.pipeline.exports import to_ckan, to_dcat_ap_es
from app.pipeline.parsing import media_type_of

router = APIRouter(tags=["conversion"], responses=WRITE_ERRORS)

ToQuery = Annotated[Literal["profile", "es", "ckan"] | None, Query(
    description="Export: omit (or 'profile') for the common-profile graph; 'es' for DCAT-AP-ES 1.0 RDF; "
                "'ckan' for a CKAN package dict (ckanext-dcat scheming fields).")]


@router.post("/convert", summary="Convert a record or a catalogue to the common profile (or export it)",
             openapi_extra=_OPENAPI_BODY,
             responses={200: {"content": {**{m: {} for m in RDF_OFFERS}, "application/json": {}},
                              "description": "The common-profile graph (RDF by Accept), or the export."}})
async def convert(request: Request, pipeline: PipelineDep, runner: RunnerDep, source: SourceQuery = None,
                  to: ToQuery = None, fmt: FormatQuery = None, origin: OriginQuery = None) -> Response:
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    if to == "ckan":
        negotiation.choose(request.headers.get("accept"), offers=("application/json",), default="application/json",
                           format_key=fmt)
    else:
        chosen = negotiation.choose(request.headers.get("accept"), offers=RDF_OFFERS, default="text/turtle",
                                    format_key=fmt)
    mapped, found, detected = await run_in_threadpool(runner.read, body, media_type=media_type, source=source,
                                                      origin=origin)
    headers = {"X-Puente-Source": found.name, "X-Puente-Source-Detected": "true" if detected else "false"}
    if to == "ckan":
        payload = to_ckan(mapped.graph)
        return Response(json.dumps(payload, ensure_ascii=False, indent=1), media_type="application/json",
                        headers=headers)
    if to == "es":
        graph = await run_in_threadpool(to_dcat_ap_es, mapped.graph, knowledge=pipeline.profile.background.knowledge)
    else:
        graph = await run_in_threadpool(for_publication, mapped.graph, profile=pipeline.profile)
    response = rdf_response(graph, media_type=chosen, profile=pipeline.profile, filename="puente")
    response.headers.update(headers)
    return response

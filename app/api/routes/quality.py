"""The catalogue's quality (DESIGN §4a): each dataset's and each catalogue's MQA score and freshness, as JSON or
W3C DQV by negotiation; link-check runs started with a token of the catalogue and followed by id.

Included before the catalogues' router: its catch-all for bad dataset paths would otherwise answer
`/datasets/{id}/quality` with a 400.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api import negotiation
from app.api.auth import catalogue_service, require_writer
from app.api.deps import FormatQuery
from app.api.problems import error_responses
from app.api.rendering import RDF_OFFERS
from app.catalogue.definitions import Catalogue
from app.catalogue.identifiers import check_catalogue_id, check_id
from app.errors import CatalogueUnavailableError
from app.i18n import text
from app.quality.catalogue_quality import CatalogueQualityService
from app.quality.dqv import catalogue_to_dqv, dataset_to_dqv

router = APIRouter(tags=["quality"])
CatalogueId = Annotated[str, Path(max_length=64, description="Catalogue id: co, cl, mx, es or one from settings.")]
RecordId = Annotated[str, Path(max_length=1024, description="The record's identifier in its source (IRI-safe).")]
RunId = Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]{1,64}$", description="A link-check run's id.")]
OFFERS = ("application/json", *RDF_OFFERS)
CONTENT: dict[str, Any] = {m: {} for m in OFFERS}
_SYNTAX = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
           "application/n-triples": "nt"}


def quality_service(request: Request) -> CatalogueQualityService:
    """The catalogue's quality service, or a 503 saying why there is none."""
    catalogue_service(request)  # the catalogue's own 503 when it is not open
    quality: CatalogueQualityService | None = getattr(request.app.state, "catalogue_quality", None)
    if quality is None:
        raise CatalogueUnavailableError(text("detail.catalogue_off"))
    return quality


def _quality_of(request: Request, catalogue: str) -> tuple[CatalogueQualityService, Catalogue]:
    """The quality service and the catalogue the path names (400 for a malformed id, 404 for an unknown one)."""
    quality = quality_service(request)
    check_catalogue_id(catalogue, quality.catalogue.catalogues)
    return quality, quality.catalogue.catalogue(catalogue)


def _answer(chosen: str, json_data: Any, graph_of: Any) -> Response:
    headers = {"Vary": "Accept", "Cache-Control": "no-cache"}
    if chosen == "application/json":
        return Response(orjson.dumps(json_data), media_type=chosen, headers=headers)
    graph = graph_of()
    return Response(graph.serialize(format=_SYNTAX[chosen], encoding="utf-8"), media_type=chosen, headers=headers)


@router.get("/catalogues/{catalogue}/datasets/{record_id}/quality",
            summary="One dataset's quality: MQA score, dimensions, rating, freshness (JSON or W3C DQV)",
            responses={200: {"content": CONTENT}, **error_responses(400, 404, 406, 410, 503)})
def dataset_quality(request: Request, catalogue: CatalogueId, record_id: RecordId,
                    fmt: FormatQuery = None) -> Response:
    quality, found = _quality_of(request, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=OFFERS, default="application/json",
                                format_key=fmt)
    stored = quality.dataset_quality(found.id, check_id(record_id))
    return _answer(chosen, stored.quality.model_dump(mode="json"), lambda: dataset_to_dqv(stored.quality))


@router.get("/catalogues/{catalogue}/quality",
            summary="A catalogue's quality the MQA way (share of datasets × points), freshness, overdue list",
            responses={200: {"content": CONTENT}, **error_responses(400, 404, 406, 503)})
def catalogue_quality(request: Request, catalogue: CatalogueId, fmt: FormatQuery = None) -> Response:
    quality, found = _quality_of(request, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=OFFERS, default="application/json",
                                format_key=fmt)
    result = quality.catalogue_quality(found.id)
    return _answer(chosen, result.model_dump(mode="json"), lambda: catalogue_to_dqv(result, iri=found.iri))


@router.get("/catalogues/{catalogue}/quality/history", summary="A catalogue's quality, one point a day (JSON)",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 503)})
def catalogue_history(request: Request, catalogue: CatalogueId) -> Response:
    quality, found = _quality_of(request, catalogue)
    quality.refresh(found.id)
    points = [p.model_dump(mode="json") for p in quality.store.history([found.id])]
    return Response(orjson.dumps(points), media_type="application/json", headers={"Cache-Control": "no-cache"})


@router.post("/catalogues/{catalogue}/linkchecks", status_code=202,
             summary="Check the catalogue's access and download URLs now, in the background (token)",
             responses={202: {"content": {"application/json": {}}}, **error_responses(400, 401, 403, 404, 503)})
async def start_linkcheck(request: Request, catalogue: CatalogueId) -> Response:
    quality, found = _quality_of(request, catalogue)
    who = await run_in_threadpool(require_writer, request, quality.catalogue, found.id)
    run = await run_in_threadpool(quality.start_linkcheck, found.id)
    await run_in_threadpool(quality.catalogue.audit, who=who, catalogue=found.id, action="linkcheck",
                            target=f"/catalogues/{found.id}/linkchecks/{run.id}", outcome=run.status, status=202)
    location = f"/catalogues/{found.id}/linkchecks/{run.id}"
    return Response(orjson.dumps({"id": run.id, "status": run.status}), status_code=202,
                    media_type="application/json", headers={"Location": location})


@router.get("/catalogues/{catalogue}/linkchecks", summary="The catalogue's link-check runs, newest first",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 503)})
def list_linkchecks(request: Request, catalogue: CatalogueId) -> Response:
    quality, found = _quality_of(request, catalogue)
    runs = [quality.run_answer(run, results=False) for run in quality.store.runs(found.id)]
    return Response(orjson.dumps(runs), media_type="application/json", headers={"Cache-Control": "no-cache"})


@router.get("/catalogues/{catalogue}/linkchecks/{run_id}",
            summary="A link-check run: status, progress, and each URL's status and time of check",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 503)})
def get_linkcheck(request: Request, catalogue: CatalogueId, run_id: RunId) -> Response:
    quality, found = _quality_of(request, catalogue)
    run = quality.linkcheck(found.id, run_id)
    return Response(orjson.dumps(quality.run_answer(run)), media_type="application/json",
                    headers={"Cache-Control": "no-cache"})

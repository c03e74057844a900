"""Harvests (DESIGN §4a): sources registered by the admin, runs started with a catalogue's token and read by anyone.

    POST   /admin/harvest-sources            (admin) {"catalogue","type","url","schedule"?,"rate_limit"?,"options"?}
    GET    /admin/harvest-sources            (admin)
    DELETE /admin/harvest-sources/{id}       (admin)
    POST   /catalogues/{cc}/harvests         (token of cc) {"source": id, "full": false} → 202 {"id","status"}
    GET    /catalogues/{cc}/harvests         the runs, latest first
    GET    /catalogues/{cc}/harvests/{id}    one run: status, progress, counts, requests, errors with their URLs
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.auth import catalogue_service, require_admin, require_writer
from app.api.problems import error_responses
from app.catalogue.identifiers import check_catalogue_id
from app.errors import CatalogueUnavailableError, NotFoundError
from app.harvest.registry import SourceEntry, source_id
from app.harvest.runs import HarvestManager
from app.harvest.source import SourceType
from app.i18n import text

router = APIRouter(tags=["harvests"])
CatalogueId = Annotated[str, Path(max_length=64)]
NO_STORE = {"Cache-Control": "no-store"}


class SourceRequest(BaseModel):
    """A harvest source to register."""

    catalogue: str = Field(max_length=64, description="The catalogue its records go into (co, cl, mx, es...).")
    type: SourceType = Field(description="The portal's API: ckan, socrata, datajson or dcat.")
    url: str = Field(max_length=2000, description="The portal (CKAN, Socrata), the data.json file, or the DCAT "
                                                  "endpoint's first page.")
    schedule: str | None = Field(default=None, max_length=200,
                                 description="When to harvest by itself: 5-field cron in UTC, e.g. \"0 3 * * *\".")
    rate_limit: float | None = Field(default=None, gt=0, le=100, description="Requests a second to this portal.")
    options: dict[str, Any] = Field(default_factory=dict, description=(
        "Reader settings: format (the Puente source records are read with), rows, domain, discovery_url, "
        "modified_since, sweep_every, full_every, overlap_s, concurrency, lookup_publishers."))
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                           description="Its id (default: derived from catalogue, type and URL).")


class RunRequest(BaseModel):
    source: str = Field(max_length=100, description="The id of a source of this catalogue.")
    full: bool = Field(default=False, description="List the whole source (and so catch every deletion).")


def harvests(request: Request) -> HarvestManager:
    catalogue_service(request)  # a 503 saying why when the catalogue is off
    manager: HarvestManager | None = getattr(request.app.state, "harvests", None)
    if manager is None:
        raise CatalogueUnavailableError(text("detail.catalogue_off"))
    return manager


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers={**NO_STORE, **(headers or {})})


@router.post("/admin/harvest-sources", summary="Register a harvest source (admin)", status_code=201,
             responses={201: {"content": {"application/json": {}}}, **error_responses(400, 401, 404, 422, 503)})
def add_source(request: Request, body: SourceRequest) -> Response:
    require_admin(request)
    manager = harvests(request)
    check_catalogue_id(body.catalogue, manager.service.catalogues)
    entry = SourceEntry(id=body.id or source_id(body.catalogue, body.type, body.url), catalogue=body.catalogue,
                        type=body.type, url=body.url, schedule=body.schedule, rate_limit=body.rate_limit,
                        options=body.options, origin="api")
    manager.register(entry)
    manager.service.audit(who="admin", catalogue=entry.catalogue, action="harvest-source.put", target=entry.id,
                          outcome="created", status=201)
    return _json(entry.to_json(), 201, {"Location": f"/admin/harvest-sources/{entry.id}"})


@router.get("/admin/harvest-sources", summary="The harvest sources (admin)",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 401, 503)})
def list_sources(request: Request) -> Response:
    require_admin(request)
    return _json([entry.to_json() for entry in harvests(request).db.sources()])


@router.delete("/admin/harvest-sources/{source}", summary="Forget a harvest source (admin; its records stay)",
               status_code=204, responses={204: {"description": "Forgotten"}, **error_responses(400, 401, 404, 503)})
def delete_source(request: Request, source: Annotated[str, Path(max_length=100)]) -> Response:
    require_admin(request)
    manager = harvests(request)
    if not manager.db.delete_source(source):
        raise NotFoundError(text("detail.harvest_unknown_source", id=source[:100], catalogue="-"))
    manager.service.audit(who="admin", catalogue=None, action="harvest-source.delete", target=source[:100],
                          outcome="deleted", status=204)
    return Response(status_code=204)


@router.post("/catalogues/{catalogue}/harvests", summary="Start a harvest run (token of the catalogue)",
             status_code=202, responses={202: {"content": {"application/json": {}}},
                                         **error_responses(400, 401, 403, 404, 409, 422, 503)})
async def start_run(request: Request, catalogue: CatalogueId, body: RunRequest) -> Response:
    manager = harvests(request)
    check_catalogue_id(catalogue, manager.service.catalogues)
    who = await run_in_threadpool(require_writer, request, manager.service, catalogue)
    run = await run_in_threadpool(manager.start, catalogue, body.source, full=body.full, who=who)
    return _json({"id": run["id"], "status": run["status"], "source": run["source"]["id"]}, 202,
                 {"Location": f"/catalogues/{catalogue}/harvests/{run['id']}"})


@router.get("/catalogues/{catalogue}/harvests", summary="The harvest runs of a catalogue, latest first",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 503)})
def list_runs(request: Request, catalogue: CatalogueId,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    manager = harvests(request)
    check_catalogue_id(catalogue, manager.service.catalogues)
    return _json({"runs": manager.runs(catalogue, limit=limit)})


@router.get("/catalogues/{catalogue}/harvests/{run_id}", summary="One harvest run and its report",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 503)})
def get_run(request: Request, catalogue: CatalogueId, run_id: Annotated[str, Path(max_length=100)]) -> Response:
    manager = harvests(request)
    check_catalogue_id(catalogue, manager.service.catalogues)
    return _json(manager.run(catalogue, run_id))

"""The sources Puente reads and, for each, its crosswalk as a table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api import negotiation
from app.api.deps import FormatQuery, LangDep, PipelineDep
from app.api.problems import READ_ERRORS
from app.api.rendering import page
from app.crosswalk.table import TableRow, crosswalk_table, minted_templates, steps_table
from app.errors import NotFoundError
from app.i18n import text

router = APIRouter(tags=["sources"], responses=READ_ERRORS)


class SourceSummary(BaseModel):
    name: str
    title: dict[str, str]
    description: dict[str, str]
    media_types: list[str]
    country: str | None
    url: str


class LeftOut(BaseModel):
    field: str
    reason: str


class SourceDetail(SourceSummary):
    lang: str | None
    origin: str | None
    records: list[str]
    rows: list[TableRow]
    left_out: list[LeftOut] = []  # the fields the crosswalk deliberately leaves out, and why
    minted: list[str] = []  # the IRI templates it mints under Puente's address (identifiers, never links)
    minted_note: str | None = None


@router.get("/sources", summary="The input formats Puente reads",
            responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def list_sources(request: Request, pipeline: PipelineDep, lang: LangDep, fmt: FormatQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", "text/html"),
                                default="application/json", format_key=fmt)
    base = pipeline.settings.base_url.rstrip("/")
    items = [SourceSummary(name=s.name, title=s.label, description=s.description, media_types=list(s.media_types),
                           country=(s.crosswalk.spec.country if s.crosswalk else
                                    s.rdf_steps.spec.country if s.rdf_steps else None),
                           url=f"{base}/sources/{s.name}")
             for s in pipeline.registry.sources.values()]
    if chosen == "text/html":
        return page(request, "sources.html", lang=lang, sources=items)
    return Response(f"[{','.join(i.model_dump_json() for i in items)}]", media_type="application/json")


@router.get("/sources/{source}", summary="One source and its crosswalk table (JSON or HTML)",
            responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def get_source(request: Request, pipeline: PipelineDep, lang: LangDep,
               source: Annotated[str, Path(max_length=32)], fmt: FormatQuery = None) -> Response:
    found = pipeline.registry.sources.get(source)
    if found is None:  # a lookup in a fixed table: no file path is built from `source`
        raise NotFoundError(text("detail.unknown_source", source=source[:32], available=pipeline.registry.names()))
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", "text/html"),
                                default="application/json", format_key=fmt)
    spec = found.crosswalk.spec if found.crosswalk else None
    country = spec.country if spec else found.rdf_steps.spec.country if found.rdf_steps else None
    rows = (crosswalk_table(found.crosswalk) if found.crosswalk
            else steps_table(found.rdf_steps) if found.rdf_steps else [])
    detail = SourceDetail(
        name=found.name, title=found.label, description=found.description, media_types=list(found.media_types),
        country=country, url=f"{pipeline.settings.base_url.rstrip('/')}/sources/{found.name}",
        lang=spec.lang if spec else None, origin=spec.origin if spec else None,
        records=spec.records if spec else [], rows=rows,
        left_out=[LeftOut(field=i.field, reason=i.reason) for i in spec.ignored] if spec else [],
        minted=[template for template, _ in minted_templates(found.crosswalk)] if found.crosswalk else [],
        minted_note=spec.minted if spec else None)
    if chosen == "text/html":
        return page(request, "source.html", lang=lang, source=detail)
    return Response(detail.model_dump_json(), media_type="application/json")

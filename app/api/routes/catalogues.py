"""The harmonised catalogues (DESIGN §4a): read as linked data or pages by anyone, written with a token.

Reads are plain `def` routes (FastAPI runs them on its thread pool); writes read the body on the event loop and
hand parsing, validation (in the validation workers) and storing to threads.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api import negotiation
from app.api.auth import catalogue_service, identify, refuse, require_writer
from app.api.catalogue_pages import catalogue_page, catalogues_page, dataset_page
from app.api.deps import FormatQuery, LangDep, PipelineDep, RunnerDep
from app.api.linked_data import dcat_ap_es_lines, render, stream
from app.api.problems import error_responses
from app.api.rendering import RDF_OFFERS
from app.catalogue import ntriples
from app.catalogue.definitions import Catalogue
from app.catalogue.identifiers import check_catalogue_id, check_id
from app.catalogue.prepare import RECORD_CLASSES, Job, PreparedShare, prepare_document
from app.catalogue.records import dcat_ap_es_catalogue
from app.catalogue.service import (
    DEFAULT_PAGE_SIZE,
    LANGS,
    MAX_PAGE_SIZE,
    SHARE_RECORDS,
    CatalogueService,
    Filters,
    Page,
    WriteResult,
    run_shares,
)
from app.errors import InputError, NotFoundError, RecordRefusedError
from app.i18n import text
from app.pipeline.parsing import RDF_MEDIA_TYPES, media_type_of
from app.pipeline.run import Pipeline
from app.pipeline.sources import JSON_MEDIA_TYPES
from app.rdf.namespaces import PROFILE_IRI
from app.runtime.batch import share_out

router = APIRouter(tags=["catalogues"])

HYDRA = "http://www.w3.org/ns/hydra/core#"
RDF_CONTENT: dict[str, Any] = {m: {} for m in RDF_OFFERS}
READS = error_responses(400, 404, 406, 503)
WRITES = error_responses(400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 503)
_BODY_TYPES = (*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES)
_OPENAPI_BODY: dict[str, Any] = {"requestBody": {
    "required": True, "description": "A record (PUT) or a whole catalogue (POST) in any format Puente reads.",
    "content": {m: {"schema": {"type": "string"}} for m in _BODY_TYPES}}}
CatalogueId = Annotated[str, Path(max_length=64, description="Catalogue id: co, cl, mx, es or one from settings.")]
RecordId = Annotated[str, Path(max_length=1024, description="The record's identifier in its source (IRI-safe).")]
SourceQuery = Annotated[str | None, Query(max_length=32, description="Input format; omitted: the catalogue's "
                                                                   "own source when the body fits it, else detected.")]
PAGE_CACHE = "public, max-age=30"
DATASET_CACHE = "public, max-age=60"


def _catalogue(service: CatalogueService, catalogue: str) -> Catalogue:
    check_catalogue_id(catalogue, service.catalogues)
    return service.catalogue(catalogue)


# ---------------------------------------------------------------------------------------------- catalogues


@router.get("/catalogues", summary="The harmonised catalogues (JSON list, DCAT, or a page)", responses={
    200: {"content": {"application/json": {}, "text/html": {}, **RDF_CONTENT}}, **READS})
def list_catalogues(request: Request, lang: LangDep, fmt: FormatQuery = None) -> Response:
    service = catalogue_service(request)
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", "text/html", *RDF_OFFERS),
                                default="application/json", format_key=fmt)
    items = [_summary(service, c, lang) for c in service.catalogues.values()]
    if chosen == "text/html":
        return catalogues_page(request, items=items, lang=lang)
    if chosen in RDF_OFFERS:
        lines = [line for c in service.catalogues.values() for line in service.catalogue_lines(c)]
        return Response(render(list(dict.fromkeys(lines)), chosen, profile=service.profile), media_type=chosen,
                        headers={"Vary": "Accept", "Cache-Control": PAGE_CACHE})
    return Response(orjson.dumps(items), media_type="application/json",
                    headers={"Vary": "Accept", "Cache-Control": PAGE_CACHE})


def _summary(service: CatalogueService, catalogue: Catalogue, lang: str) -> dict[str, Any]:
    active, deleted = service.count(catalogue.id)
    spec = catalogue.spec
    return {"id": catalogue.id, "iri": catalogue.iri, "title": catalogue.title(lang),
            "description": spec.description.get(lang) or spec.description.get("es", ""),
            "publisher": spec.publisher, "country": catalogue.country_iri, "language": catalogue.language_iri,
            "source": spec.source, "homepage": spec.homepage, "datasets": active, "deleted": deleted}


@router.get("/catalogues/{catalogue}", summary="One catalogue as DCAT with one page of its datasets", responses={
    200: {"content": {**RDF_CONTENT, "application/json": {}, "text/html": {}}}, **READS})
def get_catalogue(request: Request, catalogue: CatalogueId, lang: LangDep, fmt: FormatQuery = None,
                  page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
                  cursor: Annotated[str | None, Query(max_length=64, description="From the previous page.")] = None,
                  modified_since: Annotated[str | None, Query(max_length=40, description="ISO 8601.")] = None,
                  q: Annotated[str | None, Query(max_length=200, description="Words to search for.")] = None,
                  theme: Annotated[str | None, Query(max_length=500)] = None,
                  publisher: Annotated[str | None, Query(max_length=500)] = None,
                  filetype: Annotated[str | None, Query(max_length=500, description="A dct:format IRI.")] = None,
                  conformance: Annotated[str | None, Query(pattern="^(complete|warnings)?$")] = None) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=(*RDF_OFFERS, "application/json", "text/html"),
                                default="text/turtle", format_key=fmt)
    filters = Filters(text=q or "", theme=theme or "", publisher=publisher or "", format=filetype or "",
                      conformance=conformance or "")
    page = service.page(found.id, size=page_size, cursor=cursor, modified_since=modified_since, filters=filters)
    query = {k: v for k, v in (("format", fmt), ("page_size", page_size), ("modified_since", modified_since), ("q", q),
                                ("theme", theme), ("publisher", publisher), ("filetype", filetype),
                                ("conformance", conformance)) if v not in (None, "")}
    if page_size == DEFAULT_PAGE_SIZE:
        query.pop("page_size")
    first = _url(service, f"/catalogues/{found.id}", query)
    this = _url(service, f"/catalogues/{found.id}", {**query, **({"cursor": cursor} if cursor else {})})
    following = _url(service, f"/catalogues/{found.id}", {**query, "cursor": page.next_cursor}) \
        if page.next_cursor else None
    headers = {"Vary": "Accept, Accept-Language", "Cache-Control": PAGE_CACHE}
    links = [f'<{first}>; rel="first"'] + ([f'<{following}>; rel="next"'] if following else [])
    headers["Link"] = ", ".join(links)
    if chosen == "text/html":
        return catalogue_page(request, service=service, catalogue=found, listing=page, filters=filters, lang=lang,
                              next_url=_local(following, service), total_pages=math.ceil(page.total / page_size),
                              headers=headers)
    if chosen == "application/json":
        body = {"catalogue": _summary(service, found, lang), "totalItems": page.total, "page_size": page_size,
                "first": first, "next": following,
                "datasets": [{"id": e.row.id, "iri": found.dataset_iri(e.row.id), "title": e.row.title,
                              "publisher": e.row.publisher, "modified": e.row.modified, "warnings": e.row.warnings}
                             for e in page.rows]}
        return Response(orjson.dumps(body), media_type="application/json", headers=headers)
    if chosen == "text/turtle":  # the records' stored Turtle, joined: no parsing, no serialising
        head = _head_lines(service, found, page, this=this, first=first, following=following)
        return Response(service.turtle(page.rows, before=head), media_type=chosen, headers=headers)
    lines = _page_lines(service, found, page, this=this, first=first, following=following)
    return Response(render(lines, chosen, profile=service.profile), media_type=chosen, headers=headers)


def _url(service: CatalogueService, path: str, query: dict[str, Any]) -> str:
    base = service.settings.base_url.rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def _local(url: str | None, service: CatalogueService) -> str | None:
    """A link for the HTML page: the path and query, on whatever host the browser used."""
    return url[len(service.settings.base_url.rstrip("/")):] if url else None


def _page_lines(service: CatalogueService, catalogue: Catalogue, page: Page, *, this: str, first: str,
                following: str | None) -> list[str]:
    lines = _head_lines(service, catalogue, page, this=this, first=first, following=following)
    keys: set[str] = set()
    for entry in page.rows:
        lines += entry.lines
        keys.update(entry.keys)
    lines += service.knowledge.lines(sorted(keys))
    return list(dict.fromkeys(lines))


def _head_lines(service: CatalogueService, catalogue: Catalogue, page: Page, *, this: str, first: str,
                following: str | None) -> list[str]:
    """The catalogue's description and the Hydra view of this page (its members included)."""
    iri = ntriples.iri
    me = iri(catalogue.iri)
    rdf_type = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    lines = service.catalogue_lines(catalogue)
    lines += [f"{me} {rdf_type} {iri(HYDRA + 'Collection')} .",
              f"{me} {iri(HYDRA + 'totalItems')} {ntriples.literal(str(page.total), datatype=_XSD_INTEGER)} .",
              f"{me} {iri(HYDRA + 'view')} {iri(this)} .",
              f"{iri(this)} {rdf_type} {iri(HYDRA + 'PartialCollectionView')} .",
              f"{iri(this)} {iri(HYDRA + 'first')} {iri(first)} ."]
    if following:
        lines.append(f"{iri(this)} {iri(HYDRA + 'next')} {iri(following)} .")
    lines += [f"{me} {iri(HYDRA + 'member')} {iri(catalogue.dataset_iri(entry.row.id))} ." for entry in page.rows]
    return lines


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DCT = "http://purl.org/dc/terms/"


# ---------------------------------------------------------------------------------------------- records


@router.get("/catalogues/{catalogue}/datasets/{record_id}/report", summary="The validation report stored with it",
            responses={200: {"content": {"application/json": {}}}, **error_responses(400, 404, 410, 503)})
def get_report(request: Request, catalogue: CatalogueId, record_id: RecordId) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    report = service.stored_report(found.id, check_id(record_id))
    lang = orjson.loads(report).get("lang", "es")
    return Response(report, media_type="application/json", headers={"Content-Language": lang,
                                                                     "Cache-Control": "no-cache"})


@router.get("/catalogues/{catalogue}/datasets/{record_id}", summary="One dataset (RDF by negotiation, or a page)",
            responses={200: {"content": {**RDF_CONTENT, "text/html": {}}}, 304: {"description": "Not modified"},
                       **error_responses(400, 404, 406, 410, 503)})
def get_dataset(request: Request, catalogue: CatalogueId, record_id: RecordId, lang: LangDep,
                fmt: FormatQuery = None) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=(*RDF_OFFERS, "text/html"),
                                default="text/turtle", format_key=fmt)
    entry = service.entry(found.id, check_id(record_id))
    row = entry.row
    etag = service.etag(row)
    quality = getattr(request.app.state, "catalogue_quality", None) if chosen == "text/html" else None
    if quality is not None:  # the page shows the dataset's quality, which also moves with the day and link checks
        etag = f'{etag[:-1]}.{quality.page_stamp(found.id)}"'
    headers = {"ETag": etag, "Cache-Control": DATASET_CACHE, "Vary": "Accept, Accept-Language"}
    if etag in {part.strip() for part in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if chosen == "text/turtle":
        return Response(service.turtle([entry]), media_type=chosen, headers=headers)
    lines = service.lines(entry)
    if chosen == "text/html":
        try:
            report: dict[str, Any] | None = orjson.loads(service.stored_report(found.id, row.id))
        except NotFoundError:  # an index rebuilt without its reports (they are not RDF): the page says so
            report = None
        box = quality.dataset_box(found.id, row.id, lang) if quality is not None else None
        return dataset_page(request, service=service, catalogue=found, row=row, lines=lines, report=report,
                            quality=box, lang=lang, headers=headers)
    return Response(render(lines, chosen, profile=service.profile), media_type=chosen, headers=headers)


@router.get("/catalogues/{catalogue}/records/{record_id}", summary="The dcat:CatalogRecord of a dataset",
            responses={200: {"content": RDF_CONTENT}, **error_responses(400, 404, 406, 503)})
def get_record(request: Request, catalogue: CatalogueId, record_id: RecordId, fmt: FormatQuery = None) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=RDF_OFFERS, default="text/turtle",
                                format_key=fmt)
    row = service.row(found.id, check_id(record_id))
    if row is None:
        raise NotFoundError(text("detail.unknown_record", id=record_id, catalogue=found.id))
    record = ntriples.iri(found.record_iri(row.id))
    if row.status == "deleted":  # the tombstone is the record of a deletion: it answers
        lines = service.tombstone(found, row)
    else:  # the record, and of its dataset what names it (DCAT-AP wants the primary topic typed and titled)
        _, everything = service.document(found.id, row.id)
        about = {record, ntriples.iri(found.record_iri(row.id) + "#checksum"), ntriples.iri(PROFILE_IRI)}
        dataset = ntriples.iri(found.dataset_iri(row.id))
        naming = {ntriples.iri(_RDF_TYPE), ntriples.iri(_DCT + "title"), ntriples.iri(_DCT + "description")}
        lines = [line for line in everything if line.split(" ", 1)[0] in about or (
            line.startswith(dataset + " ") and line.split(" ", 2)[1] in naming)]
    lines += service.knowledge.lines(_status_keys(lines))
    headers = {"ETag": service.etag(row), "Cache-Control": DATASET_CACHE, "Vary": "Accept"}
    return Response(render(list(dict.fromkeys(lines)), chosen, profile=service.profile), media_type=chosen,
                    headers=headers)


def _status_keys(lines: list[str]) -> list[str]:
    status = ntriples.iri("http://www.w3.org/ns/adms#status")
    concept = ntriples.iri("http://www.w3.org/2004/02/skos/core#Concept")
    keys = []
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == status:
            value = rest.rsplit(" .", 1)[0]
            keys += [value, f"{value} {concept}"]
    return keys


# ---------------------------------------------------------------------------------------------- writing


def _source(pipeline: Pipeline, catalogue: Catalogue, source: str | None, media_type: str) -> str | None:
    """`?source=` first; else the catalogue's own source when the body's media type fits it; else detection."""
    if source:
        return source
    own = pipeline.registry.sources.get(catalogue.spec.source)
    return own.name if own is not None and media_type in own.media_types else None


def _job(catalogue: Catalogue, lang: str, *, put_id: str | None = None) -> Job:
    return Job(catalogue_iri=catalogue.iri, lang=lang, text_lang=LANGS.get(catalogue.spec.language, "es"),
               put_id=put_id)


@router.put("/catalogues/{catalogue}/datasets/{record_id}", summary="Publish one record (token of the catalogue)",
            openapi_extra=_OPENAPI_BODY,
            responses={200: {"content": {"application/json": {}}, "description": "updated or unchanged"},
                       201: {"content": {"application/json": {}}, "description": "created"}, **WRITES})
async def put_dataset(request: Request, catalogue: CatalogueId, record_id: RecordId, runner: RunnerDep,
                      pipeline: PipelineDep, lang: LangDep, source: SourceQuery = None) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    record_id = check_id(record_id)
    who, own = identify(request, service)  # before the body is read
    if own is not None and own != found.id:
        raise await run_in_threadpool(refuse, request, service, who=who, own=own, catalogue=found.id)
    if_match, if_none_match = request.headers.get("if-match"), request.headers.get("if-none-match")
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    chosen = _source(pipeline, found, source, media_type)

    def publish() -> tuple[PreparedShare, WriteResult]:  # one thread hop: the worker's answer, then the write
        share: PreparedShare = runner.run_blocking(prepare_document, body, media_type, chosen,
                                                   _job(found, lang, put_id=record_id))
        prepared = share.records[0]
        if prepared.reason is not None:
            service.audit(who=who, catalogue=found.id, action="put",
                          target=f"/catalogues/{found.id}/datasets/{record_id}", outcome="refused", status=422,
                          detail=prepared.reason)
            raise RecordRefusedError(text(f"detail.refused.{prepared.reason}", count=prepared.violations,
                                          detail=prepared.detail),
                                     report=orjson.loads(prepared.report), iri=found.dataset_iri(record_id))
        return share, service.publish_one(found, share, who=who, if_match=if_match, if_none_match=if_none_match)

    share, result = await run_in_threadpool(publish)
    headers = {"ETag": result.etag or "", "X-Puente-Source": share.source,
               "X-Puente-Source-Detected": "true" if share.detected else "false", "Content-Language": lang}
    if result.status == "created":
        headers["Location"] = result.iri
    body_out = {"status": result.status, "id": result.id, "iri": result.iri,
                "report": orjson.Fragment(result.report) if result.report is not None else None}
    return Response(orjson.dumps(body_out), status_code=201 if result.status == "created" else 200,
                    media_type="application/json", headers=headers)


@router.delete("/catalogues/{catalogue}/datasets/{record_id}", summary="Delete a record (token of the catalogue)",
               status_code=204, responses={204: {"description": "Deleted; the dataset answers 410 from now on"},
                                           **error_responses(400, 401, 403, 404, 410, 412, 503)})
def delete_dataset(request: Request, catalogue: CatalogueId, record_id: RecordId) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    record_id = check_id(record_id)
    who = require_writer(request, service, found.id)
    service.delete(found, record_id, who=who, if_match=request.headers.get("if-match"))
    return Response(status_code=204)


@router.post("/catalogues/{catalogue}/datasets", summary="Publish a whole catalogue document (token)",
             openapi_extra=_OPENAPI_BODY,
             responses={200: {"content": {"application/json": {}}, "description": "counts and each outcome"},
                        **WRITES})
async def post_datasets(request: Request, catalogue: CatalogueId, runner: RunnerDep, pipeline: PipelineDep,
                        lang: LangDep, source: SourceQuery = None,
                        sync: Annotated[str | None, Query(pattern="^(full|none)$", description=(
                            "full: also delete the datasets the document no longer holds"))] = None) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    who = await run_in_threadpool(require_writer, request, service, found.id)
    body = await request.body()
    media_type = media_type_of(request.headers.get("content-type"))
    chosen = _source(pipeline, found, source, media_type)

    def publish() -> Any:
        opened = pipeline.open(body, media_type=media_type, source=chosen)
        count = len(opened.records) if opened.mapped is None else len(opened.mapped.triples) // 30
        parts = max(2 * max(runner.workers, 1), math.ceil(count / SHARE_RECORDS))
        tasks = share_out(pipeline, opened, parts=parts, lang=lang, classes=RECORD_CLASSES)
        return service.publish_document(found, run_shares(runner, tasks, _job(found, lang)), who=who,
                                        sync_full=sync == "full")

    result = await run_in_threadpool(publish)
    answer = {"source": result.source, "source_detected": result.detected, **result.counts,
              "records": result.records}
    return Response(orjson.dumps(answer), media_type="application/json",
                    headers={"X-Puente-Source": result.source, "Content-Language": lang})


# ---------------------------------------------------------------------------------------------- feeds, exports


@router.get("/catalogues/{catalogue}/changes", summary="The changes feed, in commit order",
            responses={200: {"content": {"application/json": {}}}, **READS})
def get_changes(request: Request, catalogue: CatalogueId,
                since: Annotated[str | None, Query(max_length=64, description=(
                    "A cursor from the previous answer (`next`), or an ISO 8601 time."))] = None,
                limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE) -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    return Response(orjson.dumps(service.changes(found, since=since, limit=limit)), media_type="application/json",
                    headers={"Cache-Control": "no-cache"})


@router.get("/catalogues/{catalogue}/export", summary="The whole catalogue, streamed (DCAT-AP or DCAT-AP-ES)",
            responses={200: {"content": RDF_CONTENT}, **READS})
def export(request: Request, catalogue: CatalogueId, fmt: FormatQuery = None,
           to: Annotated[str, Query(pattern="^(dcat-ap|es)$", description=(
               "dcat-ap: the harmonised records (DCAT-AP 3.0.1); es: DCAT-AP-ES 1.0"))] = "dcat-ap") -> Response:
    service = catalogue_service(request)
    found = _catalogue(service, catalogue)
    chosen = negotiation.choose(request.headers.get("accept"), offers=RDF_OFFERS, default="text/turtle",
                                format_key=fmt)
    if to == "es" and chosen not in ("text/turtle", "application/n-triples"):
        raise InputError(text("detail.export_es_syntax"), field="format")
    profile = service.profile

    def chunks() -> Any:
        keys: set[str] = set()
        for entries in service.export_rows(found.id):
            lines: list[str] = []
            for entry in entries:
                if to == "es":
                    lines += dcat_ap_es_lines(entry.lines, profile=profile,
                                              record_iri=found.record_iri(entry.row.id))
                else:
                    lines += entry.lines
                    keys.update(entry.keys)
            yield lines
        if to != "es":
            yield service.knowledge.lines(sorted(keys))

    extension = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
                 "application/rdf+xml": "rdf"}[chosen]
    headers = {"Content-Disposition": f'attachment; filename="puente-{found.id}-{to}.{extension}"', "Vary": "Accept"}
    if to == "es":
        issued, modified = service.catalogue_times(found)
        closing = dcat_ap_es_catalogue(found, issued=issued, modified=modified)
    else:
        closing = service.catalogue_lines(found)
    return StreamingResponse(stream(chunks(), chosen, profile=profile, closing=closing), media_type=chosen,
                             headers=headers)


# ---------------------------------------------------------------------------------------------- bad ids


@router.api_route("/catalogues/{catalogue}/datasets/{rest:path}", methods=["GET", "PUT", "DELETE", "POST"],
                  include_in_schema=False)
def bad_record_path(catalogue: str, rest: str) -> Response:
    """Any other path under datasets/ is an id that cannot be one (a slash, a traversal): a 400 naming it."""
    del catalogue
    check_id(rest)  # always refuses: a valid id would have matched a route above
    raise InputError(text("detail.bad_record_id", id=rest[:60], limit=200), field="id")


@router.api_route("/catalogues/{catalogue}/records/{rest:path}", methods=["GET"], include_in_schema=False)
def bad_record_iri(catalogue: str, rest: str) -> Response:
    del catalogue
    check_id(rest)
    raise InputError(text("detail.bad_record_id", id=rest[:60], limit=200), field="id")

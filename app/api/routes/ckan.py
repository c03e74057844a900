"""The CKAN Action API, read-only (DESIGN §4a), so CKAN clients and harvesters read Puente's harmonised catalogues
unchanged: ckanapi, ckanext-harvest's CKAN harvester, Puente's own `ckan` source.

Two views of the same packages:
- `/ckan/api/3/action/{action}` (and `/ckan/api/action/...`, as CKAN serves both): every catalogue, one portal;
  `fq=catalogue:co` narrows a search to one;
- `/catalogues/{cc}/ckan/api/3/action/{action}`: one catalogue as a portal of its own, the address to give a
  harvester that should take one country only (a harvester adds its own `fq`, so a restriction has to be in the
  address).
A package has the same name in both (`{cc}-{id}`, app/catalogue/ckan_index.py); its organisation is its publisher.

GET with query parameters, or POST with a JSON object (what ckanapi sends) or a form. Answers in CKAN's envelope
`{"help", "success", "result"}`; errors `{"success": false, "error": {"__type", "message"}}` with CKAN's statuses
(404 unknown, 409 a bad parameter or query, 400 an unknown action or an unreadable body).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import __version__
from app.api import ckan
from app.api.auth import catalogue_service
from app.api.ckan import CkanBadRequest, CkanNotFound, CkanValidation, check_keys
from app.catalogue import ckan_index
from app.catalogue.ckan_index import Search
from app.catalogue.identifiers import CATALOGUE_ID
from app.catalogue.service import CatalogueService
from app.errors import GoneError, NotFoundError, PuenteError
from app.i18n import negotiate, render, text

router = APIRouter(tags=["ckan"])
MAX_BODY = 65536  # an action's parameters: a few short strings
CKAN_VERSION = "2.10.0"  # the Action API version these answers follow (clients check it to choose their calls)
Params = dict[str, Any]
Action = Callable[[CatalogueService, list[str], Params], Any]
COMMON = frozenset({"lang"})


def _scope(service: CatalogueService, catalogue: str | None) -> list[str]:
    if catalogue is None:
        return list(service.catalogues)
    if CATALOGUE_ID.fullmatch(catalogue) is None or catalogue not in service.catalogues:
        raise CkanNotFound(text("detail.ckan_unknown_catalogue", id=catalogue[:40],
                                available=", ".join(sorted(service.catalogues))))
    return [catalogue]


# ---------------------------------------------------------------------------------------------- actions


def package_search(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """Search datasets: q, fq, rows (at most 1000), start, sort, fl (see app/api/ckan.py for what fq understands)."""
    check_keys(params, COMMON | {"q", "fq", "fq_list", "rows", "start", "sort", "fl", "facet", "facet.field",
                                 "facet.limit", "facet.mincount", "facet.sort", "include_private", "include_drafts",
                                 "include_deleted", "use_default_schema", "defType"})
    search = Search(catalogues=tuple(scope))
    search = ckan.parse_q(search, ckan.string(params, "q"), service=service)
    fq = ckan.string(params, "fq")
    if fq:
        search = ckan.parse_filters(search, fq, service=service)
    fq_list = params.get("fq_list") or []
    if not isinstance(fq_list, list) or len(fq_list) > ckan.MAX_CLAUSES:
        raise CkanValidation(text("detail.ckan_not_text", name="fq_list"), field="fq_list")
    for index in range(len(fq_list)):
        clause = ckan.string({"fq_list": fq_list[index]}, "fq_list")
        search = ckan.parse_filters(search, clause or "", service=service, name="fq_list")
    rows = ckan.natural(params, "rows", default=ckan.DEFAULT_ROWS, cap=ckan.MAX_ROWS) or 0
    start = ckan.natural(params, "start", default=0) or 0
    sort_text = ckan.string(params, "sort", limit=200)
    sort = ckan.parse_sort(sort_text)
    fields = ckan.parse_fl(ckan.string(params, "fl", limit=400))
    found = ckan_index.search(service, search, sort=sort, rows=rows, start=start)
    if fields is not None and set(fields) <= ckan.CHEAP_FIELDS:
        packages = [ckan.cheap_package(entry) for entry in found.entries]
    else:
        packages = [ckan.package(service, entry) for entry in found.entries]
    return {"count": found.count, "results": ckan.only(packages, fields),
            "sort": sort_text or "score desc, metadata_modified desc", "facets": {}, "search_facets": {}}


def package_show(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """One dataset by its name (or id, the same here)."""
    # include_datasets, include_password_hash, include_users: what `ckanapi dump` sends to every *_show
    check_keys(params, COMMON | {"id", "name_or_id", "use_default_schema", "include_tracking", "include_plugin_data",
                                 "include_datasets", "include_password_hash", "include_users"})
    name = ckan.string(params, "id", limit=1200) or ckan.string(params, "name_or_id", limit=1200)
    if not name:
        raise CkanValidation(text("detail.ckan_missing", name="id"), field="id")
    for catalogue, record_id in ckan_index.records_named(name, scope):
        try:
            entry = service.entry(catalogue, record_id)  # one row by its unique key
        except (NotFoundError, GoneError):
            continue
        return ckan.package(service, entry)
    raise CkanNotFound(text("detail.ckan_no_package", id=name[:100]))


def package_list(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """The names of every dataset, in name order (limit, offset)."""
    # include_*: what `ckanapi dump` sends; nothing here is private or a draft, and deleted datasets are not listed
    check_keys(params, COMMON | {"limit", "offset", "include_private", "include_drafts", "include_deleted"})
    limit = ckan.natural(params, "limit", default=None)
    offset = ckan.natural(params, "offset", default=0) or 0
    return ckan_index.names(service, scope, limit=limit, offset=offset)


def organization_list(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """The organisations (publishers): names, or whole ones with all_fields; sort "name" or "package_count"."""
    check_keys(params, COMMON | {"all_fields", "sort", "limit", "offset", "organizations", "include_dataset_count",
                                 "include_extras", "include_tags", "include_groups", "include_users",
                                 "include_member_count", "q", "type"})
    all_fields = ckan.boolean(params, "all_fields", default=False)
    sort = (ckan.string(params, "sort", limit=60) or "name").strip().lower()
    key, _, direction = sort.partition(" ")
    if key not in ("name", "title", "package_count") or direction.strip() not in ("", "asc", "desc"):
        raise CkanValidation(text("detail.ckan_bad_org_sort", value=sort[:60]), field="sort")
    limit = ckan.natural(params, "limit", default=None, cap=1000)
    offset = ckan.natural(params, "offset", default=0) or 0
    q = (ckan.string(params, "q", limit=200) or "").lower()
    found = ckan_index.organizations(service, scope)
    if q:
        found = [o for o in found if q in o.name or q in o.title.lower()]
    descending = direction.strip() == "desc" or (key == "package_count" and not direction.strip())
    found.sort(key=lambda o: o.package_count if key == "package_count" else (o.title.lower() if key == "title"
                                                                               else o.name), reverse=descending)
    found = found[offset:offset + limit if limit is not None else None]
    if not all_fields:
        return [o.name for o in found]
    return [ckan.organization_dict(service.catalogue(o.catalogue), o.name, o.title, package_count=o.package_count)
            for o in found]


def organization_show(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """One organisation by name, with its dataset count (include_datasets: its first 10 datasets as packages)."""
    check_keys(params, COMMON | {"id", "include_datasets", "include_dataset_count", "include_extras", "include_users",
                                 "include_groups", "include_tags", "include_followers", "include_password_hash"})
    name = ckan.string(params, "id", limit=200)
    if not name:
        raise CkanValidation(text("detail.ckan_missing", name="id"), field="id")
    found = ckan_index.organization(service, scope, name)
    if found is None:
        raise CkanNotFound(text("detail.ckan_no_organization", id=name[:100]))
    answer = ckan.organization_dict(service.catalogue(found.catalogue), found.name, found.title,
                                    package_count=found.package_count)
    if ckan.boolean(params, "include_datasets", default=False):
        search = Search(catalogues=(found.catalogue,),
                        organizations=(ckan_index.Publishers(found.catalogue, found.publishers),))
        page = ckan_index.search(service, search, sort=[("name", "asc")], rows=10, start=0)
        answer["packages"] = [ckan.package(service, entry) for entry in page.entries]
    return answer


def status_show(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """What this portal is."""
    check_keys(params, COMMON)
    base = service.settings.base_url.rstrip("/")
    one = scope[0] if len(scope) == 1 else None
    return {"site_title": "Puente" + (f" — {one}" if one else ""),
            "site_url": f"{base}/catalogues/{one}/ckan" if one else f"{base}/ckan",
            "site_description": "Read-only CKAN Action API over Puente's harmonised catalogues (DCAT-AP 3)",
            "ckan_version": CKAN_VERSION, "puente_version": __version__, "error_emails_to": None,
            "locale_default": service.settings.default_lang, "extensions": ["dcat", "scheming_datasets"],
            "catalogues": scope}


def resource_view_list(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """A resource's views: none (views are a CKAN web page feature; `ckanapi dump` asks for them)."""
    del service, scope
    check_keys(params, COMMON | {"id", "limit"})
    if not ckan.string(params, "id", limit=200):
        raise CkanValidation(text("detail.ckan_missing", name="id"), field="id")
    return []


def help_show(service: CatalogueService, scope: list[str], params: Params) -> Any:
    """What an action does."""
    del service, scope
    check_keys(params, COMMON | {"name"})
    name = ckan.string(params, "name", limit=60) or ""
    action = ACTIONS.get(name)
    if action is None:
        raise CkanNotFound(text("detail.ckan_unknown_action", action=name[:60], actions=", ".join(ACTIONS)))
    return inspect.getdoc(action)


ACTIONS: dict[str, Action] = {
    "package_search": package_search, "package_show": package_show, "package_list": package_list,
    "organization_list": organization_list, "organization_show": organization_show, "status_show": status_show,
    "resource_view_list": resource_view_list,
    "help_show": help_show}


# ---------------------------------------------------------------------------------------------- HTTP


async def _params(request: Request) -> Params:
    """The action's parameters: the query string (GET, or a POST without a body), a JSON object, or a form."""
    if request.method == "POST":
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise CkanBadRequest(text("detail.ckan_body_too_large", limit=MAX_BODY))
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise CkanBadRequest(text("detail.ckan_body_too_large", limit=MAX_BODY))
        if body.strip():
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media == "application/x-www-form-urlencoded":
                return _unique(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                                         max_num_fields=60))
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError as error:
                raise CkanBadRequest(text("detail.ckan_bad_json", message=str(error)[:120])) from None
            if not isinstance(parsed, dict):
                raise CkanBadRequest(text("detail.ckan_json_not_object"))
            return parsed
    items = list(request.query_params.multi_items())
    if len(items) > 60:
        raise CkanBadRequest(text("detail.ckan_too_many_parameters", limit=60))
    return _unique(items)


def _unique(items: list[tuple[str, str]]) -> Params:
    params: Params = {}
    for key, value in items:
        if key in params:
            raise CkanValidation(text("detail.ckan_repeated", name=key[:40]), field=key[:40])
        params[key] = value
    return params


def _envelope(request: Request, action: str, body: dict[str, Any], *, status: int = 200) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    answer = {"help": f"{base}/ckan/api/3/action/help_show?name={action if action in ACTIONS else 'help_show'}",
              **body}
    return Response(orjson.dumps(answer), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-cache"})


async def _answer(request: Request, action: str, catalogue: str | None) -> Response:
    settings = request.app.state.settings
    lang = negotiate(query_lang=request.query_params.get("lang"),
                     accept_language=request.headers.get("accept-language"), default=settings.default_lang)
    try:
        handler = ACTIONS.get(action)
        if handler is None:
            raise CkanBadRequest(text("detail.ckan_unknown_action", action=action[:60], actions=", ".join(ACTIONS)))
        params = await _params(request)
        service = catalogue_service(request)
        scope = _scope(service, catalogue)
        result = await run_in_threadpool(handler, service, scope, params)
    except PuenteError as error:
        status, kind = ckan.ckan_type(error)
        detail: dict[str, Any] = {"__type": kind, "message": render(error.detail, lang)}
        if kind == "Validation Error" and error.field:
            detail[error.field] = [render(error.detail, lang)]
        return _envelope(request, action, {"success": False, "error": detail}, status=status)
    return _envelope(request, action, {"success": True, "result": result})


_ENVELOPE = {"application/json": {"schema": {"type": "object", "required": ["help", "success"], "properties": {
    "help": {"type": "string"}, "success": {"type": "boolean"}, "result": {}, "error": {"type": "object"}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "CKAN's envelope: {\"help\", \"success\": true, \"result\"}", "content": _ENVELOPE},
    400: {"description": "Unknown action, unreadable body (Bad Request)", "content": _ENVELOPE},
    404: {"description": "Unknown dataset, organization or catalogue (Not Found Error)", "content": _ENVELOPE},
    409: {"description": "A bad parameter (Validation Error) or a query this API cannot answer exactly "
                         "(Search Query Error)", "content": _ENVELOPE},
    503: {"description": "The catalogue's data folder is unavailable", "content": _ENVELOPE}}
SUMMARY = ("CKAN Action API (read-only): package_search, package_show, package_list, organization_list, "
           "organization_show, status_show")


# GET and POST registered apart: one route with both methods gives both operations the same OpenAPI id
@router.get("/ckan/api/3/action/{action}", summary=SUMMARY, responses=RESPONSES, operation_id="ckan_action_get")
@router.post("/ckan/api/3/action/{action}", summary=SUMMARY, responses=RESPONSES, operation_id="ckan_action_post")
async def ckan_action(request: Request, action: str) -> Response:
    return await _answer(request, action, None)


@router.api_route("/ckan/api/action/{action}", methods=["GET", "POST"], include_in_schema=False)
async def ckan_action_unversioned(request: Request, action: str) -> Response:
    return await _answer(request, action, None)


@router.get("/catalogues/{catalogue}/ckan/api/3/action/{action}", summary=SUMMARY, responses=RESPONSES,
            operation_id="ckan_catalogue_action_get")
@router.post("/catalogues/{catalogue}/ckan/api/3/action/{action}", summary=SUMMARY, responses=RESPONSES,
             operation_id="ckan_catalogue_action_post")
async def ckan_catalogue_action(request: Request, catalogue: str, action: str) -> Response:
    return await _answer(request, action, catalogue)


@router.api_route("/catalogues/{catalogue}/ckan/api/action/{action}", methods=["GET", "POST"],
                  include_in_schema=False)
async def ckan_catalogue_action_unversioned(request: Request, catalogue: str, action: str) -> Response:
    return await _answer(request, action, catalogue)

"""GET and POST /sparql: a read-only SPARQL 1.1 Protocol endpoint over every catalogue, on either store.

Every query is inspected before anything runs it (app/rdf/sparql.py: updates, SERVICE, LOAD and Virtuoso's DEFINE
pragmas are refused with a 400, so no request ever leaves the machine; pyoxigraph would follow SERVICE). It then
runs under PUENTE_SPARQL_TIMEOUT_S (503 past it; on the embedded store in a worker process that is killed and
replaced, so the service stays healthy) and returns at most PUENTE_SPARQL_MAX_ROWS rows or triples; a cut answer
says so in the `Puente-Results-Truncated` header and, in SPARQL JSON, in a `truncated` member.
Without a query, GET /sparql is a form for people, with example queries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.auth import catalogue_service
from app.api.deps import LangDep, RunnerDep, SettingsDep
from app.api.negotiation import choose
from app.api.problems import error_responses
from app.api.rendering import page
from app.catalogue.query import GRAPH_TYPES, RESULT_TYPES, Answer, run_embedded, run_remote
from app.catalogue.sparqlstore import SparqlStore
from app.errors import (
    InputError,
    NotAcceptableError,
    QueryTimeoutError,
    UnsupportedMediaTypeError,
    ValidationTimeoutError,
)
from app.i18n import text
from app.rdf.sparql import CheckedQuery, inspect_query
from app.runtime.workers import Runner
from app.settings import Settings

router = APIRouter(tags=["sparql"], responses=error_responses(400, 406, 415, 503))
TRUNCATED = "Puente-Results-Truncated"
# Accept aliases many clients send, and ?format= keys (which override Accept)
RESULT_OFFERS = {**{media: media for media in RESULT_TYPES}, "application/json": "application/sparql-results+json",
                 "application/xml": "application/sparql-results+xml", "text/plain": "text/tab-separated-values"}
GRAPH_OFFERS = {**{media: media for media in GRAPH_TYPES}, "application/json": "application/ld+json",
                "text/plain": "application/n-triples"}
RESULT_KEYS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_KEYS = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
              "json-ld": "application/ld+json", "json": "application/ld+json", "nt": "application/n-triples",
              "ntriples": "application/n-triples", "rdf": "application/rdf+xml", "xml": "application/rdf+xml"}
FormatKey = Annotated[str | None, Query(alias="format", max_length=16,
                                        description="Overrides Accept: json, xml, csv, tsv (SELECT, ASK); ttl, "
                                                    "jsonld, nt, rdf (CONSTRUCT, DESCRIBE).")]

EXAMPLES = {
    "country": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?country (COUNT(DISTINCT ?dataset) AS ?datasets) WHERE {
  ?catalogue a dcat:Catalog ; dct:spatial ?country .
  ?dataset a dcat:Dataset .
  FILTER(STRSTARTS(STR(?dataset), CONCAT(STR(?catalogue), "/datasets/")))
}
GROUP BY ?country ORDER BY DESC(?datasets)""",
    "theme": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?theme (COUNT(DISTINCT ?dataset) AS ?datasets) WHERE {
  ?dataset a dcat:Dataset ; dcat:theme ?theme .
}
GROUP BY ?theme ORDER BY DESC(?datasets)""",
    "changes": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX adms: <http://www.w3.org/ns/adms#>
SELECT ?dataset ?status ?modified WHERE {
  ?record a dcat:CatalogRecord ; foaf:primaryTopic ?dataset ; adms:status ?status ; dct:modified ?modified .
}
ORDER BY DESC(?modified) LIMIT 20""",
    "describe": """PREFIX dcat: <http://www.w3.org/ns/dcat#>
CONSTRUCT { ?dataset ?p ?o } WHERE {
  { SELECT ?dataset WHERE { ?dataset a dcat:Dataset } LIMIT 1 }
  ?dataset ?p ?o .
}""",
}


def _media_type(form_is_graph: bool, accept: str | None, format_key: str | None) -> str:
    offers, keys = (GRAPH_OFFERS, GRAPH_KEYS) if form_is_graph else (RESULT_OFFERS, RESULT_KEYS)
    if format_key:
        wanted = keys.get(format_key.lower())
        if wanted is None:
            raise NotAcceptableError(text("detail.not_acceptable", accept=f"format={format_key[:16]}",
                                          available=", ".join(keys)))
        return wanted
    default = "text/turtle" if form_is_graph else "application/sparql-results+json"
    return offers[choose(accept, offers=list(offers), default=default)]


async def _run(request: Request, checked: CheckedQuery, media_type: str, *, settings: Settings,
               runner: Runner) -> Answer:
    service = catalogue_service(request)
    if isinstance(service.store, SparqlStore):
        store = service.store
        return await anyio.to_thread.run_sync(lambda: run_remote(
            store, checked.text, form=checked.form.value, media_type=media_type, max_rows=settings.sparql_max_rows,
            timeout_s=settings.sparql_timeout_s, server_rows=settings.sparql_server_max_rows))
    store_path = str(Path(settings.data_dir) / "store")
    try:
        return await runner.run(run_embedded, checked.text.encode("utf-8"), store_path, media_type,
                                settings.sparql_max_rows, timeout_s=settings.sparql_timeout_s)
    except ValidationTimeoutError:  # the worker running it was killed and replaced
        raise QueryTimeoutError(text("detail.sparql_timeout", seconds=f"{settings.sparql_timeout_s:g}")) from None


async def _answer(request: Request, query: str, *, settings: Settings, runner: Runner,
                  format_key: str | None) -> Response:
    checked = inspect_query(query, max_chars=settings.sparql_max_query_chars)
    media_type = _media_type(checked.form.makes_graph, request.headers.get("accept"), format_key)
    answer = await _run(request, checked, media_type, settings=settings, runner=runner)
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    return Response(answer.body, media_type=media_type + charset,
                    headers={TRUNCATED: "true" if answer.truncated else "false", "Vary": "Accept",
                             "Cache-Control": "no-store"})


@router.get("/sparql", summary="SPARQL 1.1 query (GET), or the query form when there is no query",
            responses={200: {"content": {media: {} for media in [*RESULT_TYPES, *GRAPH_TYPES, "text/html"]}}})
async def sparql_get(request: Request, settings: SettingsDep, runner: RunnerDep, lang: LangDep,
                     query: Annotated[str | None, Query(description="The SPARQL query (SELECT, ASK, CONSTRUCT, "
                                                                    "DESCRIBE).")] = None,
                     format_key: FormatKey = None) -> Response:
    if query is None:
        return page(request, "sparql.html", lang=lang, examples=EXAMPLES, timeout=settings.sparql_timeout_s,
                    max_rows=settings.sparql_max_rows)
    return await _answer(request, query, settings=settings, runner=runner, format_key=format_key)


@router.post("/sparql", summary="SPARQL 1.1 query (POST: a query= form or an application/sparql-query body)",
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object",
                                                                  "properties": {"query": {"type": "string"}}}}}}},
             responses={200: {"content": {media: {} for media in [*RESULT_TYPES, *GRAPH_TYPES]}}})
async def sparql_post(request: Request, settings: SettingsDep, runner: RunnerDep,
                      format_key: FormatKey = None) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media == "application/sparql-update":
        raise InputError(text("detail.sparql_refused", keywords="UPDATE"), field="update")
    if media == "application/sparql-query":
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(text("detail.sparql_syntax", message="the body is not UTF-8"), field="query") from None
    elif media == "application/x-www-form-urlencoded":
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        if "update" in fields:
            raise InputError(text("detail.sparql_refused", keywords="UPDATE"), field="update")
        query = (fields.get("query") or [""])[0]
    else:
        raise UnsupportedMediaTypeError(text("detail.sparql_media_type", media_type=media[:80] or "-"))
    return await _answer(request, query, settings=settings, runner=runner, format_key=format_key)

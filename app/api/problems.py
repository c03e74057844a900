"""problem+json answers (RFC 9457), in the client's language."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from app.errors import PuenteError
from app.i18n import LocalText, negotiate, render, text

PROBLEM_BASE = "https://w3id.org/puente/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_response(*, status: int, slug: str, title: LocalText, detail: LocalText, lang: str,
                     extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": render(title, lang), "status": status,
                            "detail": render(detail, lang)}
    for key, value in (extra or {}).items():
        if value is not None:
            body[key] = value
    return Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type=PROBLEM_MEDIA_TYPE,
                    headers={"Content-Language": lang, **(headers or {})})


def from_error(error: PuenteError, *, lang: str) -> Response:
    extra = {"line": error.line, "column": error.column, "field": error.field}
    for name in ("iri", "report"):  # a refused record (422) carries its IRI and its validation report
        extra[name] = getattr(error, name, None)
    # A body cut short (too large, too slow) leaves the connection unusable: say it will be closed.
    headers = {"Connection": "close"} if error.status == 408 else None
    return problem_response(status=error.status, slug=error.slug, title=text(error.title_key), detail=error.detail,
                            lang=lang, extra=extra, headers=headers)


def lang_of(query_string: str, accept_language: str | None, default: str) -> str:
    """The answer language from a raw query string and Accept-Language (usable before routing)."""
    query_lang = None
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        if name == "lang":
            query_lang = value
    return negotiate(query_lang=query_lang, accept_language=accept_language, default=default)


class Problem(BaseModel):
    """An error answer (RFC 9457), in the client's language."""

    type: str
    title: str
    status: int
    detail: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    iri: str | None = None
    report: dict[str, Any] | None = None


_PROBLEM_SCHEMA = {"schema": Problem.model_json_schema()}
_DESCRIPTIONS = {
    400: "Unreadable input or invalid parameters", 401: "No token, or a token Puente does not accept",
    403: "A token of another catalogue", 404: "Not found", 406: "Response format not available",
    408: "The request body stopped arriving (PUENTE_BODY_TIMEOUT_S)",
    409: "The URL names one record and the body another", 410: "The record was deleted",
    412: "If-Match / If-None-Match did not hold", 413: "Body, graph or catalogue over the limits",
    415: "Media type not accepted",
    422: "Nothing to validate, or (publishing) a record with violations: the problem carries its report",
    503: "Validation took longer than PUENTE_VALIDATION_TIMEOUT_S, its worker process failed, every worker stayed "
         "busy (the worker is replaced and a retry may succeed), or the catalogue's data folder is unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of the problem+json answers a route can give."""
    return {status: {"description": _DESCRIPTIONS[status], "content": {PROBLEM_MEDIA_TYPE: _PROBLEM_SCHEMA}}
            for status in statuses}


READ_ERRORS = error_responses(400, 404, 406)
WRITE_ERRORS = error_responses(400, 404, 406, 408, 413, 415, 422, 503)

"""problem+json answers (RFC 9457), in the client's language."""

from __future__ import annotations

import json
from typing import Any

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
    return problem_response(status=error.status, slug=error.slug, title=text(error.title_key), detail=error.detail,
                            lang=lang, extra={"line": error.line, "column": error.column, "field": error.field})


def lang_of(query_string: str, accept_language: str | None, default: str) -> str:
    """The answer language from a raw query string and Accept-Language (usable before routing)."""
    query_lang = None
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        if name == "lang":
            query_lang = value
    return negotiate(query_lang=query_lang, accept_language=accept_language, default=default)

"""The one place where errors become HTTP answers (application/problem+json)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.api.problems import from_error, lang_of, problem_response
from app.errors import PuenteError
from app.i18n import text

logger = logging.getLogger("puente.api")

_HTTP_SLUGS = {
    404: ("not-found", "error.not_found"),
    405: ("method-not-allowed", "error.bad_input"),
    413: ("payload-too-large", "error.too_large"),
}


def install_error_handlers(app: FastAPI, *, default_lang: str, max_body_bytes: int) -> None:
    """Register the handlers that turn every failure into problem+json."""

    def lang(request: Request) -> str:
        return lang_of(request.url.query, request.headers.get("accept-language"), default_lang)

    async def on_puente_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PuenteError)
        response = from_error(exc, lang=lang(request))
        if exc.status == 401:  # RFC 6750: say how to authenticate, and that a token given was not accepted
            given = request.headers.get("authorization", "").lower().startswith("bearer ")
            response.headers["WWW-Authenticate"] = 'Bearer realm="puente"' + (', error="invalid_token"'
                                                                              if given else "")
        return response

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        slug, title_key = _HTTP_SLUGS.get(exc.status_code, ("http-error", "error.bad_input"))
        if exc.status_code == 413:
            detail = text("detail.too_large", limit=max_body_bytes)
        elif exc.status_code == 404:
            detail = text("detail.not_found", path=request.url.path)
        else:
            detail = {"es": str(exc.detail), "en": str(exc.detail)}
        return problem_response(status=exc.status_code, slug=slug, title=text(title_key), detail=detail,
                                lang=lang(request), headers=dict(exc.headers or {}))

    async def on_request_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "?"
        detail = text("detail.request_params", field=field, message=str(first.get("msg", "")))
        return problem_response(status=400, slug="bad-parameters", title=text("error.request_params"),
                                detail=detail, lang=lang(request), extra={"field": field})

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Never show a stack trace to a client; the log has it.
        logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(status=500, slug="internal-error", title=text("error.internal"),
                                detail=text("detail.internal"), lang=lang(request))

    app.add_exception_handler(PuenteError, on_puente_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(Exception, on_unexpected)

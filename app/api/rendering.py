"""Shared answer builders: RDF by negotiation, and HTML pages from templates."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from rdflib import Graph
from starlette.responses import Response

from app.i18n import render, text
from app.profile.model import Profile
from app.rdf.serialisation import BY_MEDIA_TYPE, serialise

RDF_OFFERS = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


_STATIC_RDF: dict[tuple[int, str], bytes] = {}


def rdf_response(graph: Graph, *, media_type: str, profile: Profile, filename: str | None = None,
                 static: bool = False) -> Response:
    """`static=True` for graphs that never change while the service runs (shapes, vocabularies): serialised once."""
    fmt = BY_MEDIA_TYPE[media_type]
    headers = {"Vary": "Accept"}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt.extension}"'
    if static:
        key = (id(graph), fmt.media_type)
        if key not in _STATIC_RDF:
            _STATIC_RDF[key] = serialise(graph, fmt, context=profile.context)
        body = _STATIC_RDF[key]
    else:
        body = serialise(graph, fmt, context=profile.context)
    return Response(body, media_type=fmt.media_type, headers=headers)


def page(request: Request, template: str, *, lang: str, status_code: int = 200, **context: Any) -> Response:
    def t(key: str, **params: object) -> str:
        return render(text(key, **params), lang)

    other = "en" if lang == "es" else "es"
    switch_url = str(request.url.include_query_params(lang=other).remove_query_params("sample"))
    if request.method != "GET":
        switch_url = f"/?lang={other}"
    response: Response = templates().TemplateResponse(
        request, template, {"lang": lang, "other_lang": other, "switch_url": switch_url, "t": t, **context},
        status_code=status_code, headers={"Vary": "Accept, Accept-Language", "Content-Language": lang},
    )
    return response

"""The profile: a page for people, shapes and context for machines."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from app.api import negotiation
from app.api.deps import FormatQuery, LangDep, ProfileDep
from app.api.problems import READ_ERRORS
from app.api.rendering import RDF_OFFERS, page, rdf_response
from app.profile.page import build_page

router = APIRouter(tags=["profile"], responses=READ_ERRORS)

_RDF_CONTENT: dict[str, dict[str, object]] = {m: {} for m in RDF_OFFERS}


@router.get("/profile", summary="The common profile (HTML page, or the shapes as RDF)",
            responses={200: {"content": {"text/html": {}, **_RDF_CONTENT}}})
def get_profile(request: Request, profile: ProfileDep, lang: LangDep, fmt: FormatQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=("text/html", *RDF_OFFERS),
                                default="text/html", format_key=fmt)
    if chosen != "text/html":
        return rdf_response(profile.shapes_graph, media_type=chosen, profile=profile, filename="puente-profile",
                            static=True)
    vocab_names = sorted(profile.vocabularies)
    cache: dict[str, object] = request.app.state.__dict__.setdefault("_profile_pages", {})
    if lang not in cache:  # the profile does not change while the service runs
        cache[lang] = build_page(profile, lang=lang)
    return page(request, "profile.html", lang=lang, profile=profile, sections=cache[lang],
                vocabularies=vocab_names, title=profile.title.get(lang) or profile.title.get("es", ""),
                description=profile.description.get(lang) or profile.description.get("es", ""))


@router.get("/profile/shapes", summary="The profile's SHACL shapes",
            responses={200: {"content": _RDF_CONTENT}})
def get_shapes(request: Request, profile: ProfileDep, fmt: FormatQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=RDF_OFFERS, default="text/turtle",
                                format_key=fmt)
    return rdf_response(profile.shapes_graph, media_type=chosen, profile=profile, filename="puente-shapes", static=True)


@router.get("/profile/context.jsonld", summary="The profile's JSON-LD context",
            responses={200: {"content": {"application/ld+json": {}}}})
def get_context(profile: ProfileDep) -> Response:
    return JSONResponse(profile.context, media_type="application/ld+json")

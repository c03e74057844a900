"""The controlled vocabularies Puente ships, as SKOS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from rdflib import Literal
from rdflib.namespace import OWL, SKOS
from starlette.responses import Response

from app.api import negotiation
from app.api.deps import FormatQuery, LangDep, ProfileDep, SettingsDep
from app.api.problems import READ_ERRORS
from app.api.rendering import RDF_OFFERS, page, rdf_response
from app.errors import NotFoundError
from app.i18n import text

router = APIRouter(tags=["vocabularies"], responses=READ_ERRORS)


class VocabularySummary(BaseModel):
    name: str
    iri: str
    title: dict[str, str]
    member_class: str
    concepts: int
    url: str


class Concept(BaseModel):
    iri: str
    notation: str | None
    labels: dict[str, str]
    deprecated: bool


class VocabularyDetail(VocabularySummary):
    items: list[Concept]


def _summary(name: str, profile: ProfileDep, base_url: str) -> VocabularySummary:
    vocab = profile.vocabularies[name]
    return VocabularySummary(name=name, iri=vocab.iri, title=vocab.title, member_class=vocab.member_class,
                             concepts=vocab.concept_count, url=f"{base_url.rstrip('/')}/vocabularies/{name}")


@router.get("/vocabularies", summary="The vocabularies Puente ships",
            responses={200: {"content": {"application/json": {}, "text/html": {}}}})
def list_vocabularies(request: Request, profile: ProfileDep, settings: SettingsDep, lang: LangDep,
                      fmt: FormatQuery = None) -> Response:
    chosen = negotiation.choose(request.headers.get("accept"), offers=("application/json", "text/html"),
                                default="application/json", format_key=fmt)
    items = [_summary(name, profile, settings.base_url) for name in sorted(profile.vocabularies)]
    if chosen == "text/html":
        return page(request, "vocabularies.html", lang=lang, vocabularies=items)
    return Response(f"[{','.join(i.model_dump_json() for i in items)}]", media_type="application/json")


@router.get("/vocabularies/{name}", summary="One vocabulary (SKOS; JSON list; or HTML)",
            responses={200: {"content": {**{m: {} for m in RDF_OFFERS}, "application/json": {}, "text/html": {}}}})
def get_vocabulary(request: Request, profile: ProfileDep, settings: SettingsDep, lang: LangDep,
                   name: Annotated[str, Path(max_length=64)], fmt: FormatQuery = None) -> Response:
    vocab = profile.vocabularies.get(name)
    if vocab is None:  # a lookup in a fixed table: no file path is ever built from `name`
        raise NotFoundError(text("detail.unknown_vocabulary", name=name[:64],
                                 available=", ".join(sorted(profile.vocabularies))))
    chosen = negotiation.choose(request.headers.get("accept"),
                                offers=(*RDF_OFFERS, "application/json", "text/html"),
                                default="text/turtle", format_key=fmt)
    if chosen in RDF_OFFERS:
        return rdf_response(vocab.graph, media_type=chosen, profile=profile, filename=name, static=True)
    concepts: list[Concept] = []
    for concept in sorted(set(vocab.graph.subjects(SKOS.inScheme, None)), key=str):
        labels = {lit.language or "und": str(lit) for lit in vocab.graph.objects(concept, SKOS.prefLabel)
                  if isinstance(lit, Literal)}
        notation = vocab.graph.value(concept, SKOS.notation)
        deprecated = (concept, OWL.deprecated, None) in vocab.graph
        concepts.append(Concept(iri=str(concept), notation=str(notation) if notation else None, labels=labels,
                                deprecated=deprecated))
    detail = VocabularyDetail(**_summary(name, profile, settings.base_url).model_dump(), items=concepts)
    if chosen == "text/html":
        return page(request, "vocabulary.html", lang=lang, vocabulary=detail)
    return Response(detail.model_dump_json(), media_type="application/json")

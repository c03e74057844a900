"""Dependencies shared by the routers, as Annotated aliases.

All `async def`: they only read app state, and FastAPI runs a plain `def` dependency on the thread pool
(a thread hop per dependency per request, about a third of a millisecond each)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from app.i18n import Lang, negotiate
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.runtime.workers import Runner
from app.settings import Settings


async def get_pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


async def get_runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


async def get_profile(request: Request) -> Profile:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline.profile


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_lang(request: Request,
             lang: Annotated[str | None, Query(description="Answer language: es, en or pt.", max_length=16)] = None,
             ) -> Lang:
    settings: Settings = request.app.state.settings
    return negotiate(query_lang=lang, accept_language=request.headers.get("accept-language"),
                     default=settings.default_lang)


PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
RunnerDep = Annotated[Runner, Depends(get_runner)]
ProfileDep = Annotated[Profile, Depends(get_profile)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
LangDep = Annotated[Lang, Depends(get_lang)]
FormatQuery = Annotated[Literal["ttl", "turtle", "jsonld", "json-ld", "rdf", "xml", "nt", "ntriples", "json", "html",
                                "csv"] | None,
                        Query(alias="format", description="Overrides Accept; a format a route cannot give is a 406.")]

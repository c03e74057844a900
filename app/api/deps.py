"""Dependencies shared by the routers, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from app.i18n import Lang, negotiate
from app.pipeline.isolation import Runner
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import Settings


def get_pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


def get_runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def get_profile(request: Request) -> Profile:
    return get_pipeline(request).profile


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_lang(request: Request,
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

"""The FastAPI application: create_app() builds it; the lifespan loads the profile once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from app import __version__, logs
from app.api.errors import install_error_handlers
from app.api.hygiene import HygieneMiddleware
from app.api.limits import BodyLimitMiddleware, TimeLimitMiddleware
from app.api.result_store import ResultStore
from app.api.routes import (
    admin,
    catalogues,
    convert,
    dashboard,
    harvests,
    health,
    page,
    profile,
    sources,
    validate,
    vocabularies,
)
from app.api.routes import ckan as ckan_api
from app.api.routes import quality as quality_routes
from app.api.routes import sparql as sparql_routes
from app.catalogue.service import CatalogueService
from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.errors import CatalogueUnavailableError, StoreError
from app.harvest.service import start_harvests, stop_harvests
from app.pipeline.run import Pipeline
from app.profile.loader import load_profile
from app.quality.catalogue_quality import CatalogueQualityService
from app.quality.dashboard import QualitySource, StaticQualitySource
from app.quality.refresher import CatalogueQualitySource, QualityRefresher
from app.runtime.workers import Runner
from app.settings import Settings, get_settings

DESCRIPTION = """Puente validates and harmonises open-data metadata from Colombia, Chile, Mexico and Spain
against one DCAT-AP 3 based profile. Reports come in Spanish and English and point at the field to fix."""


def configure_logging(settings: Settings) -> None:
    logs.configure(settings.log_level)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PuenteApp(FastAPI):
    """FastAPI, with the time limits on sending and reading outside every other middleware: they need the server's
    own `send` to close the connection of a client that stopped reading (app/api/limits.py)."""

    def __init__(self, *, settings: Settings, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.time_limits = (settings.body_timeout_s, settings.write_timeout_s)

    def build_middleware_stack(self) -> ASGIApp:
        body_timeout_s, write_timeout_s = self.time_limits
        return TimeLimitMiddleware(super().build_middleware_stack(), body_timeout_s=body_timeout_s,
                                   write_timeout_s=write_timeout_s)


def create_app(settings: Settings | None = None, *, quality_source: QualitySource | None = None,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """Build the application; nothing is read from disk until the lifespan starts.

    `quality_source`: where the dashboard reads catalogue quality (none given: the catalogue's, else an empty one);
    `clock`: the time
    quality checks are dated and freshness is judged by (tests fix it)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings)
        loaded = load_profile(settings.assets_dir)
        crosswalks = load_crosswalks(settings.assets_dir / "mappings")
        rdf_sources = load_rdf_sources(settings.assets_dir / "mappings")
        app.state.settings = settings
        app.state.results = ResultStore(root=settings.results_dir, max_bytes=settings.results_max_bytes)
        app.state.pipeline = Pipeline(profile=loaded, settings=settings, crosswalks=crosswalks,
                                      rdf_sources=rdf_sources)
        app.state.runner = Runner(app.state.pipeline)
        app.state.clock = clock or _utc_now
        app.state.quality_source = quality_source if quality_source is not None else StaticQualitySource()
        await app.state.runner.start()  # before the server listens: no worker ever holds its socket
        app.state.catalogue, app.state.catalogue_error = None, None
        try:  # opened after the workers started: they never hold the store
            app.state.catalogue = CatalogueService.open(
                settings, loaded, sources=set(app.state.pipeline.registry.sources), holder="puente serve")
        except (CatalogueUnavailableError, StoreError) as error:  # folder held, or store down: serve the rest
            app.state.catalogue_error = error.detail
            logging.getLogger("puente.catalogue").error("catalogue unavailable: %s", error)
        app.state.catalogue_quality, refresher = None, None
        if app.state.catalogue is not None:  # quality of the catalogue: scored on writes and daily, kept by day
            app.state.catalogue_quality = CatalogueQualityService.open(app.state.catalogue, clock=app.state.clock)
            if quality_source is None:
                app.state.quality_source = CatalogueQualitySource(app.state.catalogue_quality)
            if settings.quality_poll_s > 0:
                refresher = QualityRefresher(app.state.catalogue_quality, poll_s=settings.quality_poll_s,
                                             linkcheck_after_publish=settings.linkcheck_after_publish)
                refresher.start()
        start_harvests(app.state, settings, clock=app.state.clock)  # after the catalogue: harvests write into it
        try:
            yield
        finally:
            stop_harvests(app.state)
            if refresher is not None:
                refresher.stop()
            if app.state.catalogue_quality is not None:
                app.state.catalogue_quality.close()
            app.state.runner.close()
            app.state.results.close()
            if app.state.catalogue is not None:
                app.state.catalogue.close()

    app = PuenteApp(settings=settings, title="Puente", version=__version__, description=DESCRIPTION,
                    lifespan=lifespan)
    install_error_handlers(app, default_lang=settings.default_lang, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, default_lang=settings.default_lang)
    app.add_middleware(HygieneMiddleware, post_origins=frozenset(settings.cors_post_origins.split()))
    for router in (page.router, health.router, profile.router, vocabularies.router, sources.router, validate.router,
                   convert.router, dashboard.router, quality_routes.router, harvests.router, catalogues.router,
                   admin.router, sparql_routes.router, ckan_api.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static")
    return app


app = create_app()

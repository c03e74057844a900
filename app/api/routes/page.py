"""The validator page at `/`: paste or upload a record, see what to fix, download the report.

Server-rendered and usable without JavaScript; results are kept for an hour under a random token so
the page can be re-read in another language and the report downloaded in several formats.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import LangDep, PipelineDep, RunnerDep
from app.api.rendering import page, rdf_response
from app.api.result_store import ResultStore
from app.errors import NotFoundError, PuenteError
from app.i18n import render, text
from app.pipeline.enrichment import for_publication
from app.pipeline.report import report_csv, report_graph
from app.pipeline.sniff import guess_media_type
from app.quality.record import quality_section
from app.quality.score import Scorer
from app.rdf.serialisation import JSONLD, TURTLE

router = APIRouter(tags=["page"], include_in_schema=False)

SAMPLES = {"co": "co/example.json", "cl": "cl/example.json", "mx": "mx/example.json", "es": "es/example.ttl"}
SEVERITY_ORDER = ("violation", "warning", "info")


def _store(request: Request) -> ResultStore:
    store: ResultStore = request.app.state.results
    return store


def _sample(request: Request, name: str | None) -> tuple[str, str | None]:
    if not name or name not in SAMPLES:
        return "", None
    settings = request.app.state.settings
    return (settings.assets_dir / "mappings" / SAMPLES[name]).read_text(encoding="utf-8"), name


@router.get("/")
def form(request: Request, pipeline: PipelineDep, lang: LangDep,
         sample: Annotated[str | None, Query(max_length=8)] = None,
         result: Annotated[str | None, Query(max_length=40)] = None,
         quality: Annotated[bool, Query()] = False) -> Response:
    content, sample_source = _sample(request, sample)
    context: dict[str, Any] = {"content": content, "chosen_source": sample_source or "", "quality_asked": quality,
                               "sources": list(pipeline.registry.sources.values()), "samples": list(SAMPLES)}
    if result:
        stored = _store(request).get(result)
        if stored is None:
            context["error"] = render(text("ui.page.expired"), lang)
        else:
            outcome = stored.outcome
            report = outcome.report(profile=pipeline.profile, lang=lang)
            context.update(report=report, token=result, filename=stored.filename,
                           severities=SEVERITY_ORDER, chosen_source=outcome.source.name)
            if quality:
                # a plain `def` route runs on the thread pool: scoring the stored outcome keeps off the event loop
                scorer = Scorer.for_profile(pipeline.profile, assets_dir=pipeline.settings.assets_dir)
                section = quality_section(outcome.mapped.triples, outcome.findings, scorer=scorer, lang=lang,
                                          now=request.app.state.clock())
                context.update(quality=section, metrics=scorer.metrics,
                               quality_by_record={d["iri"] or d["id"]: d for d in section["datasets"]})
    return page(request, "index.html", lang=lang, **context)


@router.post("/")
async def submit(request: Request, pipeline: PipelineDep, runner: RunnerDep, lang: LangDep,
                 content: Annotated[str, Form(max_length=20_000_000)] = "",
                 source: Annotated[str, Form(max_length=16)] = "",
                 ui_lang: Annotated[str, Form(max_length=8)] = "",
                 quality: Annotated[str, Form(max_length=8)] = "",
                 origin: Annotated[str, Form(max_length=500)] = "",
                 upload: Annotated[UploadFile | None, File()] = None) -> Response:
    if ui_lang in ("es", "en", "pt"):
        lang = ui_lang  # type: ignore[assignment]
    filename = "registro"
    body = content.encode("utf-8")
    if upload is not None and upload.filename:
        body = await upload.read()
        filename = upload.filename
        content = body.decode("utf-8", errors="replace")
    media_type = guess_media_type(content, filename if upload is not None and upload.filename else None)
    try:
        outcome = await run_in_threadpool(runner.validate, body, media_type=media_type, source=source or None,
                                          origin=origin or None)
    except PuenteError as error:
        where = ""
        if error.line is not None:
            where = render(text("ui.page.where", line=error.line, column=error.column or 1), lang)
        return page(request, "index.html", lang=lang, content=content[:200_000], chosen_source=source,
                    sources=list(pipeline.registry.sources.values()), samples=list(SAMPLES), origin=origin[:500],
                    quality_asked=bool(quality), error=render(error.detail, lang) + where, status_code=error.status)
    token = _store(request).put(outcome, filename=filename)
    scored = "&quality=true" if quality else ""
    return RedirectResponse(f"/?result={token}&lang={lang}{scored}#results", status_code=303)


@router.get("/results/{token}/{kind}")
def download(request: Request, pipeline: PipelineDep, lang: LangDep, token: str, kind: str) -> Response:
    stored = _store(request).get(token[:40])
    if stored is None:
        raise NotFoundError(text("detail.not_found", path=f"/results/{token[:40]}"))
    outcome = stored.outcome
    report = outcome.report(profile=pipeline.profile, lang=lang)
    attachment = {"Content-Disposition": f'attachment; filename="puente-{kind.replace("/", "-")}"'}
    if kind == "report.json":
        return Response(orjson.dumps(report, option=orjson.OPT_INDENT_2), media_type="application/json",
                        headers=attachment)
    if kind == "report.csv":
        return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=attachment)
    if kind == "report.ttl":
        graph = report_graph(outcome.findings, profile=pipeline.profile)
        return rdf_response(graph, media_type=TURTLE.media_type, profile=pipeline.profile)
    if kind in ("dcat.ttl", "dcat.jsonld"):
        graph = for_publication(outcome.mapped.graph, profile=pipeline.profile)
        fmt = TURTLE if kind == "dcat.ttl" else JSONLD
        return rdf_response(graph, media_type=fmt.media_type, profile=pipeline.profile)
    raise NotFoundError(text("detail.not_found", path=f"/results/…/{kind[:20]}"))

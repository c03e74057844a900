"""The validator page at `/`: paste or upload a record, see what to fix, download the report.

Server-rendered and usable without JavaScript. The form takes what the API takes (up to PUENTE_MAX_BODY_BYTES,
with the same 413). A result is kept on disk for an hour under a random token (app/api/result_store.py): the page
shows the first records of its report, and the downloads (the whole report as JSON or CSV, the SHACL report, the
converted record) are made by a worker the first time they are asked for.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.responses import Response

from app.api.answers import OutputResponse
from app.api.deps import LangDep, PipelineDep, RunnerDep
from app.api.rendering import page
from app.api.result_store import ResultStore
from app.errors import InputError, NotFoundError, PuenteError
from app.i18n import render, text
from app.pipeline.sniff import guess_media_type
from app.quality.record import page_quality
from app.runtime import jobs
from app.runtime.output import Output

router = APIRouter(tags=["page"], include_in_schema=False)

SAMPLES = {"co": "co/example.json", "cl": "cl/example.json", "mx": "mx/example.json", "es": "es/example.ttl"}
SEVERITY_ORDER = ("violation", "warning", "info")
SHOWN_INPUT_CHARS = 200_000  # of an input that could not be read, what is shown back in the form
DOWNLOADS = {"report.json": "application/json", "report.csv": "text/csv; charset=utf-8",
             "report.ttl": "text/turtle", "dcat.ttl": "text/turtle", "dcat.jsonld": "application/ld+json"}


def _store(request: Request) -> ResultStore:
    store: ResultStore = request.app.state.results
    return store


def _sample(request: Request, name: str | None) -> tuple[str, str | None]:
    if not name or name not in SAMPLES:
        return "", None
    settings = request.app.state.settings
    return (settings.assets_dir / "mappings" / SAMPLES[name]).read_text(encoding="utf-8"), name


@router.get("/")
async def form(request: Request, pipeline: PipelineDep, runner: RunnerDep, lang: LangDep,
               sample: Annotated[str | None, Query(max_length=8)] = None,
               result: Annotated[str | None, Query(max_length=40)] = None,
               quality: Annotated[bool, Query()] = False) -> Response:
    content, sample_source = _sample(request, sample)
    context: dict[str, Any] = {"content": content, "chosen_source": sample_source or "", "quality_asked": quality,
                               "sources": list(pipeline.registry.sources.values()), "samples": list(SAMPLES)}
    status = 200
    if result:
        folder = _store(request).get(result)
        if folder is None:
            context["error"] = render(text("ui.page.expired"), lang)
        else:
            shown = folder / f"preview.{lang}.json"
            try:
                if not shown.exists():
                    await runner.run(jobs.page_report, b"", str(folder), lang)
                    _store(request).account(result)
                report = orjson.loads(await anyio.Path(shown).read_bytes())
                context.update(report=report, token=result, severities=SEVERITY_ORDER,
                               chosen_source=report["source"])
                if quality:  # scored in a worker, from the stored input (off the event loop, under the time limit)
                    section, metrics = await runner.run(page_quality, b"", str(folder), lang,
                                                        request.app.state.clock())
                    context.update(quality=section, metrics=metrics,
                                   quality_by_record={d["iri"] or d["id"]: d for d in section["datasets"]})
            except PuenteError as error:
                context["error"] = render(error.detail, lang)
                status = error.status
    return await run_in_threadpool(page, request, "index.html", lang=lang, status_code=status, **context)


@router.post("/")
async def submit(request: Request, pipeline: PipelineDep, runner: RunnerDep, lang: LangDep) -> Response:
    settings = request.app.state.settings
    try:  # the API's limit, not the form parser's 1 MB per field; a body over it is a 413 from BodyLimitMiddleware
        sent = await request.form(max_files=1, max_fields=8, max_part_size=settings.max_body_bytes)
    except MultiPartException as broken:
        raise InputError(text("detail.form", message=broken.message)) from None
    try:
        fields = {name: value for name, value in sent.items() if isinstance(value, str)}
        upload = sent.get("upload")
        source = fields.get("source", "")[:16]
        if fields.get("ui_lang") in ("es", "en", "pt"):
            lang = fields["ui_lang"]  # type: ignore[assignment]
        filename: str | None = None
        if isinstance(upload, UploadFile) and upload.filename:
            body = await upload.read()
            filename = upload.filename
        else:
            body = fields.get("content", "").encode("utf-8")
    finally:
        await sent.close()
    head = body[:SHOWN_INPUT_CHARS].decode("utf-8", errors="replace")
    media_type = guess_media_type(head, filename)
    store = _store(request)
    token, folder = store.new()
    origin = fields.get("origin", "")[:500]
    quality = fields.get("quality", "")[:8]
    try:
        await runner.run(jobs.page_submit, body, str(folder), media_type, source or None, lang, origin or None)
    except PuenteError as error:
        store.drop(token)
        where = ""
        if error.line is not None:
            where = render(text("ui.page.where", line=error.line, column=error.column or 1), lang)
        return await run_in_threadpool(
            page, request, "index.html", lang=lang, content=head, chosen_source=source,
            sources=list(pipeline.registry.sources.values()), samples=list(SAMPLES), origin=origin,
            quality_asked=bool(quality), error=render(error.detail, lang) + where, status_code=error.status)
    store.account(token)
    scored = "&quality=true" if quality else ""
    return RedirectResponse(f"/?result={token}&lang={lang}{scored}#results", status_code=303)


@router.get("/results/{token}/{kind}")
async def download(request: Request, runner: RunnerDep, lang: LangDep, token: str, kind: str) -> Response:
    folder = _store(request).get(token[:40])
    if folder is None:
        raise NotFoundError(text("detail.not_found", path=f"/results/{token[:40]}"))
    if kind not in DOWNLOADS:
        raise NotFoundError(text("detail.not_found", path=f"/results/…/{kind[:20]}"))
    name = await runner.run(jobs.page_artifact, b"", str(folder), kind, lang)
    _store(request).account(token[:40])
    path = folder / name
    file = await anyio.to_thread.run_sync(path.open, "rb")
    size = await anyio.to_thread.run_sync(lambda: path.stat().st_size)
    attachment = {"Content-Disposition": f'attachment; filename="puente-{kind}"'}
    return OutputResponse(Output(file=file, size=size), media_type=DOWNLOADS[kind], headers=attachment)

"""GET /dashboard: the cross-country quality page; GET /dashboard/data/{figure}.csv|json: every figure's numbers.

The page reads the app's QualitySource (app.state.quality_source); handlers are plain `def`, so FastAPI runs
them on its thread pool and drawing the charts never holds the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import JSONResponse, Response

from app.api.deps import LangDep, SettingsDep
from app.api.problems import READ_ERRORS
from app.api.rendering import page
from app.errors import NotFoundError
from app.i18n import text
from app.quality.dashboard import FIGURES, QualitySource, as_csv, as_records, build_view, figure_table
from app.quality.metrics import load_metrics

router = APIRouter(tags=["quality"], responses=READ_ERRORS)
OVERDUE_SHOWN = 20
CatalogueQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9-]{2,32}$",
                                              description="Only this catalogue's rows (a catalogue id: co, cl...).")]


def _source(request: Request) -> QualitySource:
    source: QualitySource = request.app.state.quality_source
    return source


@router.get("/dashboard", summary="The cross-country quality dashboard (HTML)",
            responses={200: {"content": {"text/html": {}}}})
def dashboard(request: Request, settings: SettingsDep, lang: LangDep) -> Response:
    source = _source(request)
    aggregates, history = list(source.aggregates()), list(source.history())
    metrics = load_metrics(settings.assets_dir)
    titles = getattr(source, "titles", None)  # optional: catalogue names in the page's language
    view = build_view(aggregates, history, metrics=metrics, lang=lang, titles=titles(lang) if titles else None)
    return page(request, "dashboard.html", lang=lang, view=view, metrics=metrics, figures=FIGURES,
                overdue_shown=OVERDUE_SHOWN, history_days=len({p.day for p in history}))


@router.get("/dashboard/data/{name}", summary="The numbers behind one dashboard figure, as CSV or JSON",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def figure_data(request: Request, settings: SettingsDep,
                name: Annotated[str, Path(max_length=40, description="figure.csv or figure.json; figures: "
                                                                     + ", ".join(FIGURES))],
                catalogue: CatalogueQuery = None) -> Response:
    kind, _, extension = name.rpartition(".")
    if kind not in FIGURES or extension not in ("csv", "json"):
        raise NotFoundError(text("detail.not_found", path=f"/dashboard/data/{name[:40]}"))
    source = _source(request)
    columns, rows = figure_table(kind, list(source.aggregates()), list(source.history()),
                                 metrics=load_metrics(settings.assets_dir), catalogue=catalogue)
    filename = f"puente-{kind}{'-' + catalogue if catalogue else ''}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if extension == "csv":
        return Response(as_csv(columns, rows), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse(as_records(columns, rows), headers=headers)

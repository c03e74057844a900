"""GET /health: is the service up, and are its workers alive? Answered on the event loop, never behind a job."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.api.deps import RunnerDep
from app.api.problems import READ_ERRORS
from app.native import running_compiled

router = APIRouter(tags=["health"], responses=READ_ERRORS)


class Workers(BaseModel):
    configured: int = Field(description="PUENTE_WORKERS.")
    idle: int
    busy: int
    starting: int = Field(description="Replacements being started.")
    waiting: int = Field(description="Requests waiting for a free worker.")
    replaced: int = Field(description="Workers replaced since the service started (killed, timed out, retired).")


class Health(BaseModel):
    status: str = Field(description="ok; degraded while workers are being replaced; unavailable when none has "
                                    "been alive for 10 s (answered with 503).")
    compiled: bool = Field(description="True when the pipeline's hot modules run compiled (`make native`); "
                                       "plain Python gives the same answers, more slowly.")
    workers: Workers


@router.get("/health", response_model=Health, summary="Is the service up, and are its workers alive?",
            responses={503: {"model": Health, "description": "No worker has been alive for 10 s."}})
async def health(runner: RunnerDep) -> Response:
    state = runner.state()
    alive = state.idle + state.busy
    status = "ok" if alive >= state.configured else "degraded" if state.healthy else "unavailable"
    body = Health(status=status, compiled=running_compiled(),
                  workers=Workers(configured=state.configured, idle=state.idle, busy=state.busy,
                                  starting=state.starting, waiting=state.waiting, replaced=state.replaced))
    return Response(body.model_dump_json(), media_type="application/json", status_code=200 if state.healthy else 503)

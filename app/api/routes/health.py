"""GET /health: is the service up, and are its workers alive?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.problems import READ_ERRORS
from app.native import running_compiled

router = APIRouter(tags=["health"], responses=READ_ERRORS)


class Health(BaseModel):
    status: str
    compiled: bool = Field(description="True when the pipeline's hot modules run compiled (`make native`); "
                                       "plain Python gives the same answers, more slowly.")


@router.get("/health", response_model=Health, summary="Is the service up?")
def health() -> Health:
    return Health(status="ok", compiled=running_compiled())

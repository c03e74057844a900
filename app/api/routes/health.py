"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.problems import READ_ERRORS

router = APIRouter(tags=["health"], responses=READ_ERRORS)


class Health(BaseModel):
    status: str


@router.get("/health", response_model=Health, summary="Is the service up?")
def health() -> Health:
    return Health(status="ok")

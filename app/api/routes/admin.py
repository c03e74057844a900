"""Admin routes (Bearer PUENTE_ADMIN_TOKEN): write tokens per catalogue, and the write audit log."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.api.auth import catalogue_service, require_admin
from app.api.problems import error_responses
from app.catalogue import tokens
from app.catalogue.identifiers import check_catalogue_id
from app.errors import NotFoundError
from app.i18n import text

router = APIRouter(tags=["admin"])
ADMIN_ERRORS = error_responses(400, 401, 404, 503)


class TokenRequest(BaseModel):
    """What a new token is for."""

    catalogue: str = Field(max_length=64, description="The catalogue the token may write.")
    name: str = Field(default="", max_length=200, description="Who or what uses it (shown in listings).")


class NewToken(BaseModel):
    id: str
    catalogue: str
    name: str
    token: str = Field(description="The secret, shown this once: Puente keeps only its SHA-256.")


@router.post("/admin/tokens", summary="Create a write token for one catalogue (admin)", status_code=201,
             response_model=NewToken, responses={201: {"content": {"application/json": {}}}, **ADMIN_ERRORS})
def create_token(request: Request, body: TokenRequest) -> Response:
    require_admin(request)
    service = catalogue_service(request)
    check_catalogue_id(body.catalogue, service.catalogues)
    token, secret = service.create_token(body.catalogue, body.name, who="admin")
    answer = NewToken(id=token.id, catalogue=token.catalogue, name=token.name, token=secret)
    return Response(answer.model_dump_json(), status_code=201, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@router.get("/admin/tokens", summary="The tokens (never their secrets) (admin)",
            responses={200: {"content": {"application/json": {}}}, **ADMIN_ERRORS})
def list_tokens(request: Request) -> Response:
    require_admin(request)
    service = catalogue_service(request)
    return Response(orjson.dumps([t.__dict__ for t in tokens.listing(service.index)]), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@router.delete("/admin/tokens/{token_id}", summary="Revoke a token (admin)", status_code=204,
               responses={204: {"description": "Revoked"}, **ADMIN_ERRORS})
def revoke_token(request: Request, token_id: Annotated[str, Path(max_length=100)]) -> Response:
    require_admin(request)
    service = catalogue_service(request)
    if not service.revoke_token(token_id, who="admin"):
        raise NotFoundError(text("detail.unknown_token", id=token_id[:100]))
    return Response(status_code=204)


@router.get("/admin/audit", summary="The latest writes: who, when, what, outcome (admin)",
            responses={200: {"content": {"application/json": {}}}, **ADMIN_ERRORS})
def audit(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    require_admin(request)
    service = catalogue_service(request)
    return Response(orjson.dumps(service.audit_log(limit=limit)), media_type="application/json",
                    headers={"Cache-Control": "no-store"})

"""Who may write: `Authorization: Bearer <token>`, a token of the catalogue written to, or the admin token.

No token, or one Puente does not know (or has revoked): 401 with `WWW-Authenticate` (api/errors.py adds it).
A valid token of another catalogue: 403, and the refusal is logged in the audit log.
"""

from __future__ import annotations

from fastapi import Request

from app.catalogue import tokens
from app.catalogue.service import CatalogueService
from app.errors import CatalogueUnavailableError, ForbiddenError, UnauthorizedError
from app.i18n import text

ADMIN = "admin"


def catalogue_service(request: Request) -> CatalogueService:
    """The running catalogue, or a 503 saying why there is none."""
    service: CatalogueService | None = getattr(request.app.state, "catalogue", None)
    if service is None:
        reason = getattr(request.app.state, "catalogue_error", None)
        raise CatalogueUnavailableError(reason or text("detail.catalogue_off"))
    return service


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise UnauthorizedError(text("detail.token_missing"))
    return secret.strip()


def _admin_token(request: Request) -> str:
    return str(request.app.state.settings.admin_token.get_secret_value())


def identify(request: Request, service: CatalogueService) -> tuple[str, str | None]:
    """(token id, its catalogue; None for the admin token) of the request's token; 401 without a valid one.

    Reads only (one indexed look-up): cheap enough for the event loop."""
    secret = _bearer(request)
    if tokens.is_admin(secret, _admin_token(request)):
        return ADMIN, None
    token = tokens.find(service.index, secret)
    if token is None:
        raise UnauthorizedError(text("detail.token_invalid"), field="authorization")
    return token.id, token.catalogue


def refuse(request: Request, service: CatalogueService, *, who: str, own: str, catalogue: str) -> ForbiddenError:
    """Log a token's attempt on another catalogue and give the 403 to raise."""
    service.audit(who=who, catalogue=catalogue, action=request.method.lower(), target=request.url.path,
                  outcome="forbidden", status=403)
    return ForbiddenError(text("detail.token_other_catalogue", token_catalogue=own, catalogue=catalogue))


def require_writer(request: Request, service: CatalogueService, catalogue: str) -> str:
    """The id of the token allowed to write `catalogue` (the admin token may write any)."""
    who, own = identify(request, service)
    if own is not None and own != catalogue:
        raise refuse(request, service, who=who, own=own, catalogue=catalogue)
    return who


def require_admin(request: Request) -> str:
    secret = _bearer(request)
    if not _admin_token(request):
        raise UnauthorizedError(text("detail.admin_off"))
    if not tokens.is_admin(secret, _admin_token(request)):
        raise UnauthorizedError(text("detail.token_invalid"), field="authorization")
    return ADMIN

"""Write tokens, one catalogue each: random, shown once, stored as their SHA-256, revocable.

A token is `pte_` + 43 URL-safe characters (256 random bits from `secrets`): with that much entropy a plain
SHA-256 is the right storage (no salt or slow hash needed: nothing to brute-force), and looking a token up by its
hash compares no secret character by character. The admin token (PUENTE_ADMIN_TOKEN) is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from app.catalogue.index import Index

PREFIX = "pte_"
MAX_TOKEN_CHARS = 200


@dataclass(frozen=True)
class Token:
    """A token as listed (never the secret)."""

    id: str
    catalogue: str
    name: str
    created: str
    revoked: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(index: Index, *, catalogue: str, name: str) -> tuple[Token, str]:
    """A new token of `catalogue`: the row, and the secret (shown once, never stored)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token(id="tok_" + secrets.token_hex(8), catalogue=catalogue, name=name[:200],
                  created=datetime.now(UTC).isoformat(timespec="seconds"), revoked=None)
    with index.write() as db:
        db.execute("INSERT INTO tokens (id, catalogue, name, hash, created) VALUES (?, ?, ?, ?, ?)",
                   (token.id, token.catalogue, token.name, _hash(secret), token.created))
    return token, secret


def revoke(index: Index, token_id: str) -> bool:
    """Revoke a token; False when there is no such (unrevoked) token."""
    with index.write() as db:
        changed = db.execute("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                             (datetime.now(UTC).isoformat(timespec="seconds"), token_id[:100])).rowcount
    return changed > 0


def listing(index: Index) -> list[Token]:
    rows = index.reader.execute("SELECT id, catalogue, name, created, revoked FROM tokens ORDER BY created, id")
    return [Token(*row) for row in rows]


def find(index: Index, secret: str) -> Token | None:
    """The live token a secret belongs to, or None (unknown, revoked or malformed)."""
    if not secret.startswith(PREFIX) or len(secret) > MAX_TOKEN_CHARS:
        return None
    row = index.reader.execute("SELECT id, catalogue, name, created, revoked FROM tokens WHERE hash = ?",
                               (_hash(secret),)).fetchone()
    if row is None or row[4] is not None:
        return None
    return Token(*row)


def is_admin(secret: str, admin_token: str) -> bool:
    """True when `secret` is the configured admin token (never when none is configured)."""
    return bool(admin_token) and hmac.compare_digest(secret.encode("utf-8"), admin_token.encode("utf-8"))

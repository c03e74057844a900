"""Record identifiers: checked when a client names one, made IRI-safe when a source supplies one.

`{id}` in `{base}/catalogues/{cc}/datasets/{id}` is the record's identifier in its source. Identifiers that are
already safe in a path segment (letters, digits, `.`, `_`, `~`, `-`; at most MAX_ID_CHARS) are kept as they are;
anything else (a URL, spaces, accents, a very long id) becomes a readable slug plus a short hash of the original,
so two different originals never share an id and the same original always gets the same one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping

from app.errors import InputError, NotFoundError
from app.i18n import text

MAX_ID_CHARS = 200
SAFE_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")
CATALOGUE_ID = re.compile(r"[a-z0-9-]{2,32}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._~-]+")


def is_safe_id(value: str) -> bool:
    """True for an id that can be used in a path segment as it is (not `.` or `..`)."""
    return SAFE_ID.fullmatch(value) is not None and value.strip(".") != ""


def check_id(value: str) -> str:
    """A record id named by a client (a URL path segment): returned when safe, else a 400 naming the field."""
    if not is_safe_id(value):
        shown = value[:60].encode("unicode_escape").decode("ascii")
        raise InputError(text("detail.bad_record_id", id=shown, limit=MAX_ID_CHARS), field="id")
    return value


def check_catalogue_id(value: str, known: Mapping[str, object]) -> str:
    """A catalogue id from a URL: a 400 when it cannot be one, a 404 when no such catalogue exists."""
    if CATALOGUE_ID.fullmatch(value) is None:
        shown = value[:40].encode("unicode_escape").decode("ascii")
        raise InputError(text("detail.bad_catalogue_id", id=shown), field="catalogue")
    if value not in known:
        raise NotFoundError(text("detail.unknown_catalogue", id=value, available=", ".join(sorted(known))))
    return value


def safe_id(original: str) -> str:
    """The id Puente uses for a record whose source identifier is `original` (see the module docstring)."""
    original = original.strip()
    if is_safe_id(original):
        return original
    tail = original
    if "://" in original:  # a URL: its last non-empty segment is the readable part
        tail = next((part for part in reversed(re.split(r"[/#?]", original)) if part), original)
    plain = unicodedata.normalize("NFKD", tail).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE_RUN.sub("-", plain).strip("-.")[:100]
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}" if slug else f"id-{digest}"

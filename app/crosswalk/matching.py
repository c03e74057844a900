"""Matching free text against vocabulary labels: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=65536)  # the same words come back in every record of a catalogue
def normalise(text: str) -> str:
    """'Ciencia, Tecnología e Innovación' and 'ciencia tecnologia e innovacion' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _PUNCT.sub(" ", stripped).strip()


def closest(value: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """The known labels nearest to `value`, best first (for 'did you mean' messages)."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(normalise(candidate), candidate)
    keys = difflib.get_close_matches(normalise(value), list(by_key), n=limit, cutoff=0.5)
    return [by_key[k] for k in keys]

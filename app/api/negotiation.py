"""Content negotiation: Accept header, with `?format=` overriding it."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import NotAcceptableError
from app.i18n import text

FORMAT_KEYS = {
    "ttl": "text/turtle", "turtle": "text/turtle",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
    "nt": "application/n-triples", "ntriples": "application/n-triples",
    "json": "application/json", "html": "text/html", "csv": "text/csv",
}


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    parsed: list[tuple[str, float, int]] = []
    for index, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        parsed.append((media, quality, index))
    return parsed


def _match(offer: str, ranges: list[tuple[str, float, int]]) -> tuple[float, int, int] | None:
    """(quality, specificity, position) of the most specific range matching `offer`."""
    best: tuple[float, int, int] | None = None
    main = offer.split("/")[0]
    for media, quality, index in ranges:
        if media == offer:
            specificity = 2
        elif media == f"{main}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (quality, specificity, index)
    return best


def choose(accept: str | None, *, offers: Sequence[str], default: str, format_key: str | None = None) -> str:
    """The media type to answer with, or NotAcceptableError naming what is available."""
    available = ", ".join(offers)
    if format_key:
        wanted = FORMAT_KEYS.get(format_key.lower())
        if wanted is None or wanted not in offers:
            raise NotAcceptableError(text("detail.not_acceptable", accept=f"format={format_key}", available=available))
        return wanted
    if not accept or not accept.strip():
        return default
    ranges = _ranges(accept)
    scored: list[tuple[float, int, int, int, str]] = []
    for position, offer in enumerate(offers):
        match = _match(offer, ranges)
        if match is None or match[0] <= 0:
            continue
        quality, specificity, index = match
        is_default = 0 if offer == default else 1
        # highest q; then explicit over wildcard; then the default offer; then the order of offers
        scored.append((-quality, -specificity, is_default if specificity == 0 else index, position, offer))
    if not scored:
        raise NotAcceptableError(text("detail.not_acceptable", accept=accept[:200], available=available))
    return sorted(scored)[0][4]

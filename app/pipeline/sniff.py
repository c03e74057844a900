"""Guess the media type of a file or pasted text (the page and the command line have no Content-Type)."""

from __future__ import annotations

MEDIA_BY_SUFFIX = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml",
                   ".xml": "application/rdf+xml", ".owl": "application/rdf+xml", ".nt": "application/n-triples",
                   ".json": "application/json"}


def guess_media_type(content: str, filename: str | None) -> str:
    """By file extension first, else by the first characters of the text."""
    if filename:
        for suffix, media in MEDIA_BY_SUFFIX.items():
            if filename.lower().endswith(suffix):
                return media
    head = content.lstrip()[:500]
    if head.startswith(("{", "[")):
        return "application/json"
    if head.startswith("<?xml") or head.startswith("<rdf:RDF"):
        return "application/rdf+xml"
    first_line = head.splitlines()[0] if head else ""
    if first_line.startswith("<") and first_line.rstrip().endswith(".") and "@prefix" not in head:
        return "application/n-triples"
    return "text/turtle"

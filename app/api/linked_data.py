"""Stored N-Triples lines as an HTTP answer in the syntax asked for, and whole catalogues streamed.

Turtle, RDF/XML and N-Triples are written by pyoxigraph (Rust, from the stored lines, no rdflib graph); JSON-LD is
compacted by rdflib with the profile's own context (inline: nothing is fetched). Exports stream record by record,
so a catalogue of any size is written in constant memory: N-Triples and Turtle chunk by chunk (vocabulary
knowledge once, at the end), JSON-LD as one `@graph` array, RDF/XML as one `rdf:RDF` element, DCAT-AP-ES through
`to_dcat_ap_es` one record at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from app.pipeline.exports import to_dcat_ap_es
from app.pipeline.parsing import graph_of
from app.profile.model import Profile
from app.rdf.namespaces import PREFIXES
from app.rdf.serialisation import JSONLD, serialise
from app.rdf.terms import triples_from_quads

OX_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
              "application/n-triples": ox.RdfFormat.N_TRIPLES}
_PREFIX_LINE = re.compile(rb"^@prefix [^\n]*\n", re.MULTILINE)


def _written(lines: list[str], fmt: ox.RdfFormat) -> bytes:
    out = ox.serialize(ox.parse(nt_bytes(lines), format=ox.RdfFormat.N_TRIPLES), format=fmt, prefixes=PREFIXES)
    assert out is not None, "pyoxigraph returns the bytes when given no output"
    return out


def nt_bytes(lines: Iterable[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_of_lines(lines: Iterable[str]) -> Graph:
    """An rdflib graph of N-Triples lines (for JSON-LD and the pages)."""
    return graph_of(triples_from_quads(ox.parse(nt_bytes(lines), format=ox.RdfFormat.N_TRIPLES)))


def render(lines: list[str], media_type: str, *, profile: Profile) -> bytes:
    """Lines (distinct, as stored) in one RDF syntax."""
    if media_type == "application/n-triples":
        return nt_bytes(lines)
    if media_type == JSONLD.media_type:
        return serialise(graph_of_lines(lines), JSONLD, context=profile.context)
    return _written(lines, OX_FORMATS[media_type])


def stream(chunks: Iterable[list[str]], media_type: str, *, profile: Profile,
           closing: Iterable[str] = ()) -> Iterator[bytes]:
    """Chunks of lines (each chunk whole records) as one document, written as they come; `closing` last."""
    if media_type == JSONLD.media_type:
        yield from _stream_jsonld(chunks, profile=profile, closing=closing)
        return
    if media_type == "application/rdf+xml":
        yield from _stream_rdfxml(chunks, closing=closing)
        return
    first = True
    for chunk in chain(chunks, [list(closing)]):
        if not chunk:
            continue
        if media_type == "application/n-triples":
            yield nt_bytes(chunk)
            continue
        written = _written(chunk, ox.RdfFormat.TURTLE)
        yield written if first else _PREFIX_LINE.sub(b"", written)
        first = False
    if first and media_type == "text/turtle":
        yield b"".join(f"@prefix {p}: <{ns}> .\n".encode() for p, ns in PREFIXES.items())


def _stream_jsonld(chunks: Iterable[list[str]], *, profile: Profile, closing: Iterable[str]) -> Iterator[bytes]:
    context = profile.context.get("@context", profile.context)
    yield b'{"@context": ' + json.dumps(context, ensure_ascii=False).encode("utf-8") + b',\n"@graph": ['
    separator = b""
    for chunk in chain(chunks, [list(closing)]):
        if not chunk:
            continue
        compacted: Any = json.loads(serialise(graph_of_lines(chunk), JSONLD, context=profile.context))
        nodes = compacted.get("@graph", [compacted]) if isinstance(compacted, dict) else compacted
        for node in nodes:
            if isinstance(node, dict):
                node.pop("@context", None)
            yield separator + json.dumps(node, ensure_ascii=False).encode("utf-8")
            separator = b",\n"
    yield b"]}\n"


def _stream_rdfxml(chunks: Iterable[list[str]], *, closing: Iterable[str]) -> Iterator[bytes]:
    namespaces = " ".join(f'xmlns:{p}="{ns}"' for p, ns in PREFIXES.items())
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF {namespaces}>\n'.encode()
    for chunk in chain(chunks, [list(closing)]):
        if not chunk:
            continue
        written = _written(chunk, ox.RdfFormat.RDF_XML).decode("utf-8")
        start = written.index(">", written.index("<rdf:RDF")) + 1
        yield written[start:written.rindex("</rdf:RDF>")].encode("utf-8")
    yield b"</rdf:RDF>\n"


_LOCATION_TYPE = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/dc/terms/Location> ."


def dcat_ap_es_lines(lines: list[str], *, profile: Profile, record_iri: str) -> list[str]:
    """One stored record as DCAT-AP-ES 1.0 (`to_dcat_ap_es`), back as N-Triples lines.

    Left out: the CatalogRecord (DCAT-AP-ES has its own conventions for checksums) and the dct:Location types
    Puente states for DCAT-AP's range checks (DCAT-AP-ES asks a typed Location for a geometry)."""
    record = f"<{record_iri}>"
    checksum = f"<{record_iri}#checksum>"
    kept = [line for line in lines if not line.startswith((record, checksum)) and not line.endswith(
        f"{record} .") and not line.endswith(_LOCATION_TYPE)]
    converted = to_dcat_ap_es(graph_of_lines(kept), knowledge=profile.background.knowledge)
    text = converted.serialize(format="nt")
    return [line for line in (text if isinstance(text, str) else text.decode()).splitlines() if line.strip()]

"""The input formats Puente reads (docs/DESIGN.md §2) and how a source is chosen when none is given.

RDF sources (`dcat`) are read as they are; every other source is a crosswalk in mappings/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.crosswalk.loader import LoadedCrosswalk
from app.crosswalk.rdf_source import LoadedRdfSource
from app.errors import InputError, UnsupportedMediaTypeError
from app.i18n import LocalText, text
from app.pipeline.parsing import RDF_MEDIA_TYPES, RdfSyntax
from app.rdf.terms import Triple

JSON_MEDIA_TYPES = ("application/json", "text/json")
ORDER = ("dcat", "ckan", "socrata", "datajson", "co", "cl", "mx", "es")


@dataclass(frozen=True)
class Source:
    """One input format: a generic reader or a country's conventions on top of one."""

    name: str
    label: LocalText
    description: LocalText
    media_types: tuple[str, ...]
    crosswalk: LoadedCrosswalk | None = None
    rdf_steps: LoadedRdfSource | None = None

    @property
    def is_rdf(self) -> bool:
        return self.crosswalk is None


DCAT_SOURCE = Source("dcat", {"es": "DCAT / DCAT-AP (RDF)", "en": "DCAT / DCAT-AP (RDF)"},
              {"es": "Cualquier RDF DCAT o DCAT-AP: Turtle, JSON-LD, RDF/XML o N-Triples.",
               "en": "Any DCAT or DCAT-AP RDF: Turtle, JSON-LD, RDF/XML or N-Triples."},
              (*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES))


class SourceRegistry:
    """The sources this process can read, built from the crosswalks loaded at start-up."""

    def __init__(self, crosswalks: dict[str, LoadedCrosswalk],
                 rdf_sources: dict[str, LoadedRdfSource] | None = None) -> None:
        found: dict[str, Source] = {"dcat": DCAT_SOURCE}
        for name, rdf in (rdf_sources or {}).items():
            found[name] = Source(name, rdf.spec.title, rdf.spec.description, DCAT_SOURCE.media_types, rdf_steps=rdf)
        for name, crosswalk in crosswalks.items():
            found[name] = Source(name, crosswalk.spec.title, crosswalk.spec.description, JSON_MEDIA_TYPES, crosswalk)
        self.sources = {n: found[n] for n in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else 99, n))}

    def names(self) -> str:
        return ", ".join(self.sources)

    def get(self, name: str) -> Source:
        source = self.sources.get(name)
        if source is None:
            planned = name in ORDER
            key = "detail.source_not_ready" if planned else "detail.unknown_source"
            raise InputError(text(key, source=name[:40], available=self.names()), field="source")
        return source

    def detect_rdf(self, triples: list[Triple]) -> Source | None:
        """The national RDF source whose detection rule the triples match (mappings/<source>/steps.yaml), if any."""
        for source in self.sources.values():
            if source.rdf_steps is not None and source.rdf_steps.recognises(triples):
                return source
        return None

    def detect(self, document: Any) -> Source:
        """Choose the source of a parsed JSON document from its shape."""
        sample = document[0] if isinstance(document, list) and document else document
        if _looks_like_jsonld(sample) and self._claimed(sample) is None:
            return DCAT_SOURCE
        import json

        raw = json.dumps(document, ensure_ascii=False)
        candidates: list[tuple[int, int, Source]] = []
        for position, source in enumerate(self.sources.values()):
            crosswalk = source.crosswalk
            if crosswalk is not None and _matches(crosswalk, sample, raw):
                candidates.append((-crosswalk.spec.detect.priority, position, source))
        if not candidates:
            raise InputError(text("detail.undetected_source", available=self.names()), field="source")
        return sorted(candidates, key=lambda c: (c[0], c[1]))[0][2]


    def detect_jsonld(self, document: Any) -> Source:
        """The source of a body sent as JSON-LD: the format whose own @context it carries (a data.json with the POD
        context is data.json, read by its crosswalk), else DCAT read as JSON-LD."""
        sample = document[0] if isinstance(document, list) and document else document
        claimed = self._claimed(sample)
        if claimed is not None:
            return claimed
        if _looks_like_jsonld(sample):
            return DCAT_SOURCE
        try:  # no JSON-LD at all (a data.json without its context): the format its shape says, else JSON-LD
            return self.detect(document)
        except InputError:
            return DCAT_SOURCE

    def _claimed(self, document: Any) -> Source | None:
        """The crosswalk source whose detection rule names the document's @context, if any."""
        if not isinstance(document, dict):
            return None
        context = document.get("@context")
        named = [context] if isinstance(context, str) else [c for c in context if isinstance(c, str)] \
            if isinstance(context, list) else []
        for source in self.sources.values():
            if source.crosswalk is not None and any(c in source.crosswalk.spec.detect.contexts for c in named):
                return source
        return None


def _looks_like_jsonld(document: Any) -> bool:
    return isinstance(document, dict) and any(k in document for k in ("@context", "@graph", "@id"))


def _has(document: Any, path: str) -> bool:
    from app.crosswalk.paths import parse_path

    return any(v not in ("", [], {}) for v, _ in parse_path(path).evaluate(document, document))


def _matches(crosswalk: LoadedCrosswalk, document: Any, raw: str) -> bool:
    rule = crosswalk.spec.detect
    if not isinstance(document, dict):
        return False
    if rule.text_contains and not any(fragment in raw for fragment in rule.text_contains):
        return False
    if any(not _has(document, p) for p in rule.all_of):
        return False
    if rule.any_of and not any(_has(document, p) for p in rule.any_of):
        return False
    return not any(_has(document, p) for p in rule.none_of)


def rdf_syntax_for(source: Source, *, media_type: str) -> RdfSyntax:
    """The RDF syntax of a body for an RDF source, or a 415 naming what is accepted."""
    if media_type in RDF_MEDIA_TYPES:
        return RDF_MEDIA_TYPES[media_type]
    if media_type in JSON_MEDIA_TYPES:
        return RdfSyntax.JSONLD
    raise unsupported(source, media_type)


def unsupported(source: Source, media_type: str) -> UnsupportedMediaTypeError:
    return UnsupportedMediaTypeError(text("detail.media_type", media_type=media_type or "(none)", source=source.name,
                                          accepted=", ".join(source.media_types)))


def unsupported_any(media_type: str) -> UnsupportedMediaTypeError:
    return UnsupportedMediaTypeError(text("detail.media_type", media_type=media_type or "(none)", source="?",
                                          accepted=", ".join((*RDF_MEDIA_TYPES, *JSON_MEDIA_TYPES))))

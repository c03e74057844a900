"""The pipeline put together: what the API and the command line call."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Container
from dataclasses import dataclass, field
from typing import Any

import orjson
from rdflib.namespace import RDF
from rdflib.term import Node

from app.crosswalk.engine import Mapper
from app.crosswalk.loader import LoadedCrosswalk
from app.crosswalk.lookups import Lookups
from app.crosswalk.rdf_source import LoadedRdfSource
from app.errors import InputError, NoRecordsError, ParseError, PayloadTooLargeError
from app.findings import Finding
from app.i18n import text
from app.pipeline.guards import strict_json_loads
from app.pipeline.mapping import MappedInput, map_records, normalise_rdf
from app.pipeline.parsing import RDF_MEDIA_TYPES, ParseLimits, parse_rdf_triples
from app.pipeline.report import deduplicate, report_data
from app.pipeline.report_models import SourceFieldResolver, ValidationReport
from app.pipeline.sources import JSON_MEDIA_TYPES, Source, SourceRegistry, rdf_syntax_for, unsupported, unsupported_any
from app.pipeline.validation import Engine, engine_for
from app.profile.model import Profile
from app.rdf.namespaces import CONTEXT_IRI, DCAT
from app.rdf.terms import is_iri
from app.rdf.triple_index import TripleIndex
from app.settings import Settings

_RECORD_CLASSES = (DCAT.Dataset, DCAT.Catalog, DCAT.DataService, DCAT.DatasetSeries)


@dataclass(frozen=True)
class Opened:
    """A body parsed and its source chosen: `mapped` for RDF (already profile triples), `records` for JSON."""

    source: Source
    detected: bool
    mapped: MappedInput | None = None
    records: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    origin: str | None = None  # the portal's address the caller gave (?origin=, --origin), checked


@dataclass(frozen=True)
class Outcome:
    """A parsed and mapped input with its findings (SHACL results and mapping problems)."""

    mapped: MappedInput
    findings: list[Finding]
    source: Source
    detected: bool

    @property
    def source_field(self) -> SourceFieldResolver | None:
        """How report results name the input field: crosswalk provenance for JSON, the property chain for RDF."""
        return None if self.source.is_rdf else self.mapped.source_field

    def report(self, *, profile: Profile, lang: str, only: Collection[Node] | None = None) -> ValidationReport:
        """The JSON report (docs/DESIGN.md §5) of this outcome, messages in `lang`; `only`: see report_data."""
        return report_data(self.mapped.triples, self.findings, profile=profile, lang=lang, source=self.source.name,
                           source_detected=self.detected, source_field=self.source_field, only=only)

    def report_json(self, *, profile: Profile, lang: str, only: Collection[Node] | None = None) -> bytes:
        """The same report as JSON bytes (what crosses a process boundary)."""
        return orjson.dumps(self.report(profile=profile, lang=lang, only=only))


def checked_origin(origin: str | None) -> str | None:
    """A portal's address given by the caller: an http(s) URL with a host (no credentials, query or fragment),
    without its trailing slash; anything else is a 400 naming the parameter."""
    if origin is None or not origin.strip():
        return None
    text_ = origin.strip()
    scheme, sep, rest = text_.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https") or not sep or not host or "@" in host or any(
            c in text_ for c in ' <>"{}|\\^`?#') or len(text_) > 500:
        raise InputError(text("detail.origin", origin=text_[:200]), field="origin")
    return text_.rstrip("/")


class Pipeline:
    """parse → map → validate, configured once per process."""

    def __init__(self, *, profile: Profile, settings: Settings, crosswalks: dict[str, LoadedCrosswalk],
                 rdf_sources: dict[str, LoadedRdfSource] | None = None) -> None:
        self.profile = profile
        self.settings = settings
        self.engine: Engine = engine_for(profile, name=settings.engine)
        self.registry = SourceRegistry(crosswalks, rdf_sources)
        self.lookups = Lookups(profile.background.knowledge)
        self.mappers = {name: Mapper(cw, lookups=self.lookups, base_url=settings.base_url)
                        for name, cw in crosswalks.items()}
        self.limits = ParseLimits(max_triples=settings.max_triples, max_literal_chars=settings.max_literal_chars,
                                  max_json_depth=settings.max_json_depth)
        own = settings.base_url.rstrip("/") + "/profile/context.jsonld"
        # the profile's own context, and the published contexts real documents point at (local copies)
        self.own_contexts = {**profile.known_contexts, CONTEXT_IRI: profile.context, own: profile.context}

    @classmethod
    def load(cls, settings: Settings) -> Pipeline:
        """The pipeline of the assets folder the settings name (profile, crosswalks, RDF sources)."""
        from app.crosswalk.loader import load_crosswalks
        from app.crosswalk.rdf_source import load_rdf_sources
        from app.profile.loader import load_profile

        mappings = settings.assets_dir / "mappings"
        return cls(profile=load_profile(settings.assets_dir), settings=settings, crosswalks=load_crosswalks(mappings),
                   rdf_sources=load_rdf_sources(mappings))

    def read(self, body: bytes, *, media_type: str, source: str | None,
             origin: str | None = None) -> tuple[MappedInput, Source, bool]:
        """Parse (and map) a body into the profile's triples."""
        opened = self.open(body, media_type=media_type, source=source, origin=origin)
        if opened.mapped is not None:
            return opened.mapped, opened.source, opened.detected
        mapped = self.map_records(opened, opened.records)
        if not mapped.triples:
            paths = ", ".join(p.text for p in self.mappers[opened.source.name].crosswalk.records)
            raise NoRecordsError(text("detail.no_source_records", source=opened.source.name, paths=paths))
        return mapped, opened.source, opened.detected

    def map_records(self, opened: Opened, records: list[tuple[dict[str, Any], str]], *,
                    report_repeated: bool = True) -> MappedInput:
        """Map some records of an opened JSON document (all of them, or one worker's share)."""
        return map_records(records, mapper=self.mappers[opened.source.name],
                           repeated_keys=opened.repeated if report_repeated else None, origin=opened.origin)

    def open(self, body: bytes, *, media_type: str, source: str | None, origin: str | None = None) -> Opened:
        """Parse a body and choose its source: RDF comes out as triples, JSON as its records (not mapped yet).

        `origin`: the address of the portal the records come from, for the links on it that Puente writes (a
        Socrata view's exports); checked here (an http(s) URL), never Puente's own address by default."""
        origin = checked_origin(origin)
        is_json = media_type in JSON_MEDIA_TYPES or media_type == "application/ld+json"
        if media_type not in RDF_MEDIA_TYPES and not is_json:
            raise unsupported(self.registry.get(source), media_type) if source else unsupported_any(media_type)
        document: Any = None
        repeated: list[str] = []  # keys a plain JSON record repeats (reported, last value used)
        if source:
            chosen, detected = self.registry.get(source), False
        elif media_type in JSON_MEDIA_TYPES:
            document = self._json(body, repeated=repeated)
            chosen, detected = self.registry.detect(document), True
            if chosen.is_rdf and repeated:
                document = self._json(body)  # JSON-LD: a repeated key is refused (two readers could disagree)
        elif media_type == "application/ld+json":
            document = self._json(body)  # JSON-LD: a repeated key is refused (two readers could disagree)
            chosen, detected = self.registry.detect_jsonld(document), True
        else:
            chosen, detected = self.registry.get("dcat"), True
        if chosen.is_rdf:
            syntax = rdf_syntax_for(chosen, media_type=media_type)
            data = body if document is None else json.dumps(document).encode("utf-8")
            unreadable: list[Finding] = []  # values left out because their IRI cannot be read (reported)
            triples = parse_rdf_triples(data, syntax=syntax, limits=self.limits, own_contexts=self.own_contexts,
                                        own_context_iri=CONTEXT_IRI, problems=unreadable)
            rdf_type = str(RDF.type)
            records = {s: o for s, p, o in triples if is_iri(p, rdf_type) and o in _RECORD_CLASSES}
            if not records:
                raise NoRecordsError(text("detail.no_records"))
            self._check_count(sum(1 for o in records.values() if o == DCAT.Dataset))
            if detected:  # a national RDF source (Spain's) when the document uses its portal's IRIs
                chosen = self.registry.detect_rdf(triples) or chosen
            if chosen.rdf_steps is None:
                mapped = MappedInput(triples=triples, problems=unreadable)
                return Opened(source=chosen, detected=detected, mapped=mapped)
            index = TripleIndex(triples)
            problems = normalise_rdf(index, steps=chosen.rdf_steps, lookups=self.lookups)
            return Opened(source=chosen, detected=detected,
                          mapped=MappedInput(triples=list(index.triples()), problems=unreadable + problems))
        if not is_json:
            raise unsupported(chosen, media_type)
        if document is None:
            document = self._json(body, repeated=repeated)
        found = self.mappers[chosen.name].records(document)
        self._check_count(len(found))
        return Opened(source=chosen, detected=detected, records=found, repeated=repeated, origin=origin)

    def _check_count(self, records: int) -> None:
        if records > self.settings.max_records:
            raise PayloadTooLargeError(text("detail.too_many_records", count=records, limit=self.settings.max_records))

    def _json(self, body: bytes, *, repeated: list[str] | None = None) -> Any:
        if not body.strip():
            raise InputError(text("detail.empty_body"))
        document = strict_json_loads(body, max_depth=self.limits.max_json_depth, repeated=repeated,
                                     max_items=self.limits.max_triples, max_string=self.limits.max_literal_chars)
        if not isinstance(document, (dict, list)):
            raise ParseError(text("detail.json_not_object"))
        return document

    def validate(self, body: bytes, *, media_type: str, source: str | None, origin: str | None = None,
                 max_findings: int | None = None) -> Outcome:
        """Read a body and validate it against the profile (`max_findings`: see check)."""
        marker = self.settings.test_slow_marker
        if marker and marker.encode("utf-8") in body:
            time.sleep(10 * self.settings.validation_timeout_s)  # the slow step time-limit tests install
        mapped, chosen, detected = self.read(body, media_type=media_type, source=source, origin=origin)
        return self.check(mapped, source=chosen, detected=detected, max_findings=max_findings)

    def check(self, mapped: MappedInput, *, source: Source, detected: bool,
              only: Container[Node] | None = None, max_findings: int | None = None) -> Outcome:
        """Validate what was read: the engine's findings and the mapping's problems (`only`: on these nodes alone,
        the others being there to be pointed at; `max_findings`: FindingLimitReached past that many)."""
        problems = mapped.problems if only is None else [p for p in mapped.problems if p.focus in only]
        limit = None if max_findings is None else max(0, max_findings - len(problems))
        findings = deduplicate(mapped.tidy(self.engine.validate_triples(mapped.triples, only=only, limit=limit)
                                           + problems))
        return Outcome(mapped=mapped, findings=findings, source=source, detected=detected)

"""The pipeline put together: what the API and the command line call."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import RDF

from app.errors import NoRecordsError
from app.i18n import text
from app.namespaces import CONTEXT_IRI, DCAT
from app.pipeline.parsing import ParseLimits, parse_rdf
from app.pipeline.sources import Source, rdf_syntax_for, resolve_source
from app.pipeline.validation import Finding, PyshaclEngine
from app.profile.model import Profile
from app.settings import Settings


@dataclass(frozen=True)
class Outcome:
    """A parsed (and, for national sources, mapped) input with its findings."""

    graph: Graph
    findings: list[Finding]
    source: Source
    detected: bool


class Pipeline:
    """parse → map → validate, configured once per process."""

    def __init__(self, *, profile: Profile, settings: Settings) -> None:
        self.profile = profile
        self.settings = settings
        self.engine = PyshaclEngine(profile)
        self.limits = ParseLimits(max_triples=settings.max_triples, max_literal_chars=settings.max_literal_chars,
                                  max_json_depth=settings.max_json_depth)
        own = settings.base_url.rstrip("/") + "/profile/context.jsonld"
        self.own_contexts = {CONTEXT_IRI: profile.context, own: profile.context}

    def read(self, body: bytes, *, media_type: str, source: str | None) -> tuple[Graph, Source, bool]:
        """Parse (and map) a body into a profile graph."""
        chosen, detected = resolve_source(source, media_type=media_type)
        syntax = rdf_syntax_for(chosen, media_type=media_type)
        graph = parse_rdf(body, syntax=syntax, limits=self.limits, own_contexts=self.own_contexts,
                          own_context_iri=CONTEXT_IRI)
        if not any((None, RDF.type, cls) in graph for cls in (DCAT.Dataset, DCAT.Catalog, DCAT.DataService)):
            raise NoRecordsError(text("detail.no_records"))
        return graph, chosen, detected

    def validate(self, body: bytes, *, media_type: str, source: str | None) -> Outcome:
        """Read a body and validate it against the profile."""
        graph, chosen, detected = self.read(body, media_type=media_type, source=source)
        return Outcome(graph=graph, findings=self.engine.validate(graph), source=chosen, detected=detected)

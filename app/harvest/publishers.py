"""Publisher names: a publisher given only by IRI (datos.gob.es DIR3 bodies such as
http://datos.gob.es/recurso/sector-publico/org/Organismo/L01462508 carry no name inside the record) is
dereferenced once per run (RDF by content negotiation, parsed with Puente's safe parsers), and its name
(skos:prefLabel, foaf:name, rdfs:label, vcard:fn) is added to the record as foaf:name, so the harmonised
record names its publisher as DCAT-AP 3.0.1 requires."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urldefrag

from rdflib import Literal, URIRef

from app.errors import PuenteError
from app.harvest.model import HarvestItem, RunError
from app.harvest.rdf import FOAF_NAME, NAME_PROPERTIES, RDF_ACCEPT, nt_term, parse_page
from app.harvest.readers.base import Context
from app.i18n import compose, text
from app.net.client import shown_url

MAX_LOOKUPS = 5000            # distinct publishers dereferenced in one run
MAX_DESCRIPTION = 2_000_000   # bytes: an agent's description is small
_PREFERRED = ("es", "", "en")  # name language preference; then any


@dataclass(frozen=True)
class Name:
    text: str
    lang: str | None


def _variants(iri: str) -> set[str]:
    """The IRI, without fragment, with http and https (datos.gob.es redirects one to the other)."""
    bare = urldefrag(iri)[0]
    found = {iri, bare}
    for a, b in (("http://", "https://"), ("https://", "http://")):
        if bare.startswith(a):
            found.add(b + bare[len(a):])
    return found


class PublisherNames:
    """Look-ups of one run: each IRI fetched at most once; failures reported once, the record kept as it is."""

    def __init__(self, context: Context, *, limit: int = MAX_LOOKUPS) -> None:
        self.context = context
        self.limit = limit
        self.cache: dict[str, Name | None] = {}

    def name(self, iri: str) -> tuple[Name | None, RunError | None]:
        if iri in self.cache:
            return self.cache[iri], None
        if len(self.cache) >= self.limit:
            self.cache[iri] = None
            return None, RunError("publisher", text("detail.publisher_too_many", url=shown_url(iri),
                                                   limit=self.limit), iri)
        url = urldefrag(iri)[0]
        try:
            fetched = self.context.get(url, accept=RDF_ACCEPT, max_bytes=MAX_DESCRIPTION)
            triples = parse_page(fetched.body, media_type=fetched.media_type, url=fetched.url,
                                 limits=self.context.limits)
        except PuenteError as error:
            self.cache[iri] = None
            return None, RunError("publisher", compose("detail.publisher_lookup", localized={"message": error.detail},
                                                      url=shown_url(iri)), iri)
        subjects = _variants(iri) | _variants(fetched.url)
        labels: list[Literal] = []
        for prop in NAME_PROPERTIES:
            labels = [o for s, p, o in triples
                      if isinstance(s, URIRef) and str(s) in subjects and str(p) == prop and isinstance(o, Literal)
                      and str(o).strip()]
            if labels:
                break
        if not labels:
            self.cache[iri] = None
            return None, RunError("publisher", text("detail.publisher_unnamed", url=shown_url(iri)), iri)
        for lang in _PREFERRED:
            chosen = [label for label in labels if (label.language or "") == lang]
            if chosen:
                break
        else:
            chosen = labels
        best = sorted(chosen, key=str)[0]
        found = Name(str(best).strip(), best.language)
        self.cache[iri] = found
        return found, None

    def complete(self, item: HarvestItem) -> tuple[HarvestItem, list[RunError]]:
        """The item with foaf:name triples for its unnamed publishers, and the problems met."""
        if not item.publisher_iris:
            return item, []
        lines: list[str] = []
        names: dict[str, str] = dict(item.publishers)
        problems: list[RunError] = []
        for iri in item.publisher_iris:
            found, problem = self.name(iri)
            if problem is not None:
                problems.append(problem)
            if found is None:
                continue
            names[iri] = found.text
            literal = Literal(found.text, lang=found.lang) if found.lang else Literal(found.text)
            lines.append(f"{nt_term(URIRef(iri))} <{FOAF_NAME}> {nt_term(literal)} .\n")
        if not lines:
            return item, problems
        return replace(item, body=item.body + "".join(lines).encode("utf-8"), publishers=names), problems

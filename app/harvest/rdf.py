"""RDF pages of a DCAT endpoint: the datasets a page holds, each one's own triples as N-Triples, a content hash
that does not depend on blank-node labels, and the Hydra link to the next page (old and new vocabulary)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from urllib.parse import urldefrag, urljoin

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from app.errors import HarvestError, InputError, PayloadTooLargeError
from app.i18n import compose, text
from app.net.client import shown_url
from app.pipeline.parsing import RDF_MEDIA_TYPES, ParseLimits, RdfSyntax, parse_rdf_triples
from app.pipeline.sniff import guess_media_type
from app.rdf.namespaces import CONTEXT_IRI
from app.rdf.terms import Triple

HYDRA = "http://www.w3.org/ns/hydra/core#"
NEXT_PROPERTIES = frozenset({HYDRA + "next", HYDRA + "nextPage"})  # PartialCollectionView; PagedCollection (old)
PAGING_CLASSES = frozenset({HYDRA + c for c in ("PagedCollection", "PartialCollectionView", "Collection")})
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCAT = "http://www.w3.org/ns/dcat#"
DATASET, CATALOG = DCAT + "Dataset", DCAT + "Catalog"
PUBLISHER = "http://purl.org/dc/terms/publisher"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
MODIFIED = "http://purl.org/dc/terms/modified"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
NAME_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel", FOAF_NAME,
                   "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2006/vcard/ns#fn",
                   "http://www.w3.org/2006/vcard/ns#organization-name")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)


def parse_page(body: bytes, *, media_type: str, url: str, limits: ParseLimits) -> list[Triple]:
    """A page's triples, parsed with Puente's safe parsers (caps, no remote contexts, no DTDs); relative IRIs
    resolve against the page's own URL. An unreadable page is a HarvestError naming its URL."""
    syntax = RDF_MEDIA_TYPES.get(media_type)
    if syntax is None:
        guessed = guess_media_type(body[:500].decode("utf-8", errors="replace"), None)
        syntax = RDF_MEDIA_TYPES.get(guessed, RdfSyntax.JSONLD if guessed == "application/json" else None)
    if syntax is None:
        raise HarvestError(text("detail.harvest_not_rdf", url=shown_url(url), media_type=media_type or "?"), url=url)
    try:
        return parse_rdf_triples(body, syntax=syntax, limits=limits, own_contexts={}, own_context_iri=CONTEXT_IRI,
                                 base_iri=urldefrag(url)[0])
    except (InputError, PayloadTooLargeError) as error:
        raise HarvestError(compose("detail.harvest_unreadable", localized={"message": error.detail},
                                   url=shown_url(url)), url=url) from error


class PageGraph:
    """A parsed page indexed by subject, to cut it into one record per dataset."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self.types: dict[Node, set[str]] = defaultdict(set)
        for s, p, o in triples:
            self.by_subject[s].append((p, o))
            if str(p) == RDF_TYPE:
                self.types[s].add(str(o))

    def datasets(self) -> list[Node]:
        return [s for s, kinds in self.types.items() if DATASET in kinds]

    def record(self, dataset: Node) -> list[Triple]:
        """The dataset's triples and those of every node it reaches (distributions, agents, periods...), but not
        other datasets, catalogues or paging nodes."""
        stop = {s for s, kinds in self.types.items() if kinds & ({DATASET, CATALOG} | PAGING_CLASSES)} - {dataset}
        found: list[Triple] = []
        seen = {dataset}
        stack = [dataset]
        while stack:
            subject = stack.pop()
            for predicate, obj in self.by_subject.get(subject, ()):
                found.append((subject, predicate, obj))
                if obj not in seen and obj not in stop and obj in self.by_subject:
                    seen.add(obj)
                    stack.append(obj)
        return found

    def values(self, subject: Node, predicate: str) -> list[Node]:
        return [o for p, o in self.by_subject.get(subject, ()) if str(p) == predicate]

    def next_page(self, *, url: str, link_header: str | None) -> str | None:
        """The next page: hydra:next (PartialCollectionView) or hydra:nextPage (the old PagedCollection, where
        ckanext-dcat writes it as a literal), else an RFC 8288 `Link: <...>; rel="next"`; resolved against
        the page's URL. Two different next pages are an error (the harvest cannot know which to follow)."""
        found = {str(o).strip() for pairs in self.by_subject.values() for p, o in pairs
                 if str(p) in NEXT_PROPERTIES and isinstance(o, URIRef | Literal) and str(o).strip()}
        if not found and link_header:
            found = {m.group(1).strip() for m in _LINK_NEXT.finditer(link_header)}
        targets = {urldefrag(urljoin(url, f))[0] for f in found}
        if len(targets) > 1:
            raise HarvestError(text("detail.harvest_two_next", url=shown_url(url),
                                    targets=", ".join(sorted(shown_url(t) for t in targets))), url=url)
        return next(iter(targets), None)


def named(triples: Iterable[Triple], subject: Node) -> bool:
    """True when the record gives `subject` a name (skos:prefLabel, foaf:name, rdfs:label, vcard:fn...)."""
    return any(s == subject and str(p) in NAME_PROPERTIES and isinstance(o, Literal) for s, p, o in triples)


def nt_term(term: Node) -> str:
    """One term in N-Triples."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        value = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
        if term.language:
            return f'"{value}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f'"{value}"^^<{term.datatype}>'
        return f'"{value}"'
    raise TypeError(f"not an RDF term: {term!r}")


def ntriples(triples: Iterable[Triple]) -> bytes:
    return "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples).encode("utf-8")


def graph_hash(triples: Iterable[Triple]) -> str:
    """SHA-256 of a graph that does not depend on blank-node labels (which change at every parse): each blank
    node is named by a digest of what surrounds it, refined three times (Weisfeiler-Lehman), then the sorted
    N-Triples lines are hashed. Linear time, unlike full canonicalisation; two graphs with the same hash are
    the same record for a harvest's purpose."""
    triples = list(triples)
    blanks = {t for s, _, o in triples for t in (s, o) if isinstance(t, BNode)}
    labels: dict[Node, str] = dict.fromkeys(blanks, "")
    if blanks:
        around: Mapping[Node, list[tuple[str, Node, bool]]] = _neighbours(triples)
        for _ in range(3):
            labels = {b: hashlib.sha256("\n".join(sorted(
                f"{'>' if out else '<'}{p} {labels[n] if n in labels else nt_term(n)}"
                for p, n, out in around.get(b, ()))).encode("utf-8")).hexdigest()[:32] for b in blanks}

    def show(term: Node) -> str:
        return f"_:{labels[term]}" if term in labels else nt_term(term)

    lines = sorted(f"{show(s)} {nt_term(p)} {show(o)}" for s, p, o in triples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _neighbours(triples: list[Triple]) -> dict[Node, list[tuple[str, Node, bool]]]:
    around: dict[Node, list[tuple[str, Node, bool]]] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(s, BNode):
            around[s].append((str(p), o, True))
        if isinstance(o, BNode):
            around[o].append((str(p), s, False))
    return around

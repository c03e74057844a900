"""Lookups from free text to vocabulary IRIs, built once from the vocabularies and alignments.

Every label a concept has (prefLabel, altLabel, hiddenLabel, notation, and for licences the URLs of
skos:exactMatch) is indexed case-, accent- and punctuation-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from app.crosswalk.matching import closest, normalise
from app.rdf.namespaces import PUENTE

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"


def url_key(text: str) -> str:
    """A URL reduced to what identifies it: no scheme, www, trailing slash, legalcode or deed suffix."""
    value = text.strip().lower()
    value = re.sub(r"^https?://", "", value)
    value = re.sub(r"^www\.", "", value)
    value = re.sub(r"/(legalcode|deed\.[a-z_-]+)(\.[a-z]+)?$", "", value)
    return value.rstrip("/")


@dataclass
class Index:
    """Labels of one vocabulary (or several) → concept IRI."""

    name: str
    by_label: dict[str, URIRef] = field(default_factory=dict)
    shown: dict[URIRef, str] = field(default_factory=dict)
    ambiguous: dict[str, list[URIRef]] = field(default_factory=dict)
    _by_name: dict[str, list[URIRef]] | None = None
    _suggested: dict[str, list[str]] = field(default_factory=dict)  # "did you mean" is slow (difflib) and repeats

    def add(self, label: str, concept: URIRef, *, show: bool = False) -> None:
        key = normalise(label)
        if key:
            first = self.by_label.setdefault(key, concept)
            if first != concept:
                self.ambiguous.setdefault(key, [first])
                if concept not in self.ambiguous[key]:
                    self.ambiguous[key].append(concept)
        if show or concept not in self.shown:
            self.shown[concept] = label
        self._suggested.clear()

    def find(self, text: str) -> URIRef | None:
        return self.by_label.get(normalise(text))

    def named(self, text: str) -> list[URIRef]:
        """Every concept whose shown (preferred) name is `text` (a name several units share)."""
        if self._by_name is None:
            self._by_name = {}
            for concept, shown in self.shown.items():
                self._by_name.setdefault(normalise(shown), []).append(concept)
        return self._by_name.get(normalise(text), [])

    def mentioned(self, text: str, *, skip: frozenset[str] = frozenset()) -> list[URIRef]:
        """The concepts whose label appears, as whole words, in a sentence ("Data is updated weekly" → WEEKLY).
        Labels shorter than four characters and those in `skip` are not looked for."""
        words = f" {normalise(text)} "
        found: list[URIRef] = []
        for label, concept in self.by_label.items():
            if len(label) >= 4 and label not in skip and label not in self.ambiguous and f" {label} " in words \
                    and concept not in found:
                found.append(concept)
        return found

    def others(self, text: str) -> list[URIRef]:
        """Other concepts sharing the label `text` finds (an ambiguous name)."""
        return self.ambiguous.get(normalise(text), [])[1:]

    def suggestions(self, text: str) -> list[str]:
        found = self._suggested.get(text)
        if found is None:
            if len(self._suggested) >= 10_000:
                self._suggested.clear()
            found = self._suggested[text] = closest(text, self.shown.values())
        return list(found)


class Lookups:
    """All indexes the named transforms use."""

    def __init__(self, knowledge: Graph) -> None:
        self.graph = knowledge
        self._indexes: dict[str, Index] = {}
        self._matches: dict[tuple[Node, tuple[str, ...]], list[URIRef]] = {}
        self._broader: dict[Node, Node | None] = {}
        self._tags: dict[Node, str | None] = {}
        self.scheme_of: dict[Node, Node] = dict(knowledge.subject_objects(SKOS.inScheme))
        self.exact_urls: dict[str, URIRef] = {}
        pairs = sorted(knowledge.subject_objects(SKOS.exactMatch), key=lambda pair: (len(str(pair[0])), str(pair)))
        for concept, match in pairs:
            if isinstance(concept, URIRef) and str(match).startswith("http") and "authority/licence" in str(concept):
                self.exact_urls.setdefault(url_key(str(match)), concept)

    def warm(self) -> None:
        """Build every scheme's index now: before forking workers, so that they share it instead of each
        building its own (about a second) on first use."""
        for scheme in sorted({str(s) for s in self.graph.objects(None, SKOS.inScheme)}):
            self.index(scheme)

    def index(self, scheme: str) -> Index:
        """The label index of the concepts of `scheme` (built on first use)."""
        if scheme not in self._indexes:
            index = Index(scheme)
            scheme_iri = URIRef(scheme)
            # sorted, so that a label two concepts share always resolves the same way (shorter codes first)
            concepts = sorted((c for c in self.graph.subjects(SKOS.inScheme, scheme_iri) if isinstance(c, URIRef)),
                              key=lambda c: (len(str(c)), str(c)))
            # Earlier passes win a shared label: codes and preferred names before synonyms and extensions
            # (".json" is an extension of GeoJSON too, "JSON" is JSON's code).
            passes = ((SKOS.notation, SKOS.prefLabel), (SKOS.altLabel, SKOS.hiddenLabel), (PUENTE.fileExtension,))
            for predicates in passes:
                for concept in concepts:
                    for predicate in predicates:
                        for label in self.graph.objects(concept, predicate):
                            if isinstance(label, Literal):
                                index.add(str(label).lstrip(".") if predicate == PUENTE.fileExtension else str(label),
                                          concept)
            for concept in concepts:
                pref = [lbl for lbl in self.graph.objects(concept, SKOS.prefLabel) if isinstance(lbl, Literal)]
                preferred = next((str(lbl) for lbl in pref if lbl.language == "es"), None)
                index.shown[concept] = (preferred or str(pref[0])) if pref else str(concept)
            self._indexes[scheme] = index
        return self._indexes[scheme]

    def matches(self, concept: Node, *, schemes: tuple[str, ...] = (f"{EU}data-theme",)) -> list[URIRef]:
        """EU concepts a national concept is aligned to (exactMatch first, then closeMatch)."""
        key = (concept, schemes)
        if key not in self._matches:
            self._matches[key] = self._find_matches(concept, schemes)
        return self._matches[key]

    def _find_matches(self, concept: Node, schemes: tuple[str, ...]) -> list[URIRef]:
        found: list[URIRef] = []
        for predicate in (SKOS.exactMatch, SKOS.closeMatch):
            for target in self.graph.objects(concept, predicate):
                if isinstance(target, URIRef) and any(str(target).startswith(s) for s in schemes):
                    found.append(target)
        return list(dict.fromkeys(found))

    def language_tag(self, concept: Node) -> str | None:
        """The two-letter tag (BCP 47) of an EU language: its ISO 639-1 code among the spellings the alignments
        give (SPA → es, GLG → gl), None when it has none or several."""
        if concept not in self._tags:
            codes = sorted({str(label) for label in self.graph.objects(concept, SKOS.hiddenLabel)
                            if isinstance(label, Literal) and re.fullmatch(r"[a-z]{2}", str(label))})
            notation = str(self.graph.value(concept, SKOS.notation) or "")[:2].lower()
            preferred = [code for code in codes if code == notation]
            self._tags[concept] = preferred[0] if preferred else codes[0] if len(codes) == 1 else None
        return self._tags[concept]

    def media_type_of(self, file_type: Node) -> URIRef | None:
        value = self.graph.value(file_type, PUENTE.mediaType)
        return value if isinstance(value, URIRef) else None

    def file_type_for_media(self, media: str) -> URIRef | None:
        target = URIRef(IANA + media.strip().lower())
        candidates = [c for c in self.graph.subjects(PUENTE.mediaType, target)
                      if isinstance(c, URIRef) and str(c).startswith(f"{EU}file-type/")]
        if not candidates:
            return None
        # Several file types share a media type (XML, EFORMS_XML...): the one named like the subtype, else the shortest.
        subtype = media.strip().lower().rsplit("/", 1)[-1].upper()
        return sorted(candidates, key=lambda c: (str(c).rsplit("/", 1)[-1] != subtype, len(str(c)), str(c)))[0]

    def is_media_type(self, media: str) -> bool:
        return (URIRef(IANA + media.strip()), SKOS.inScheme, None) in self.graph

    def label(self, concept: Node, lang: str = "es") -> str | None:
        labels = [lbl for lbl in self.graph.objects(concept, SKOS.prefLabel) if isinstance(lbl, Literal)]
        for wanted in (lang, "es", "en", None):
            for label in labels:
                if label.language == wanted:
                    return str(label)
        return None

    def broader(self, concept: Node) -> Node | None:
        if concept not in self._broader:
            self._broader[concept] = self.graph.value(concept, SKOS.broader)
        return self._broader[concept]

"""What Puente knows about vocabulary IRIs, added to every record it serves (what `for_publication` adds).

A stored record keeps its own triples; the types and labels of the EU and national vocabulary IRIs it uses are
the same for every record, so they are not stored 100,000 times: a record keeps the *keys* of that knowledge
(`<iri>` for what the vocabularies say of an IRI, `<iri> <class>` for a range type a property gives it), and
reading it back adds the lines. `split` and `lines` together give what `for_publication` gives (tests compare).
Everything here is N-Triples terms (strings), as `prepare` and the store handle them.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from app.catalogue import ntriples
from app.profile.model import Profile

StrTriple = tuple[str, str, str]
RDF_TYPE = ntriples.iri(str(RDF.type))


class Knowledge:
    """The profile's background as N-Triples lines, per key; built once per process."""

    def __init__(self, profile: Profile) -> None:
        self._background = profile.background.by_iri
        self.vocabulary: frozenset[str] = frozenset(ntriples.iri(str(node)) for node in self._background
                                                    if isinstance(node, URIRef))
        self.ranges: dict[str, str] = {ntriples.iri(str(p)): ntriples.iri(str(c))
                                       for p, c in profile.background.ranges.items()}
        self._lines: dict[str, tuple[str, ...]] = {}
        self._turtle: dict[str, bytes] = {}

    def split(self, triples: Iterable[StrTriple]) -> tuple[list[StrTriple], list[str]]:
        """A record's own triples with their range types, and the keys of what the vocabularies add.

        Triples about vocabulary IRIs are left out of the record: Puente's knowledge of them replaces them."""
        own: list[StrTriple] = []
        keys: set[str] = set()
        typed: set[tuple[str, str]] = set()
        vocabulary, ranges = self.vocabulary, self.ranges
        for triple in triples:
            subject, predicate, obj = triple
            if subject in vocabulary:
                continue
            own.append(triple)
            if obj[0] == '"':
                continue
            known = obj in vocabulary
            if known:
                keys.add(obj)
            cls = ranges.get(predicate)
            if cls is None:
                continue
            if known:
                keys.add(f"{obj} {cls}")
            elif (obj, cls) not in typed:
                typed.add((obj, cls))
                own.append((obj, RDF_TYPE, cls))  # an RDFS entailment, stated so consumers need no ontology
        return own, sorted(keys)

    def lines(self, keys: Iterable[str]) -> list[str]:
        """The N-Triples lines of these keys (each without its newline)."""
        out: list[str] = []
        for key in keys:
            found = self._lines.get(key)
            if found is None:
                found = self._lines[key] = self._make(key)
            out.extend(found)
        return out

    def turtle(self, keys: Iterable[str]) -> bytes:
        """The same lines as Turtle chunks (see ntriples.turtle_chunk), one per key, written once each."""
        out: list[bytes] = []
        for key in keys:
            found = self._turtle.get(key)
            if found is None:
                found = self._turtle[key] = ntriples.turtle_chunk(self.lines([key])) if self.lines([key]) else b""
            out.append(found)
        return b"".join(out)

    def _make(self, key: str) -> tuple[str, ...]:
        subject, _, cls = key.partition(" ")
        if cls:
            return (f"{subject} {RDF_TYPE} {cls} .",)
        if subject not in self.vocabulary:
            return ()
        node = URIRef(subject[1:-1])
        return tuple(f"{ntriples.term(s)} {ntriples.term(p)} {ntriples.term(o)} ."
                     for s, p, o in self._background.get(node, ()) if p != RDFS.subClassOf)

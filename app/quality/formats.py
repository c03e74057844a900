"""What the indicators look values up in: which formats, media types, licences and access rights come from a
vocabulary, and which formats the EU file-type table flags non-proprietary or machine-readable."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from app.profile.model import Profile
from app.rdf.namespaces import PUENTE

IANA_HTTPS = "https://www.iana.org/assignments/media-types/"
IANA_HTTP = "http://www.iana.org/assignments/media-types/"
# The vocabularies a licence may come from to count as known (EU table, SPDX, the national ones Puente describes).
LICENCE_VOCABULARIES = ("licence", "spdx-licences", "national-licences")


def _members(graph: Graph) -> frozenset[Node]:
    return frozenset(graph.subjects(SKOS.inScheme, None))


def _flagged(graph: Graph, flag: URIRef) -> frozenset[Node]:
    return frozenset(s for s, o in graph.subject_objects(flag) if isinstance(o, Literal) and o.toPython() is True)


@dataclass(frozen=True)
class QualityTables:
    """The vocabulary look-ups of the MQA indicators, built once per profile."""

    file_types: frozenset[Node]
    media_types: frozenset[Node]
    licences: frozenset[Node]
    access_rights: frozenset[Node]
    non_proprietary: frozenset[Node]          # file types
    machine_readable: frozenset[Node]         # file types
    file_types_of_media: dict[Node, frozenset[Node]]   # IANA media type → the file types the table gives it

    @classmethod
    def from_profile(cls, profile: Profile) -> QualityTables:
        vocabularies = profile.vocabularies
        file_type = vocabularies["file-type"].graph
        media = set(_members(vocabularies["media-type"].graph))
        media |= {URIRef(IANA_HTTP + str(m)[len(IANA_HTTPS):]) for m in media if str(m).startswith(IANA_HTTPS)}
        by_media: dict[Node, set[Node]] = {}
        for file_kind, media_type in file_type.subject_objects(PUENTE.mediaType):
            for spelling in (str(media_type), IANA_HTTP + str(media_type)[len(IANA_HTTPS):]):
                by_media.setdefault(URIRef(spelling), set()).add(file_kind)
        licences: set[Node] = set()
        for name in LICENCE_VOCABULARIES:
            if name in vocabularies:
                licences |= _members(vocabularies[name].graph)
        return cls(file_types=_members(file_type), media_types=frozenset(media), licences=frozenset(licences),
                   access_rights=_members(vocabularies["access-right"].graph),
                   non_proprietary=_flagged(file_type, PUENTE.nonProprietary),
                   machine_readable=_flagged(file_type, PUENTE.machineReadable),
                   file_types_of_media={k: frozenset(v) for k, v in by_media.items()})

    def kinds(self, formats: list[Node], media_types: list[Node]) -> set[Node]:
        """The EU file types a distribution's formats and media types stand for."""
        found = {f for f in formats if f in self.file_types}
        for media in media_types:
            found |= self.file_types_of_media.get(media, frozenset())
        return found


_TABLES: dict[int, tuple[weakref.ref[Profile], QualityTables]] = {}


def tables_for(profile: Profile) -> QualityTables:
    """The tables of a loaded profile, built on first use and kept while the profile lives."""
    key = id(profile)
    known = _TABLES.get(key)
    if known is None or known[0]() is not profile:  # a new profile may reuse a collected one's id
        known = (weakref.ref(profile), QualityTables.from_profile(profile))
        _TABLES[key] = known
    return known[1]

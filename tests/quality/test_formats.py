"""The file-type table's flags (non-proprietary, machine-readable) are the Publications Office's own."""

from __future__ import annotations

import re

from rdflib import URIRef

from app.profile.model import Profile
from app.quality.formats import QualityTables, tables_for
from app.settings import REPO_ROOT

FT = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"


def upstream_flags(source: str) -> set[str]:
    """Codes the upstream OP table (vocabularies/upstream, byte-identical copy) flags true for `source`."""
    text = (REPO_ROOT / "vocabularies" / "upstream" / "eu" / "file-type" / "filetypes-skos.rdf").read_text("utf-8")
    found = set()
    for match in re.finditer(r'<skos:Concept rdf:about="' + re.escape(FT) + r'([^"]+)"[^>]*>(.*?)</skos:Concept>',
                             text, re.S):
        if f"<dc:source>{source}</dc:source><at:legacy-code>true</at:legacy-code>" in match.group(2):
            found.add(match.group(1))
    return found


def codes(nodes: frozenset[object]) -> set[str]:
    return {str(n)[len(FT):] for n in nodes}


def test_flags_are_the_upstream_tables(profile: Profile) -> None:
    tables = QualityTables.from_profile(profile)
    assert codes(tables.non_proprietary) == upstream_flags("is-nonPropExt")
    assert codes(tables.machine_readable) == upstream_flags("is-machine-readable")
    assert len(tables.non_proprietary) == 31 and len(tables.machine_readable) == 23
    assert {"CSV", "JSON", "XML", "RDF_TURTLE", "GEOJSON", "ODS"} <= codes(tables.non_proprietary)
    assert "XLSX" not in codes(tables.non_proprietary) and "XLSX" in codes(tables.machine_readable)
    assert "PDF" not in codes(tables.machine_readable) | codes(tables.non_proprietary)


def test_media_types_lead_to_their_file_types(profile: Profile) -> None:
    tables = tables_for(profile)
    assert tables is tables_for(profile)  # built once per profile
    for spelling in (IANA + "text/csv", "http://www.iana.org/assignments/media-types/text/csv"):
        assert URIRef(FT + "CSV") in tables.kinds([], [URIRef(spelling)])
        assert URIRef(spelling) in tables.media_types
    assert tables.kinds([URIRef("https://formats.example/x")], [URIRef("https://types.example/y")]) == set()


def test_known_licences_include_the_national_and_spdx_ones(profile: Profile) -> None:
    tables = tables_for(profile)
    assert URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0") in tables.licences
    assert URIRef("http://spdx.org/licenses/MIT") in tables.licences
    national = set(profile.vocabularies["national-licences"].graph.subjects(None, None)) & tables.licences
    assert national

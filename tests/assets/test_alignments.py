"""Alignment files are data: every concept they name exists, and every national concept points at EU themes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from app.profile.model import Profile
from app.settings import REPO_ROOT

EU_THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
ALIGNMENTS = sorted((REPO_ROOT / "vocabularies" / "alignments").glob("*.ttl"))


@pytest.mark.parametrize("path", ALIGNMENTS, ids=lambda p: p.name)
def test_aligned_concepts_exist(path: Path, profile: Profile) -> None:
    graph = Graph()
    graph.parse(path, format="turtle")
    known = set(profile.background.by_iri)
    assert len(graph) > 0
    for subject in set(graph.subjects()):
        assert subject in known, f"{path.name}: {subject} is in no vocabulary"
    for target in graph.objects(None, SKOS.closeMatch):
        assert target in known, f"{path.name}: {target} is in no vocabulary"


@pytest.mark.parametrize("name", ["co-categories", "co-sectors", "cl-groups", "mx-sectors", "es-sectors"])
def test_national_themes_align_to_eu_themes(profile: Profile, name: str) -> None:
    vocab = profile.vocabularies[name]
    eu = set(profile.vocabularies["data-theme"].graph.subjects(SKOS.inScheme, None))
    concepts = set(vocab.graph.subjects(SKOS.inScheme, None))
    aligned = 0
    for concept in concepts:
        targets = set(vocab.graph.objects(concept, SKOS.exactMatch))
        targets |= set(vocab.graph.objects(concept, SKOS.closeMatch))
        assert targets <= eu, (concept, targets - eu)
        aligned += bool(targets)
    assert aligned >= len(concepts) - 1  # "No Aplica" / "Otros" stay unaligned on purpose


def test_spanish_sectors_follow_the_official_table(profile: Profile) -> None:
    graph = profile.vocabularies["es-sectors"].graph
    assert len(set(graph.subjects(SKOS.inScheme, None))) == 22
    table = REPO_ROOT / "vocabularies" / "national" / "es-sectors.ttl"
    assert table.exists()
    source = REPO_ROOT / "vocabularies" / "upstream" / "es" / "sector_to_data-theme.csv"
    with source.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for row in rows:
        assert (URIRef(row["sector_uri"]), SKOS.exactMatch, URIRef(row["data_theme_uri"])) in graph


@pytest.mark.parametrize("name,count", [("admin-co", 33 + 1122), ("admin-cl", 16 + 56 + 346), ("admin-mx", 32 + 2475),
                                        ("admin-es", 19 + 52)])
def test_administrative_units(profile: Profile, name: str, count: int) -> None:
    vocab = profile.vocabularies[name]
    assert vocab.concept_count == count
    for concept in list(vocab.graph.subjects(SKOS.inScheme, None))[:200]:
        assert vocab.graph.value(concept, SKOS.broader) is not None
        assert vocab.graph.value(concept, SKOS.notation) is not None

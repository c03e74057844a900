"""Every vocabulary file is tested: one scheme, every concept in it, typed and labelled."""

from __future__ import annotations

import filecmp
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from app.profile.context import build_context
from app.profile.model import Profile
from app.rdf.namespaces import DCT
from app.settings import REPO_ROOT

EU = "http://publications.europa.eu/resource/authority/"
EXPECTED_CLASSES = {
    "data-theme": SKOS.Concept, "frequency": DCT.Frequency, "file-type": DCT.MediaTypeOrExtent,
    "language": DCT.LinguisticSystem, "country": DCT.Location, "licence": DCT.LicenseDocument,
    "access-right": DCT.RightsStatement, "media-type": DCT.MediaType, "planned-availability": SKOS.Concept,
    "dataset-type": SKOS.Concept, "distribution-status": SKOS.Concept, "publisher-type": SKOS.Concept,
}


def test_the_issue_vocabularies_are_all_there(profile: Profile) -> None:
    assert set(EXPECTED_CLASSES) <= set(profile.vocabularies)


@pytest.mark.parametrize("name", sorted(EXPECTED_CLASSES))
def test_vocabulary_is_a_well_formed_scheme(profile: Profile, name: str) -> None:
    vocab = profile.vocabularies[name]
    graph = vocab.graph
    concepts = set(graph.subjects(SKOS.inScheme, None))
    assert vocab.concept_count == len(concepts) > 0
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph, concept
        assert (concept, RDF.type, EXPECTED_CLASSES[name]) in graph, concept
        assert graph.value(concept, SKOS.prefLabel) is not None, concept


def test_data_theme_has_the_13_eu_themes_in_spanish_and_english(profile: Profile) -> None:
    graph = profile.vocabularies["data-theme"].graph
    codes = {str(c).rsplit("/", 1)[-1] for c in graph.subjects(SKOS.inScheme, None)}
    assert codes == {"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH",
                     "TRAN"}
    for concept in graph.subjects(SKOS.inScheme, None):
        langs = {lbl.language for lbl in graph.objects(concept, SKOS.prefLabel) if isinstance(lbl, Literal)}
        assert {"es", "en"} <= langs, concept


@pytest.mark.parametrize("name", ["frequency", "licence", "country", "language", "access-right"])
def test_eu_tables_carry_spanish_labels(profile: Profile, name: str) -> None:
    graph = profile.vocabularies[name].graph
    concepts = set(graph.subjects(SKOS.inScheme, None))
    with_es = {c for c in concepts if any(getattr(lbl, "language", None) == "es"
                                          for lbl in graph.objects(c, SKOS.prefLabel))}
    assert len(with_es) / len(concepts) > 0.8


def test_publisher_types_are_the_adms_table_in_spanish_and_english(profile: Profile) -> None:
    """The eleven ADMS publisher types DCAT-AP names for an agent's dct:type, labelled as DCAT-AP-ES's schema does."""
    vocab = profile.vocabularies["publisher-type"]
    assert vocab.iri == "http://purl.org/adms/publishertype/1.0"
    codes = {str(c).rsplit("/", 1)[-1] for c in vocab.graph.subjects(SKOS.inScheme, None)}
    assert len(codes) == 11 and {"LocalAuthority", "NationalAuthority", "RegionalAuthority",
                                 "PrivateIndividual(s)"} <= codes
    from rdflib import URIRef
    local = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
    assert Literal("Autoridad local", lang="es") in set(vocab.graph.objects(local, SKOS.prefLabel))
    assert Literal("Local authority", lang="en") in set(vocab.graph.objects(local, SKOS.prefLabel))


def test_dataset_types_and_distribution_statuses(profile: Profile) -> None:
    from rdflib import URIRef
    types = profile.vocabularies["dataset-type"]
    assert types.concept_count == 24
    statistical = URIRef(f"{EU}dataset-type/STATISTICAL")
    assert Literal("Conjunto de datos estadísticos", lang="es") in set(types.graph.objects(statistical, SKOS.prefLabel))
    statuses = profile.vocabularies["distribution-status"]
    codes = {str(c).rsplit("/", 1)[-1] for c in statuses.graph.subjects(SKOS.inScheme, None)}
    assert codes == {"COMPLETED", "DEPRECATED", "DEVELOP", "WITHDRAWN"}  # OP_DATPRO left out
    for concept in statuses.graph.subjects(SKOS.inScheme, None):
        langs = {lbl.language for lbl in statuses.graph.objects(concept, SKOS.prefLabel) if isinstance(lbl, Literal)}
        assert {"es", "en", "pt"} <= langs, concept


def test_licence_table_urls_are_known_as_their_licence(profile: Profile) -> None:
    """The Creative Commons URLs the EU licence table lists as exactMatch stand for its licences, in either scheme."""
    from rdflib import URIRef
    for url in ("http://creativecommons.org/licenses/by/4.0/", "https://creativecommons.org/licenses/by/4.0",
                "https://creativecommons.org/publicdomain/zero/1.0/"):
        known = profile.background.known(URIRef(url))
        assert (URIRef(url), RDF.type, DCT.LicenseDocument) in known, url
        assert any(p == SKOS.exactMatch and str(o).startswith(f"{EU}licence/") for _, p, o in known), url
        assert any(p == SKOS.prefLabel and getattr(o, "language", None) == "es" for _, p, o in known), url


def test_known_codes_resolve(profile: Profile) -> None:
    background = profile.background
    for iri, cls in [(f"{EU}frequency/MONTHLY", DCT.Frequency), (f"{EU}licence/CC_BY_4_0", DCT.LicenseDocument),
                     (f"{EU}language/SPA", DCT.LinguisticSystem), (f"{EU}country/MEX", DCT.Location),
                     (f"{EU}file-type/CSV", DCT.MediaTypeOrExtent),
                     ("https://www.iana.org/assignments/media-types/text/csv", DCT.MediaType)]:
        from rdflib import URIRef
        assert cls in background.types_of(URIRef(iri)), iri


def test_file_types_know_their_media_type(profile: Profile) -> None:
    from rdflib import URIRef
    graph = profile.vocabularies["file-type"].graph
    media = graph.value(URIRef(f"{EU}file-type/CSV"), URIRef("https://w3id.org/puente/ns#mediaType"))
    assert str(media) == "https://www.iana.org/assignments/media-types/text/csv"


def test_sources_md_names_every_generated_file() -> None:
    listing = (REPO_ROOT / "vocabularies" / "SOURCES.md").read_text(encoding="utf-8")
    for folder in ("eu", "admin"):
        for path in (REPO_ROOT / "vocabularies" / folder).glob("*.ttl"):
            assert f"vocabularies/{folder}/{path.name}" in listing
    for name in ("es-sectors", "spdx-licences"):
        assert f"vocabularies/national/{name}.ttl" in listing


UPSTREAM = REPO_ROOT / "vocabularies" / "upstream"


def test_vocabularies_are_not_stale(tmp_path: Path) -> None:
    """Regenerating from vocabularies/upstream gives byte-identical files (the script is the source of truth)."""
    subprocess.run([sys.executable, str(REPO_ROOT / "vocabularies" / "regenerate.py"), "--sources",
                    str(UPSTREAM), "--out", str(tmp_path)], check=True)
    generated_files = sorted(tmp_path.glob("*/*.ttl"))
    assert len(generated_files) >= 15
    for generated in generated_files:
        relative = generated.relative_to(tmp_path)
        assert filecmp.cmp(generated, REPO_ROOT / "vocabularies" / relative, shallow=False), str(relative)


def test_upstream_copies_match_the_digests_in_sources_md() -> None:
    rows = [line.split("|") for line in (REPO_ROOT / "vocabularies" / "SOURCES.md").read_text(encoding="utf-8")
            .splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) >= 15
    for row in rows:
        source, digest = row[3].strip(" `"), row[4].strip(" `")
        assert hashlib.sha256((UPSTREAM / source).read_bytes()).hexdigest() == digest, source
    assert (UPSTREAM / "PROVENANCE.md").is_file()


def test_upstream_copies_are_not_loaded_as_vocabularies(profile: Profile) -> None:
    assert profile.vocabularies
    for vocabulary in profile.vocabularies.values():
        assert "upstream" not in vocabulary.path.parts, vocabulary.path


def test_context_file_is_generated_from_the_shapes(profile: Profile) -> None:
    on_disk = json.loads((REPO_ROOT / "shapes" / "context.jsonld").read_text(encoding="utf-8"))
    assert on_disk == build_context(profile.shapes_graph), "run: make context"


def test_context_defines_every_profile_property(profile: Profile) -> None:
    terms = profile.context["@context"]
    defined = {t["@id"] for t in terms.values() if isinstance(t, dict)}
    from app.rdf.namespaces import curie
    for shape in profile.shapes.values():
        assert curie(shape.path) in defined, shape.path

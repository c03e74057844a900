"""The metrics vocabulary (vocabularies/quality/metrics.ttl) is data: it must say what data.europa.eu's MQA says."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from app.profile.model import Profile
from app.quality.metrics import load_metrics, parse_metrics
from app.rdf.namespaces import DQV, PQ, PV
from app.settings import REPO_ROOT

# The MQA methodology's table (shared reference, catalogue-anchors §1; data.europa.eu/mqa/methodology).
MQA = {
    "findability": {"keyword": 30, "theme": 30, "spatial": 20, "temporal": 20},
    "accessibility": {"access_url_reachable": 50, "download_url": 20, "download_url_reachable": 30},
    "interoperability": {"format": 20, "media_type": 10, "format_vocabulary": 10, "non_proprietary": 20,
                         "machine_readable": 20, "dcat_ap_compliance": 30},
    "reusability": {"licence": 20, "licence_vocabulary": 10, "access_rights": 10, "access_rights_vocabulary": 5,
                    "contact_point": 20, "publisher": 10},
    "contextuality": {"rights": 5, "byte_size": 5, "issued": 5, "modified": 5},
}
# piveau's metric and dimension IRIs as piveau-data/piveau-vocabularies declares them (PV.kt, commit 7b29f2a4).
PIVEAU = {
    "accessibility", "contextuality", "findability", "interoperability", "reusability", "accessRightsAvailability",
    "accessRightsVocabularyAlignment", "accessUrlStatusCode", "byteSizeAvailability", "categoryAvailability",
    "contactPointAvailability", "dateIssuedAvailability", "dateModifiedAvailability", "dcatApCompliance",
    "downloadUrlAvailability", "downloadUrlStatusCode", "formatAvailability", "formatMediaTypeMachineInterpretable",
    "formatMediaTypeNonProprietary", "formatMediaTypeVocabularyAlignment", "keywordAvailability", "knownLicence",
    "licenceAvailability", "mediaTypeAvailability", "publisherAvailability", "rightsAvailability",
    "spatialAvailability", "temporalAvailability", "scoring",
}


def test_points_and_dimensions_are_the_mqa_ones() -> None:
    metrics = load_metrics(REPO_ROOT)
    assert [d.key for d in metrics.dimensions] == list(MQA)
    assert {d.key: d.max_points for d in metrics.dimensions} == {
        "findability": 100, "accessibility": 100, "interoperability": 110, "reusability": 75, "contextuality": 20}
    assert {d: {i.key: i.points for i in metrics.of_dimension(d)} for d in MQA} == MQA
    assert metrics.max_points == 405
    assert [i.key for i in metrics.indicators] == [k for part in MQA.values() for k in part]


@pytest.mark.parametrize("score,rating", [(0, "bad"), (120, "bad"), (120.99, "bad"), (121, "sufficient"),
                                          (220, "sufficient"), (221, "good"), (350, "good"), (350.5, "good"),
                                          (351, "excellent"), (405, "excellent")])
def test_rating_bands(score: float, rating: str) -> None:
    assert load_metrics(REPO_ROOT).rating(score) == rating


def test_every_metric_is_described_in_spanish_and_english() -> None:
    graph = Graph()
    graph.parse(REPO_ROOT / "vocabularies" / "quality" / "metrics.ttl", format="turtle")
    metrics = list(graph.subjects(RDF.type, DQV.Metric))
    assert len(metrics) == 23 + 6 + 7
    for node in [*metrics, *graph.subjects(RDF.type, DQV.Dimension), *graph.subjects(RDF.type, PQ.Rating)]:
        for predicate in (SKOS.prefLabel, SKOS.definition):
            langs = {v.language for v in graph.objects(node, predicate) if isinstance(v, Literal)}
            assert {"es", "en"} <= langs, (node, predicate)
        assert (node, SKOS.inScheme, PQ[""]) in graph
    for node in metrics:
        assert graph.value(node, DQV.expectedDataType) is not None, node
        if node != PQ.score:
            assert graph.value(node, DQV.inDimension) is not None, node


def test_piveau_matches_are_confirmed_iris() -> None:
    metrics = load_metrics(REPO_ROOT)
    graph = metrics.graph
    matched = [o for p in (SKOS.exactMatch, SKOS.closeMatch) for o in graph.objects(None, p)]
    assert matched and all(str(o).startswith(str(PV)) and str(o)[len(str(PV)):] in PIVEAU for o in matched)
    for indicator in metrics.indicators:
        assert indicator.piveau is not None, indicator.key
    close = {i.key for i in metrics.indicators if not i.piveau_exact}
    assert close == {"access_url_reachable", "download_url_reachable", "dcat_ap_compliance"}
    # scores per dimension have no confirmed piveau IRI: left unmatched, with a comment saying so
    for key in ("findability_score", "accessibility_score"):
        assert graph.value(PQ[key], SKOS.exactMatch) is None and graph.value(PQ[key], SKOS.closeMatch) is None


def test_differences_from_data_europa_eu_are_stated() -> None:
    metrics = load_metrics(REPO_ROOT)
    differing = {i.key for i in metrics.indicators if i.differs}
    assert {"access_url_reachable", "non_proprietary", "machine_readable", "dcat_ap_compliance",
            "licence_vocabulary", "format"} <= differing
    for indicator in metrics.indicators:
        assert bool(indicator.note) == indicator.differs, indicator.key
        if indicator.differs:
            assert {"es", "en"} <= set(indicator.note)


def test_a_table_that_does_not_add_up_is_refused() -> None:
    graph = Graph()
    graph.parse(REPO_ROOT / "vocabularies" / "quality" / "metrics.ttl", format="turtle")
    graph.set((PQ.keyword, PQ.points, Literal(31)))
    with pytest.raises(Exception, match="findability indicators add up to 101"):
        parse_metrics(graph)


def test_the_metrics_are_published_as_a_vocabulary(profile: Profile) -> None:
    vocabulary = profile.vocabularies["quality-metrics"]
    assert vocabulary.iri == str(PQ[""])
    assert URIRef(str(PQ.keyword)) in set(vocabulary.graph.subjects(SKOS.inScheme, None))

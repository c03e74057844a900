"""MQA indicators on hand-made records: full marks, nothing, each indicator alone, the best distribution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rdflib import Graph, URIRef

from app.profile.model import Profile
from app.quality.indicators import RecordIndex
from app.quality.linkcheck import LinkCheck
from app.quality.score import Scorer
from tests.conftest import PREFIXES

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DS = URIRef("https://datos.example.org/ds")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture(scope="module")
def scorer(profile: Profile) -> Scorer:
    return Scorer.for_profile(profile)


def index_of(turtle: str) -> RecordIndex:
    graph = Graph()
    graph.parse(data=PREFIXES + turtle, format="turtle")
    return RecordIndex(graph)


def ok(url: str) -> LinkCheck:
    return LinkCheck(url=url, status=200, reachable=True, method="HEAD", checked_at=NOW)


def broken(url: str) -> LinkCheck:
    return LinkCheck(url=url, status=404, reachable=False, method="HEAD", checked_at=NOW)


FULL = f"""
ex:ds a dcat:Dataset ; dct:title "Todo"@es ;
  dcat:keyword "aire"@es ; dcat:theme <{EU}data-theme/ENVI> ; dct:spatial <{EU}country/COL> ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^xsd:date ] ;
  dct:accessRights <{EU}access-right/PUBLIC> ; dcat:contactPoint [ a vcard:Kind ; vcard:fn "Mesa" ] ;
  dct:publisher [ a foaf:Agent ; foaf:name "Ministerio"@es ] ;
  dct:issued "2020-01-01"^^xsd:date ; dct:modified "2026-11-01"^^xsd:date ;
  dcat:distribution ex:csv .
ex:csv a dcat:Distribution ; dcat:accessURL <https://datos.example.org/page> ;
  dcat:downloadURL <https://datos.example.org/data.csv> ;
  dct:format <{EU}file-type/CSV> ; dcat:mediaType <{IANA}text/csv> ;
  dct:license <{EU}licence/CC_BY_4_0> ; dct:rights [ a dct:RightsStatement ] ;
  dcat:byteSize "1024"^^xsd:nonNegativeInteger .
"""
LINKS = {"https://datos.example.org/page": ok("https://datos.example.org/page"),
         "https://datos.example.org/data.csv": ok("https://datos.example.org/data.csv")}


def test_full_marks(scorer: Scorer) -> None:
    scored = scorer.score(index_of(FULL), DS, compliant=True, now=NOW, links=LINKS)
    quality = scored.quality
    assert quality.score == 405 == quality.max and quality.rating == "excellent"
    assert {k: d.score for k, d in quality.dimensions.items()} == {
        "findability": 100, "accessibility": 100, "interoperability": 110, "reusability": 75, "contextuality": 20}
    assert scored.best_distribution == URIRef("https://datos.example.org/csv")
    assert scored.title == "Todo" and scored.publisher == "Ministerio"


def test_without_link_checks_reachability_is_unknown_and_earns_nothing(scorer: Scorer) -> None:
    quality = scorer.score(index_of(FULL), DS, compliant=True, now=NOW, links=None).quality
    assert quality.dimensions["accessibility"].indicators == {
        "access_url_reachable": None, "download_url": 20, "download_url_reachable": None}
    assert quality.score == 405 - 80 and quality.rating == "good"


def test_broken_links_are_known_failures(scorer: Scorer) -> None:
    links = {url: broken(url) for url in LINKS}
    quality = scorer.score(index_of(FULL), DS, compliant=True, now=NOW, links=links).quality
    assert quality.dimensions["accessibility"].indicators == {
        "access_url_reachable": 0, "download_url": 20, "download_url_reachable": 0}
    partly = scorer.score(index_of(FULL), DS, compliant=True, now=NOW,
                          links={"https://datos.example.org/page": broken("https://datos.example.org/page")}).quality
    assert partly.dimensions["accessibility"].indicators["access_url_reachable"] == 0
    assert partly.dimensions["accessibility"].indicators["download_url_reachable"] is None  # not checked


def test_nothing(scorer: Scorer) -> None:
    quality = scorer.score(index_of("ex:ds a dcat:Dataset ."), DS, compliant=False, now=NOW, links={}).quality
    assert quality.score == 0 and quality.rating == "bad"
    assert all(v == 0 for d in quality.dimensions.values() for v in d.indicators.values())
    assert not quality.freshness.applicable


BASE = "ex:ds a dcat:Dataset ; dct:title \"T\"@es "
DIST = BASE + "; dcat:distribution ex:d . ex:d a dcat:Distribution "
# indicator → (the smallest record that earns it, link checks, the indicators it earns with it: hand-computed)
ALONE: dict[str, tuple[str, dict[str, LinkCheck] | None, dict[str, int]]] = {
    "keyword": (BASE + '; dcat:keyword "k" .', None, {"keyword": 30}),
    "theme": (BASE + f"; dcat:theme <{EU}data-theme/ECON> .", None, {"theme": 30}),
    "spatial": (BASE + f"; dct:spatial <{EU}country/MEX> .", None, {"spatial": 20}),
    "temporal": (BASE + "; dct:temporal [ a dct:PeriodOfTime ] .", None, {"temporal": 20}),
    "access_url_reachable": (DIST + "; dcat:accessURL <https://a.example/x> .", {"https://a.example/x": ok(
        "https://a.example/x")}, {"access_url_reachable": 50}),
    "download_url": (DIST + "; dcat:downloadURL <https://a.example/f.csv> .", None, {"download_url": 20}),
    "download_url_reachable": (DIST + "; dcat:downloadURL <https://a.example/f.csv> .", {
        "https://a.example/f.csv": ok("https://a.example/f.csv")}, {"download_url": 20, "download_url_reachable": 30}),
    "format": (DIST + "; dct:format <https://formats.example/mine> .", None, {"format": 20}),
    "media_type": (DIST + "; dcat:mediaType <https://types.example/mine> .", None, {"media_type": 10}),
    # PDF is in both tables but neither non-proprietary nor machine-readable by the Publications Office's flags
    "format_vocabulary": (DIST + f"; dct:format <{EU}file-type/PDF> ; dcat:mediaType <{IANA}application/pdf> .",
                          None, {"format": 20, "media_type": 10, "format_vocabulary": 10}),
    "non_proprietary": (DIST + f"; dct:format <{EU}file-type/TXT> .", None, {"format": 20, "non_proprietary": 20}),
    "machine_readable": (DIST + f"; dct:format <{EU}file-type/XLSX> .", None, {"format": 20, "machine_readable": 20}),
    "dcat_ap_compliance": (BASE + ".", None, {"dcat_ap_compliance": 30}),
    "licence": (DIST + "; dct:license <https://licences.example/own> .", None, {"licence": 20}),
    "licence_vocabulary": (DIST + f"; dct:license <{EU}licence/CC_BY_4_0> .", None,
                           {"licence": 20, "licence_vocabulary": 10}),
    "access_rights": (BASE + "; dct:accessRights [ a dct:RightsStatement ] .", None, {"access_rights": 10}),
    "access_rights_vocabulary": (BASE + f"; dct:accessRights <{EU}access-right/PUBLIC> .", None,
                                 {"access_rights": 10, "access_rights_vocabulary": 5}),
    "contact_point": (BASE + "; dcat:contactPoint [ a vcard:Kind ] .", None, {"contact_point": 20}),
    "publisher": (BASE + "; dct:publisher <https://org.example/a> .", None, {"publisher": 10}),
    "rights": (DIST + "; dct:rights [ a dct:RightsStatement ] .", None, {"rights": 5}),
    "byte_size": (DIST + '; dcat:byteSize "10"^^xsd:nonNegativeInteger .', None, {"byte_size": 5}),
    "issued": (BASE + '; dct:issued "2020-01-01"^^xsd:date .', None, {"issued": 5}),
    "modified": (BASE + '; dct:modified "2020-01-01"^^xsd:date .', None, {"modified": 5}),
}


def test_every_indicator_has_a_case(scorer: Scorer) -> None:
    assert set(ALONE) == {i.key for i in scorer.metrics.indicators}


@pytest.mark.parametrize("key", sorted(ALONE))
def test_each_indicator_alone(scorer: Scorer, key: str) -> None:
    turtle, links, earned = ALONE[key]
    quality = scorer.score(index_of(turtle), DS, compliant=key == "dcat_ap_compliance", now=NOW,
                           links=links if links is not None else {}).quality
    points = {k: v for d in quality.dimensions.values() for k, v in d.indicators.items()}
    assert {k: v for k, v in points.items() if v} == earned
    assert quality.score == sum(earned.values())
    assert sum(d.score for d in quality.dimensions.values()) == quality.score


@pytest.mark.parametrize("key", ["issued", "modified"])
def test_dates_count_on_the_best_distribution_too(scorer: Scorer, key: str) -> None:
    quality = scorer.score(index_of(DIST + f'; dct:{key} "2020-01-01"^^xsd:date .'), DS, compliant=False, now=NOW,
                           links={}).quality
    assert quality.dimensions["contextuality"].indicators[key] == 5 and quality.score == 5


def test_media_type_alone_can_make_a_format_non_proprietary(scorer: Scorer) -> None:
    # text/csv is CSV's media type in the EU file-type table: non-proprietary and machine-readable
    quality = scorer.score(index_of(DIST + f"; dcat:mediaType <{IANA}text/csv> ."), DS, compliant=False, now=NOW,
                           links={}).quality
    assert quality.dimensions["interoperability"].indicators == {
        "format": 0, "media_type": 10, "format_vocabulary": 0, "non_proprietary": 20, "machine_readable": 20,
        "dcat_ap_compliance": 0}


BEST = BASE + f"""; dcat:distribution ex:b, ex:a, _:x .
ex:a a dcat:Distribution ; dct:format <{EU}file-type/PDF> .
ex:b a dcat:Distribution ; dct:format <{EU}file-type/CSV> ; dct:license <https://licences.example/own> .
_:x a dcat:Distribution ; dct:format <{EU}file-type/CSV> ; dct:license <https://licences.example/own> .
"""


def test_the_best_distribution_counts_and_ties_go_to_the_first_iri(scorer: Scorer) -> None:
    scored = scorer.score(index_of(BEST), DS, compliant=False, now=NOW, links={})
    # ex:b: format 20 + non-proprietary 20 + machine-readable 20 + licence 20 = 80; ex:a (PDF): 20; _:x ties ex:b
    assert scored.best_distribution == URIRef("https://datos.example.org/b")
    assert scored.quality.score == 80
    # indicators come from one distribution, never mixed: a licence on one and a format on another do not add up
    mixed = BASE + f"""; dcat:distribution ex:a, ex:b .
ex:a a dcat:Distribution ; dct:format <{EU}file-type/PDF> .
ex:b a dcat:Distribution ; dct:license <https://licences.example/own> ; dcat:byteSize "1"^^xsd:integer .
"""
    scored = scorer.score(index_of(mixed), DS, compliant=False, now=NOW, links={})
    assert scored.best_distribution == URIRef("https://datos.example.org/b") and scored.quality.score == 25


def test_unmeasured_reachability_never_decides_the_best(scorer: Scorer) -> None:
    turtle = BASE + """; dcat:distribution ex:a, ex:b .
ex:a a dcat:Distribution ; dcat:accessURL <https://a.example/page> .
ex:b a dcat:Distribution ; dcat:accessURL <https://b.example/page> ; dct:rights [ a dct:RightsStatement ] .
"""
    assert scorer.score(index_of(turtle), DS, compliant=False, now=NOW, links=None).best_distribution == URIRef(
        "https://datos.example.org/b")
    checked = {"https://a.example/page": ok("https://a.example/page")}
    scored = scorer.score(index_of(turtle), DS, compliant=False, now=NOW, links=checked)
    assert scored.best_distribution == URIRef("https://datos.example.org/a") and scored.quality.score == 50


def test_freshness_reads_the_data_date_first_then_the_latest_modified(scorer: Scorer) -> None:
    monthly = f"dct:accrualPeriodicity <{EU}frequency/MONTHLY>"
    dated = BASE + f"""; {monthly} ; dct:modified "2026-11-20"^^xsd:date ; dcat:distribution ex:d .
ex:d a dcat:Distribution ; dct:modified "2026-11-25T10:00:00Z"^^xsd:dateTime ."""
    fresh = scorer.score(index_of(dated), DS, compliant=False, now=NOW, links={}).quality.freshness
    assert fresh.last_modified.isoformat() == "2026-11-25" and not fresh.overdue  # type: ignore[union-attr]
    # puente:dataModified (the data's own last change, when a source gives it) wins over every dct:modified
    data = dated.replace("; dcat:distribution ex:d", '; puente:dataModified "2026-01-01"^^xsd:date ; '
                                                      "dcat:distribution ex:d")
    fresh = scorer.score(index_of("@prefix puente: <https://w3id.org/puente/ns#> .\n" + data), DS, compliant=False,
                         now=NOW, links={}).quality.freshness
    assert fresh.last_modified.isoformat() == "2026-01-01" and fresh.overdue  # type: ignore[union-attr]
    assert fresh.due.isoformat() == "2026-02-06" and fresh.days_overdue == 297  # type: ignore[union-attr]
    undated = BASE + f"; {monthly} ."
    fresh = scorer.score(index_of(undated), DS, compliant=False, now=NOW, links={}).quality.freshness
    assert fresh.overdue and fresh.days_overdue is None and fresh.last_modified is None
    literal = BASE + '; dct:accrualPeriodicity "R/P1D" ; dct:modified "2026-11-29"^^xsd:date .'
    fresh = scorer.score(index_of(literal), DS, compliant=False, now=NOW, links={}).quality.freshness
    assert fresh.frequency == "R/P1D" and fresh.applicable and not fresh.overdue

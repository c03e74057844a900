"""A catalogue's aggregate, computed by hand: share of datasets × points per indicator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.profile.model import Profile
from app.quality.aggregate import DatasetEntry, aggregate, history_point
from app.quality.models import DatasetQuality, Freshness
from app.quality.score import Scorer

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
F = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(scope="module")
def scorer(profile: Profile) -> Scorer:
    return Scorer.for_profile(profile)


def dataset(scorer: Scorer, name: str, met: set[str], freshness: Freshness,
            unmeasured: frozenset[str] = frozenset()) -> DatasetEntry:
    answers: dict[str, bool | None] = {i.key: (None if i.key in unmeasured else i.key in met)
                                       for i in scorer.metrics.indicators}
    total, dimensions = scorer.points(answers)
    quality = DatasetQuality(dataset=f"https://datos.example.org/{name}", score=total, max=405,
                             rating=scorer.metrics.rating(total), dimensions=dimensions, freshness=freshness,
                             checked_at=NOW)
    return DatasetEntry(quality, title=name.upper(), publisher="Ministerio")


def test_a_catalogue_by_hand(scorer: Scorer) -> None:
    every = {i.key for i in scorer.metrics.indicators}
    reach = frozenset({"access_url_reachable", "download_url_reachable"})
    entries = [
        dataset(scorer, "a", {"keyword", "theme", "format", "licence"},
                Freshness(applicable=True, frequency=F + "MONTHLY", last_modified=date(2026, 9, 15),
                          due=date(2026, 10, 21), overdue=True, days_overdue=10)),
        dataset(scorer, "b", {"keyword", "dcat_ap_compliance"},
                Freshness(applicable=False, frequency=F + "IRREG", last_modified=None, due=None, overdue=False,
                          days_overdue=None)),
        dataset(scorer, "c", every - reach,
                Freshness(applicable=True, frequency=F + "ANNUAL", last_modified=None, due=None, overdue=True,
                          days_overdue=None), unmeasured=reach),
        dataset(scorer, "d", set(),
                Freshness(applicable=True, frequency=F + "DAILY", last_modified=date(2026, 11, 30),
                          due=date(2026, 12, 1), overdue=False, days_overdue=0)),
    ]
    assert [e.quality.score for e in entries] == [100, 60, 325, 0]
    result = aggregate("co", entries, metrics=scorer.metrics, checked_at=NOW, title="Colombia")
    # findability: keyword 3/4×30 + theme 2/4×30 + spatial 1/4×20 + temporal 1/4×20
    assert result.dimensions["findability"].indicators == {"keyword": 22.5, "theme": 15.0, "spatial": 5.0,
                                                            "temporal": 5.0}
    assert {k: d.score for k, d in result.dimensions.items()} == {
        "findability": 47.5, "accessibility": 5.0, "interoperability": 40.0, "reusability": 23.75,
        "contextuality": 5.0}
    assert result.score == 121.25 == sum(e.quality.score for e in entries) / 4 and result.rating == "sufficient"
    assert result.shares["keyword"] == 0.75 and result.shares["access_url_reachable"] == 0.0
    assert result.unmeasured["access_url_reachable"] == 0.25 and result.unmeasured["keyword"] == 0.0
    assert result.ratings == {"excellent": 0, "good": 1, "sufficient": 0, "bad": 3}
    assert result.histogram == [1, 1, 1, 0, 0, 0, 0, 1, 0]
    assert result.freshness.model_dump() == {"datasets": 4, "applicable": 3, "overdue": 2, "overdue_share": 0.6667}
    assert [o.dataset.rsplit("/", 1)[-1] for o in result.overdue] == ["c", "a"]  # no date at all first
    assert result.overdue[1].days_overdue == 10 and result.overdue[1].publisher == "Ministerio"
    assert aggregate("co", entries, metrics=scorer.metrics, checked_at=NOW, overdue_limit=1).overdue[0].title == "C"
    point = history_point(result)
    assert point.day == date(2026, 11, 30) and point.score == 121.25 and point.dimensions["reusability"] == 23.75


def test_an_empty_catalogue(scorer: Scorer) -> None:
    result = aggregate("cl", [], metrics=scorer.metrics, checked_at=NOW)
    assert result.score == 0 and result.rating == "bad" and result.freshness.overdue_share is None
    assert result.histogram == [0] * 9


def test_a_perfect_catalogue_is_excellent(scorer: Scorer) -> None:
    every = {i.key for i in scorer.metrics.indicators}
    fresh = Freshness(applicable=False, frequency=None, last_modified=None, due=None, overdue=False,
                      days_overdue=None)
    result = aggregate("es", [dataset(scorer, str(n), every, fresh) for n in range(3)], metrics=scorer.metrics,
                       checked_at=NOW)
    assert result.score == 405 and result.rating == "excellent" and result.histogram[-1] == 3

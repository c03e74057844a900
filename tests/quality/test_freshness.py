"""Freshness: every EU frequency code, ISO 8601 intervals, the margin, no date, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from app.quality.freshness import assess, load_intervals, parse_duration, parse_repeating_interval
from app.settings import REPO_ROOT

F = "http://publications.europa.eu/resource/authority/frequency/"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

# Hand-made: how many days each code promises (a month 30 days, a year 365), before the 20 % margin.
DAYS = {
    "1MIN": 1 / 1440, "5MIN": 5 / 1440, "10MIN": 10 / 1440, "15MIN": 15 / 1440, "30MIN": 30 / 1440,
    "HOURLY": 1 / 24, "BIHOURLY": 2 / 24, "TRIHOURLY": 3 / 24, "12HRS": 0.5, "DAILY_2": 0.5, "DAILY": 1,
    "WEEKLY_3": 7 / 3, "WEEKLY_2": 3.5, "WEEKLY": 7, "BIWEEKLY": 14, "MONTHLY_3": 10, "MONTHLY_2": 15,
    "MONTHLY": 30, "BIMONTHLY": 60, "QUARTERLY": 90, "ANNUAL_3": 120, "ANNUAL_2": 180, "ANNUAL": 365,
    "BIENNIAL": 730, "TRIENNIAL": 1095, "QUADRENNIAL": 1460, "QUINQUENNIAL": 1825, "DECENNIAL": 3650,
    "BIDECENNIAL": 7300, "TRIDECENNIAL": 10950,
}
NOT_APPLICABLE = {"IRREG", "NEVER", "OTHER", "UNKNOWN", "CONT", "UPDATE_CONT", "AS_NEEDED", "NOT_PLANNED"}


def eu_codes() -> list[str]:
    graph = Graph()
    graph.parse(REPO_ROOT / "vocabularies" / "eu" / "frequency.ttl", format="turtle")
    return sorted(str(c)[len(F):] for c in graph.subjects(SKOS.inScheme, URIRef(F.rstrip("/"))))


def test_the_table_covers_every_eu_frequency_code() -> None:
    codes = eu_codes()
    assert len(codes) == 38
    assert set(codes) == set(DAYS) | NOT_APPLICABLE
    table = load_intervals(REPO_ROOT)
    assert set(table) == {F + c for c in codes}


@pytest.mark.parametrize("code", sorted(DAYS))
def test_each_code_is_due_after_its_interval_and_a_20_percent_margin(code: str) -> None:
    window = timedelta(days=DAYS[code] * 1.2)
    intervals = load_intervals(REPO_ROOT)
    # a date-time last change: due exactly `window` later
    changed = NOW - window + timedelta(seconds=30)
    fresh = assess(F + code, changed, now=NOW, intervals=intervals)
    assert fresh.applicable and not fresh.overdue and fresh.days_overdue == 0
    assert fresh.due == (changed + window).date()
    late = assess(F + code, NOW - window - timedelta(seconds=30), now=NOW, intervals=intervals)
    assert late.overdue and late.days_overdue == 1  # 30 s late is the first day begun
    long_ago = assess(F + code, NOW - window - timedelta(days=10, hours=1), now=NOW, intervals=intervals)
    assert long_ago.overdue and long_ago.days_overdue == 11


@pytest.mark.parametrize("code", sorted(NOT_APPLICABLE))
def test_codes_without_a_deadline_are_not_applicable(code: str) -> None:
    fresh = assess(F + code, date(2001, 1, 1), now=NOW, intervals=load_intervals(REPO_ROOT))
    assert fresh.model_dump() == {"applicable": False, "frequency": F + code, "last_modified": date(2001, 1, 1),
                                  "due": None, "overdue": False, "days_overdue": None}


def test_the_design_example() -> None:
    """DESIGN §4a: MONTHLY, last change 2026-07-01, checked 2026-11-30 → due 2026-08-06, 116 days overdue."""
    fresh = assess(F + "MONTHLY", date(2026, 7, 1), now=NOW, intervals=load_intervals(REPO_ROOT))
    assert fresh.model_dump(mode="json") == {
        "applicable": True, "frequency": F + "MONTHLY", "last_modified": "2026-07-01", "due": "2026-08-06",
        "overdue": True, "days_overdue": 116}


def test_a_date_counts_as_the_end_of_that_day() -> None:
    intervals = load_intervals(REPO_ROOT)
    # DAILY: changed on the 28th → 1.2 days after the end of the 28th = the 30th at 04:48
    assert not assess(F + "DAILY", date(2026, 11, 28), now=datetime(2026, 11, 30, 4, 0, tzinfo=UTC),
                      intervals=intervals).overdue
    late = assess(F + "DAILY", date(2026, 11, 28), now=datetime(2026, 11, 30, 5, 0, tzinfo=UTC), intervals=intervals)
    assert late.overdue and late.due == date(2026, 11, 30) and late.days_overdue == 1


def test_time_zones_are_respected() -> None:
    bogota = timezone(timedelta(hours=-5))
    changed = datetime(2026, 11, 29, 20, 0, tzinfo=bogota)  # 2026-11-30T01:00Z
    fresh = assess(F + "HOURLY", changed, now=NOW, intervals=load_intervals(REPO_ROOT))
    assert fresh.overdue and fresh.last_modified == date(2026, 11, 29)
    assert fresh.days_overdue == 1  # 11 h − 1.2 h late: the first day begun


@pytest.mark.parametrize("value,days", [("R/P10D", 10), ("R/P1M", 30), ("R5/P1W", 7), ("R/PT6H", 0.25),
                                        ("R/2020-01-01T00:00:00Z/P1Y", 365), ("R/P2Y/2030-01-01", 730),
                                        ("P3M", 90), ("r/p1d", 1), ("R/P1DT12H", 1.5), ("R/P0,5D", 0.5)])
def test_iso_8601_repeating_intervals(value: str, days: float) -> None:
    assert parse_repeating_interval(value) == timedelta(days=days)
    changed = NOW - timedelta(days=days * 1.2) - timedelta(minutes=1)
    fresh = assess(value, changed, now=NOW, intervals=load_intervals(REPO_ROOT))
    assert fresh.applicable and fresh.overdue and fresh.frequency == value and fresh.days_overdue == 1


@pytest.mark.parametrize("value", ["eventual", "Eventual", "R/P0D", "P", "PT", "R/", "cada elecciones", "P1X",
                                   "https://w3id.org/puente/vocab/co/frecuencia/otra", ""])
def test_values_without_a_period_are_not_applicable(value: str) -> None:
    fresh = assess(value or None, date(2020, 1, 1), now=NOW, intervals=load_intervals(REPO_ROOT))
    assert not fresh.applicable and not fresh.overdue and fresh.due is None


def test_a_frequency_without_any_date_is_overdue() -> None:
    fresh = assess(F + "ANNUAL", None, now=NOW, intervals=load_intervals(REPO_ROOT))
    assert fresh.model_dump() == {"applicable": True, "frequency": F + "ANNUAL", "last_modified": None, "due": None,
                                  "overdue": True, "days_overdue": None}


def test_no_frequency_is_not_applicable_even_without_a_date() -> None:
    fresh = assess(None, None, now=NOW, intervals=load_intervals(REPO_ROOT))
    assert not fresh.applicable and not fresh.overdue


def test_duration_day_counting() -> None:
    assert parse_duration("P1Y2M3W4DT5H6M7S") == timedelta(days=365 + 60 + 21 + 4, hours=5, minutes=6, seconds=7)
    assert parse_duration("PT1M") == timedelta(minutes=1) and parse_duration("P1M") == timedelta(days=30)
    assert parse_duration("1D") is None and parse_duration("P-1D") is None

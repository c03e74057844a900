"""Freshness: is a dataset updated as often as its dct:accrualPeriodicity says?

The expected interval comes from a declared table (vocabularies/alignments/frequency-intervals.ttl: every EU
frequency code to an ISO 8601 duration, or "not applicable") or from an ISO 8601 repeating interval (R/P1M,
R5/PT1H, R/2020-01-01/P1D), as the regional metadata profile writes them. Durations become days as Argentina's
pydatajson counts them (a year 365 days, a month 30, a week 7) and get a 20 % margin: MONTHLY is due 36 days
after the last change, as in DESIGN §4a. A date without a time is read as the end of that day (the most
generous reading of "changed that day"). A dataset that states a frequency but has no date at all is overdue.
The clock is always passed in.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from app.quality.models import Freshness
from app.rdf.namespaces import PUENTE
from app.settings import REPO_ROOT

TOLERANCE = 0.2   # pydatajson's 1.2 factor; see README "Freshness" for why it is kept
INTERVALS_FILE = Path("vocabularies") / "alignments" / "frequency-intervals.ttl"
NOT_APPLICABLE_WORDS = frozenset({"eventual"})   # the regional profile's "updated when needed"
_DAY_SECONDS = 86_400
_UNITS = {"Y": 365 * _DAY_SECONDS, "M": 30 * _DAY_SECONDS, "W": 7 * _DAY_SECONDS, "D": _DAY_SECONDS}
_TIME_UNITS = {"H": 3600, "M": 60, "S": 1}
_DURATION = re.compile(r"P(?!$)((?:\d+(?:[.,]\d+)?[YMWD])*)(?:T((?:\d+(?:[.,]\d+)?[HMS])+))?", re.ASCII)
_PART = re.compile(r"(\d+(?:[.,]\d+)?)([YMWDHS])", re.ASCII)
_REPEATING = re.compile(r"R\d*/(.+)", re.ASCII)


def parse_duration(text: str) -> timedelta | None:
    """An ISO 8601 duration (P1M, PT1H, P2DT8H, P1W) in Puente's day counting; None if it is not one or is zero."""
    match = _DURATION.fullmatch(text.strip().upper())
    if match is None:
        return None
    seconds = 0.0
    for part, units in ((match.group(1) or "", _UNITS), (match.group(2) or "", _TIME_UNITS)):
        for amount, unit in _PART.findall(part):
            seconds += float(amount.replace(",", ".")) * units[unit]
    return timedelta(seconds=seconds) if seconds > 0 else None


def parse_repeating_interval(text: str) -> timedelta | None:
    """The period of an ISO 8601 repeating interval (R/P1M, R12/P1M, R/2020-01-01/P1D, R/P1Y/2030-01-01) or of a
    bare duration (P1M); None when there is no period in it."""
    cleaned = text.strip().upper()
    match = _REPEATING.fullmatch(cleaned)
    parts = match.group(1).split("/") if match else [cleaned]
    for part in parts:
        if part.startswith("P"):
            return parse_duration(part)
    return None


@lru_cache(maxsize=4)
def load_intervals(assets_dir: Path = REPO_ROOT) -> dict[str, timedelta | None]:
    """EU frequency IRI → expected interval (None: the code sets no deadline)."""
    graph = Graph()
    graph.parse(assets_dir / INTERVALS_FILE, format="turtle")
    table: dict[str, timedelta | None] = {}
    for code, value in graph.subject_objects(PUENTE.updateInterval):
        interval = parse_duration(str(value))
        if interval is None:
            raise ValueError(f"{INTERVALS_FILE}: {code} has no usable interval: {value}")
        table[str(code)] = interval
    for code, value in graph.subject_objects(PUENTE.freshnessApplicable):
        if str(value).lower() != "false" or str(code) in table:
            raise ValueError(f"{INTERVALS_FILE}: {code} is either an interval or not applicable")
        table[str(code)] = None
    return table


def expected_interval(frequency: str, intervals: dict[str, timedelta | None]) -> timedelta | None:
    """The interval a frequency value promises: from the table, from an ISO 8601 interval, or none."""
    if frequency in intervals:
        return intervals[frequency]
    if frequency.strip().lower() in NOT_APPLICABLE_WORDS:
        return None
    return parse_repeating_interval(frequency)


def _instant(value: date | datetime) -> datetime:
    """A moment to count from: a date means the end of that day (UTC); a naive date-time is UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(23, 59, 59), tzinfo=UTC)


def assess(frequency: str | None, last_modified: date | datetime | None, *, now: datetime,
           intervals: dict[str, timedelta | None]) -> Freshness:
    """The freshness verdict of a dataset that states `frequency` and last changed at `last_modified`."""
    day = last_modified.date() if isinstance(last_modified, datetime) else last_modified
    interval = expected_interval(frequency, intervals) if frequency else None
    if interval is None:
        return Freshness(applicable=False, frequency=frequency, last_modified=day, due=None, overdue=False,
                         days_overdue=None)
    if last_modified is None:
        return Freshness(applicable=True, frequency=frequency, last_modified=None, due=None, overdue=True,
                         days_overdue=None)
    due_at = _instant(last_modified) + interval * (1 + TOLERANCE)
    late = (now - due_at).total_seconds()
    days = math.ceil(late / _DAY_SECONDS) if late > 0 else 0
    return Freshness(applicable=True, frequency=frequency, last_modified=day, due=due_at.date(), overdue=late > 0,
                     days_overdue=days)


def frequency_text(value: Node | None) -> str | None:
    """How a dct:accrualPeriodicity value is reported: an IRI as is, a literal by its text."""
    return None if value is None else str(value).strip() or None

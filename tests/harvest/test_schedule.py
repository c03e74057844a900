"""The harvest scheduler: 5-field cron schedules read (or refused, naming the field) and ticked with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import ConflictError, InputError
from app.harvest.registry import SourceEntry
from app.harvest.schedule import Cron, Scheduler


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("expression,after,expected", [
    ("0 3 * * *", "2026-03-01T02:59", "2026-03-01T03:00"),
    ("0 3 * * *", "2026-03-01T03:00", "2026-03-02T03:00"),
    ("*/15 * * * *", "2026-03-01T10:07", "2026-03-01T10:15"),
    ("30 8 * * 1-5", "2026-02-27T09:00", "2026-03-02T08:30"),  # Friday after 08:30 → Monday
    ("0 0 1 */3 *", "2026-02-10T00:00", "2026-04-01T00:00"),
    ("0 12 29 2 *", "2026-01-01T00:00", "2028-02-29T12:00"),  # leap day
    ("5,35 1-2 * * 7", "2026-03-01T01:06", "2026-03-01T01:35"),  # Sunday as 7
    ("0 6 13 * 5", "2026-03-02T00:00", "2026-03-06T06:00"),  # day 13 OR a Friday, as cron does
])
def test_next_time_of_a_schedule(expression: str, after: str, expected: str) -> None:
    assert Cron.parse(expression).next_after(at(after)) == at(expected)


@pytest.mark.parametrize("expression,field", [
    ("0 3 * *", None), ("every day", None), ("61 * * * *", "minute"), ("0 24 * * *", "hour"),
    ("0 0 0 * *", "day of month"), ("0 0 * 13 *", "month"), ("0 0 * * 8", "day of week"), ("*/0 * * * *", "minute"),
    ("a * * * *", "minute"), ("0 0 31 2 *", None),
])
def test_bad_schedules_are_refused_naming_the_problem(expression: str, field: str | None) -> None:
    with pytest.raises(InputError) as refused:
        Cron.parse(expression)
    assert refused.value.field == "schedule"
    if field:
        assert field in refused.value.detail["en"]


def test_tick_starts_each_due_source_once_and_skips_running_ones() -> None:
    sources = [SourceEntry(id="daily", catalogue="cl", type="ckan", url="http://a.example/", schedule="0 3 * * *"),
               SourceEntry(id="hourly", catalogue="co", type="socrata", url="http://b.example/",
                           schedule="0 * * * *"),
               SourceEntry(id="manual", catalogue="mx", type="datajson", url="http://c.example/data.json")]
    started: list[str] = []
    busy: set[str] = set()

    def start(entry: SourceEntry) -> None:
        if entry.id in busy:
            raise ConflictError({"en": "running", "es": "en curso"})
        started.append(entry.id)

    scheduler = Scheduler(sources=lambda: sources, start=start, now=at("2026-03-01T02:30"))
    assert scheduler.tick(at("2026-03-01T02:45")) == []
    assert scheduler.tick(at("2026-03-01T03:00")) == ["daily", "hourly"]
    assert scheduler.tick(at("2026-03-01T03:00")) == []  # the same minute again: nothing new
    busy.add("hourly")
    assert scheduler.tick(at("2026-03-01T04:10")) == []  # due, but still running: left alone
    busy.clear()
    # a tick that comes late starts one run, not one per missed hour
    assert scheduler.tick(at("2026-03-01T09:05")) == ["hourly"]
    assert scheduler.tick(at("2026-03-02T03:00")) == ["daily", "hourly"]
    assert started == ["daily", "hourly", "hourly", "daily", "hourly"]


def test_the_scheduler_is_off_unless_asked() -> None:
    from app.settings import Settings

    assert Settings().harvest_scheduler is False

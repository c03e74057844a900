"""The harvest scheduler: each source with a `schedule` (the 5-field cron form, in UTC) is run when it falls due.

    minute hour day-of-month month day-of-week      e.g. "0 3 * * *" (daily at 03:00), "*/30 * * * 1-5"

Each field: `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of these; day of week 0-6
(0 and 7 are Sunday). As in cron, when both day fields are restricted a day matching either one is due.

The service ticks it (PUENTE_HARVEST_SCHEDULER=true; off by default and in tests): `tick(now)` starts a run of
every source whose next time after its last tick has come (a source already running is left alone), so a tick
that came late starts one run, never a backlog. Tests call `tick` with a fixed clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.errors import ConflictError, InputError, PuenteError
from app.harvest.registry import SourceEntry
from app.i18n import text

logger = logging.getLogger("puente.harvest")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_HORIZON = timedelta(days=366 * 5)  # a schedule never due within this (31 February) is refused


def _field(spec: str, index: int, expression: str) -> frozenset[int]:
    low, high = _RANGES[index]
    values: set[int] = set()
    for part in spec.split(","):
        base, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if base == "*":
                start, end = low, high
            elif "-" in base:
                first, last = base.split("-", 1)
                start, end = int(first), int(last)
            else:
                start = end = int(base)
                if step_text:
                    end = high
        except ValueError:
            raise InputError(text("detail.cron_bad", expression=expression[:80], field=_NAMES[index]),
                             field="schedule") from None
        if step < 1 or not low <= start <= end <= high:
            raise InputError(text("detail.cron_bad", expression=expression[:80], field=_NAMES[index]),
                             field="schedule")
        values.update(range(start, end + 1, step))
    if index == 4 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) != 5 or len(expression) > 200:
            raise InputError(text("detail.cron_fields", expression=expression[:80]), field="schedule")
        fields = [_field(part, index, expression) for index, part in enumerate(parts)]
        cron = cls(minutes=fields[0], hours=fields[1], days=fields[2], months=fields[3], weekdays=fields[4],
                   any_day=parts[2] == "*", any_weekday=parts[4] == "*")
        probe = datetime(2000, 1, 1, tzinfo=UTC)
        if cron.next_after(probe) is None:
            raise InputError(text("detail.cron_never", expression=expression[:80]), field="schedule")
        return cron

    def _day(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7  # Python: Monday 0; cron: Sunday 0
        by_day, by_weekday = moment.day in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return by_day and by_weekday
        return by_day or by_weekday

    def next_after(self, moment: datetime) -> datetime | None:
        """The first due minute strictly after `moment` (UTC), or None within five years."""
        at = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = at + _HORIZON
        while at < limit:
            if at.month not in self.months:
                at = (at.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day(at):
                at = at.replace(hour=0, minute=0) + timedelta(days=1)
            elif at.hour not in self.hours:
                at = at.replace(minute=0) + timedelta(hours=1)
            elif at.minute not in self.minutes:
                at += timedelta(minutes=1)
            else:
                return at
        return None


class Scheduler:
    """See the module docstring. `start(entry)` starts a run of a source (HarvestManager.start)."""

    def __init__(self, *, sources: Callable[[], list[SourceEntry]], start: Callable[[SourceEntry], object],
                 now: datetime) -> None:
        self.sources, self.start = sources, start
        self.last: dict[str, datetime] = {}
        self.started_at = now

    def tick(self, now: datetime) -> list[str]:
        """Start every source due since its last tick; the ids started."""
        started: list[str] = []
        for entry in self.sources():
            if not entry.schedule:
                continue
            since = self.last.get(entry.id, self.started_at)
            try:
                due = Cron.parse(entry.schedule).next_after(since)
            except InputError:
                continue  # registered before the check existed: never run, never crash the loop
            if due is None or due > now:
                continue
            self.last[entry.id] = now
            try:
                self.start(entry)
                started.append(entry.id)
            except ConflictError:
                logger.info("harvest of %s due but still running", entry.id)
            except PuenteError as error:
                logger.warning("scheduled harvest of %s not started: %s", entry.id, error)
        return started


async def run_scheduler(scheduler: Scheduler, *, clock: Callable[[], datetime], every_s: float = 30.0) -> None:
    """Tick every `every_s` seconds until cancelled (the service's lifespan starts and cancels it)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(scheduler.tick, clock())
        except Exception:  # one bad tick must not end scheduling
            logger.exception("harvest scheduler tick failed")

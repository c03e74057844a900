"""Harvest runs into the harmonised catalogue: started by the API (in the background), by the scheduler, or by
`puente harvest` (in the foreground); each persisted with its report as it goes, and listed afterwards.

    manager = HarvestManager(service=catalogue, db=HarvestDb(data_dir / "harvest.sqlite3"), prepare=...,
                             client=lambda: SafeClient(HttpPolicy.from_settings(settings)))
    run = manager.start("cl", source_id, full=False)     # queued, then running in a background thread
    manager.run_now(entry, full=False)                   # the same, in this thread (the command line)

One run per source at a time (a second one is a 409 naming the first). A run still `queued` or `running` when the
process died is marked `failed` (interrupted) when the next process opens the file; the source's state was saved
after its last finished page, so the next run resumes from there (harvester.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.catalogue.service import CatalogueService
from app.errors import ConflictError, InputError, NotFoundError, PuenteError
from app.harvest.catalogue_sink import CatalogueSink, Prepare
from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunError, RunStatus
from app.harvest.registry import DbStateStore, HarvestDb, SourceEntry, now
from app.harvest.schedule import Cron
from app.harvest.source import SOURCE_TYPES, HarvestSource
from app.harvest.sources_file import describe_problem, read_sources
from app.i18n import text
from app.net.client import HttpPolicy, SafeClient
from app.settings import Settings

logger = logging.getLogger("puente.harvest")
# each option: (its kind, the least value, the greatest) — JSON and YAML give numbers and booleans as they are
OPTIONS: dict[str, tuple[type, float, float]] = {
    "format": (str, 1, 64), "rows": (int, 1, 1000), "domain": (str, 1, 253), "discovery_url": (str, 1, 2000),
    "modified_since": (bool, 0, 1), "sweep_every": (int, 0, 10_000), "full_every": (int, 1, 10_000),
    "overlap_s": (float, 0, 30 * 86_400), "concurrency": (int, 1, 64), "lookup_publishers": (bool, 0, 1)}
OPTION_NAMES = tuple(OPTIONS)


def harvest_source(entry: SourceEntry, *, default_format: str | None) -> HarvestSource:
    """What a run of a registered source reads: its options over the defaults; records read with the source's
    `format`, else the catalogue's own source format when given (`default_format`), else the type's."""
    options = entry.options
    fields: dict[str, Any] = {name: options[name] for name in OPTION_NAMES[1:] if options.get(name) is not None}
    return HarvestSource(type=entry.type, url=entry.url,  # type: ignore[arg-type]
                         record_format=options.get("format") or default_format, rate=entry.rate_limit, **fields)


def check_entry(entry: SourceEntry, service: CatalogueService, *, formats: set[str] | None = None) -> None:
    """A 400 naming the problem for a source that cannot be run; a 404 for an unknown catalogue. `formats`: the
    source formats records can be read with (an option naming another one is refused)."""
    service.catalogue(entry.catalogue)
    if entry.type not in SOURCE_TYPES:
        raise InputError(text("detail.harvest_source_type", type=entry.type[:40], known=", ".join(SOURCE_TYPES)),
                         field="type")
    if not entry.url.lower().startswith(("http://", "https://")) or len(entry.url) > 2000:
        raise InputError(text("detail.harvest_source_url", url=entry.url[:100]), field="url")
    for name, value in entry.options.items():
        kind, least, most = OPTIONS.get(name, (type(None), 0, 0))
        size = len(value) if isinstance(value, str) else value
        fits = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if kind is float:
            fits = isinstance(value, int | float) and not isinstance(value, bool)
        if not fits or not least <= size <= most:
            raise InputError(text("detail.harvest_source_option", option=f"{name[:40]}={str(value)[:40]}",
                                  known=", ".join(OPTION_NAMES)), field="options")
    chosen = entry.options.get("format")
    if formats is not None and chosen is not None and chosen not in formats:
        raise InputError(text("detail.harvest_source_option", option=f"format={str(chosen)[:40]}",
                              known=", ".join(sorted(formats))), field="options")
    if entry.schedule is not None:
        Cron.parse(entry.schedule)
    if entry.rate_limit is not None and entry.rate_limit <= 0:
        raise InputError(text("detail.harvest_source_rate"), field="rate_limit")


class HarvestManager:
    """Runs of the registered sources (see the module docstring)."""

    def __init__(self, *, service: CatalogueService, db: HarvestDb, prepare: Prepare,
                 client: Callable[[], SafeClient], background: int = 2, formats: set[str] | None = None) -> None:
        self.service, self.db, self.prepare, self.client = service, db, prepare, client
        self.formats = formats
        self._pool: ThreadPoolExecutor | None = None
        self._background = background
        self._lock = threading.Lock()
        self.interrupted = self._mark_interrupted()

    def close(self, *, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)

    def _mark_interrupted(self) -> int:
        """Runs a dead process left `queued` or `running`: failed, saying so (the next run resumes the source)."""
        count = 0
        for body in self.db.unfinished_runs():
            body["status"] = RunStatus.FAILED.value
            body["finished_at"] = body.get("finished_at") or now()
            body["interrupted"] = True
            problem = RunError("interrupted", text("detail.harvest_interrupted"), body.get("source", {}).get("url"))
            body.setdefault("errors", []).append(problem.to_json())
            body.setdefault("counts", {})["errors"] = body.get("counts", {}).get("errors", 0) + 1
            self.db.save_run(body)
            count += 1
        if count:
            logger.warning("%d harvest run(s) interrupted by the last stop marked failed", count)
        return count

    # -- sources ---------------------------------------------------------------------------------------------

    def register(self, entry: SourceEntry) -> SourceEntry:
        check_entry(entry, self.service, formats=self.formats)
        self.db.put_source(entry)
        return entry

    def source(self, source_id: str, *, catalogue: str | None = None) -> SourceEntry:
        entry = self.db.source(source_id)
        if entry is None or (catalogue is not None and entry.catalogue != catalogue):
            raise NotFoundError(text("detail.harvest_unknown_source", id=source_id[:100],
                                     catalogue=catalogue or "-"))
        return entry

    # -- runs ------------------------------------------------------------------------------------------------

    def start(self, catalogue: str, source_id: str, *, full: bool = False, who: str = "api") -> dict[str, Any]:
        """Queue a run of a source of `catalogue` and start it in the background; its report as it is now."""
        entry = self.source(source_id, catalogue=catalogue)
        with self._lock:
            running = self.db.active_run(entry.id)
            if running is not None:
                raise ConflictError(text("detail.harvest_running", source=entry.id, run=running))
            run = HarvestRun(source_type=entry.type, url=entry.url, full=full)
            body = self._report(run, entry, who=who)
            self.db.save_run(body)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._background, thread_name_prefix="harvest")
            self._pool.submit(self._execute, run, entry, who)
        return body

    def run_now(self, entry: SourceEntry, *, full: bool = False, who: str = "cli",
                on_progress: Callable[[HarvestRun], None] | None = None) -> dict[str, Any]:
        """One run in this thread (the command line); its final report."""
        running = self.db.active_run(entry.id)
        if running is not None:
            raise ConflictError(text("detail.harvest_running", source=entry.id, run=running))
        run = HarvestRun(source_type=entry.type, url=entry.url, full=full)
        self.db.save_run(self._report(run, entry, who=who))
        return self._execute(run, entry, who, on_progress=on_progress)

    def run(self, catalogue: str, run_id: str) -> dict[str, Any]:
        body = self.db.run(run_id)
        if body is None or body.get("catalogue") != catalogue:
            raise NotFoundError(text("detail.harvest_unknown_run", id=run_id[:100], catalogue=catalogue))
        return body

    def runs(self, catalogue: str, *, limit: int = 100) -> list[dict[str, Any]]:
        return self.db.runs(catalogue=catalogue, limit=limit)

    def _report(self, run: HarvestRun, entry: SourceEntry, *, who: str) -> dict[str, Any]:
        body = run.to_json()
        body["source"] = {"id": entry.id, "type": entry.type, "url": entry.url}
        body["catalogue"] = entry.catalogue
        body["started_by"] = who
        return body

    def _execute(self, run: HarvestRun, entry: SourceEntry, who: str,
                 on_progress: Callable[[HarvestRun], None] | None = None) -> dict[str, Any]:
        def progress(current: HarvestRun) -> None:  # after every page (at most 1000 records): one small write
            self.db.save_run(self._report(current, entry, who=who))
            if on_progress is not None:
                on_progress(current)

        try:
            catalogue = self.service.catalogue(entry.catalogue)
            source = harvest_source(entry, default_format=None)
            run.start()  # `running` from here on, for whoever reads the run (harvest() starts it again: same)
            self.db.save_run(self._report(run, entry, who=who))
            sink = CatalogueSink(service=self.service, catalogue=catalogue, db=self.db, source=entry.id,
                                 prepare=self.prepare, who=f"harvest:{entry.id}")
            with self.client() as client:
                harvest(source, sink=sink, client=client, store=DbStateStore(self.db, entry.id), full=run.full,
                        run=run, on_progress=progress)
        except Exception as error:  # a fault of Puente's own before or around the harvest: the run says so
            logger.exception("harvest run %s of %s failed", run.id, entry.id)
            run.error(RunError("page", text("detail.harvest_internal", message=type(error).__name__), entry.url))
            run.finish(RunStatus.FAILED)
        body = self._report(run, entry, who=who)
        self.db.save_run(body)
        return body


def open_manager(settings: Settings, service: CatalogueService, *, prepare: Prepare,
                 client: Callable[[], SafeClient] | None = None, formats: set[str] | None = None) -> HarvestManager:
    """The harvests of a data folder (its `harvest.sqlite3`), with harvest.yaml's sources registered."""
    db = HarvestDb(Path(settings.data_dir) / "harvest.sqlite3")
    manager = HarvestManager(service=service, db=db, prepare=prepare, background=settings.harvest_runs, formats=formats,
                             client=client or (lambda: SafeClient(HttpPolicy.from_settings(settings))))
    if settings.harvest_file is not None:
        for entry in read_sources(Path(settings.harvest_file)):
            try:
                manager.register(entry)
            except PuenteError as error:
                db.close()
                raise describe_problem(error, entry) from error
    return manager

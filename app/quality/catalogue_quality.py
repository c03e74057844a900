"""Quality of the harmonised catalogue: every stored dataset scored, each catalogue aggregated, both kept by day.

A dataset's quality is computed from its stored N-Triples (with the vocabulary knowledge the catalogue keeps beside
it), "DCAT-AP compliance" from the validation report stored with that version (no violation), and reachability
from the last link checks of its URLs. It is computed again when one of these moved: the record changed (its change
sequence number), the day changed (freshness moves with time even when nothing is published), or a link-check run of
the catalogue ended. `refresh` does that for a catalogue and keeps the day's aggregate; reads call it first, so an
answer is never older than the last write; `QualityRefresher` calls it in the background after writes and once a
day. The clock is injected (tests fix it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from rdflib import URIRef

from app.catalogue.definitions import Catalogue
from app.catalogue.service import LANGS, CatalogueService
from app.errors import NotFoundError
from app.i18n import render, text
from app.quality.advice import improvements_json, reachability_points
from app.quality.aggregate import DatasetEntry, aggregate
from app.quality.history import LinkRun, QualityStore, Stamp, StoredQuality
from app.quality.indicators import RecordIndex
from app.quality.linkcheck import LinkPolicy
from app.quality.linkruns import LinkRuns, link_policy, link_urls
from app.quality.models import CatalogueQuality
from app.quality.score import Scorer
from app.rdf.terms import to_rdflib

logger = logging.getLogger("puente.quality")
Clock = Callable[[], datetime]
REFRESH_BATCH = 200  # datasets scored, then saved together
DASHBOARD_FIRST = ("co", "cl", "mx", "es")   # the four countries, in the order the dashboard compares them


class RefreshStopped(Exception):
    """A background refresh stopped between two batches, as its `stop` condition asked (the service stopping, a
    write arriving): what was scored is kept, the rest is scored at the next refresh."""


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did, and the catalogue's aggregate."""

    aggregate: CatalogueQuality
    scored: int
    removed: int


class CatalogueQualityService:
    """Scores and keeps the quality of a CatalogueService's datasets; runs link checks. Thread-safe."""

    def __init__(self, catalogue: CatalogueService, *, scorer: Scorer, store: QualityStore, clock: Clock,
                 policy: LinkPolicy, lang: str = "es") -> None:
        self.catalogue = catalogue
        self.scorer = scorer
        self.store = store
        self.clock = clock
        self.policy = policy
        self.lang = lang
        self._locks: dict[str, threading.Lock] = {cid: threading.Lock() for cid in catalogue.catalogues}
        self.links = LinkRuns(catalogue, store=store, clock=clock, policy=policy, after=self.refresh)

    @classmethod
    def open(cls, catalogue: CatalogueService, *, clock: Clock) -> CatalogueQualityService:
        settings = catalogue.settings
        store = QualityStore(Path(settings.data_dir))
        interrupted = store.interrupted_runs()
        if interrupted:
            logger.warning("%d link-check run(s) interrupted by a stop were marked failed", interrupted)
        scorer = Scorer.for_profile(catalogue.profile, assets_dir=settings.assets_dir)
        return cls(catalogue, scorer=scorer, store=store, clock=clock, policy=link_policy(settings),
                   lang=settings.default_lang)

    def close(self) -> None:
        self.links.close()
        self.store.close()

    # ------------------------------------------------------------------------------------------ scoring

    def _known(self, catalogue_id: str) -> Catalogue:
        return self.catalogue.catalogue(catalogue_id)

    def _active(self, catalogue_id: str) -> dict[str, int]:
        rows = self.catalogue.index.reader.execute(
            "SELECT id, seq FROM records WHERE catalogue = ? AND status = 'active'", (catalogue_id,))
        return {str(rid): int(seq) for rid, seq in rows}

    def _compliant(self, catalogue_id: str, record_id: str) -> bool:
        """No violation in the report stored with this version (no report kept: not shown to comply)."""
        try:
            report = orjson.loads(self.catalogue.stored_report(catalogue_id, record_id))
        except NotFoundError:
            return False
        return int(report.get("summary", {}).get("violations", 1)) == 0

    def _score(self, found: Catalogue, record_id: str, *, now: datetime) -> StoredQuality:
        entry = self.catalogue.entry(found.id, record_id)
        lines = self.catalogue.lines(entry)
        # pyoxigraph reads the stored lines some 20 times faster than rdflib's N-Triples parser
        triples = ((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                   for t in ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
        links = self.store.links(link_urls(lines))
        scored = self.scorer.score(RecordIndex(triples), URIRef(found.dataset_iri(record_id)),
                                   compliant=self._compliant(found.id, record_id), now=now, links=links,
                                   lang=LANGS.get(found.spec.language, self.lang))
        return StoredQuality(id=record_id, quality=scored.quality, title=scored.title, publisher=scored.publisher)

    def refresh(self, catalogue_id: str, *, stop: Callable[[], bool] | None = None) -> RefreshResult:
        """Score the catalogue's datasets whose quality is stale, forget deleted ones, keep the day's aggregate.

        `stop`: asked between batches of REFRESH_BATCH datasets (a day's first rescoring of 100,000 takes minutes;
        a service stopping, or a publication starting, does not wait for it): RefreshStopped once it says so; what
        was scored is kept."""
        found = self._known(catalogue_id)
        with self._locks.setdefault(found.id, threading.Lock()):
            now = self.clock()
            day = now.date()
            generation = self.store.links_generation(found.id)
            active = self._active(found.id)
            stamps = self.store.stamps(found.id)
            stale = [rid for rid, seq in active.items() if stamps.get(rid) != Stamp(seq, day.isoformat(), generation)]
            gone = [rid for rid in stamps if rid not in active]
            kept = self.store.catalogue(found.id, day=day)
            if not stale and not gone and kept is not None and not self.store.is_dirty(found.id):
                return RefreshResult(kept, 0, 0)
            for start in range(0, len(stale), REFRESH_BATCH):
                batch = []
                for rid in stale[start:start + REFRESH_BATCH]:
                    batch.append((Stamp(active[rid], day.isoformat(), generation), self._score(found, rid, now=now)))
                self.store.save_datasets(found.id, batch)
                if stop is not None and stop():
                    raise RefreshStopped(found.id)
            if gone:
                self.store.forget_datasets(found.id, gone)
            entries = (DatasetEntry(s.quality, title=s.title, publisher=s.publisher)
                       for s in self.store.datasets(found.id))
            result = aggregate(found.id, entries, metrics=self.scorer.metrics, checked_at=now,
                               title=found.title(self.lang))
            self.store.save_catalogue(result, day=day)
            return RefreshResult(result, len(stale), len(gone))

    def refresh_all(self) -> list[RefreshResult]:
        return [self.refresh(cid) for cid in self.catalogue.catalogues]

    def current(self, catalogue_id: str) -> CatalogueQuality:
        """The catalogue's aggregate for a page: brought up to date, unless a refresh is already under way (the
        day's first rescoring of a large catalogue takes minutes): then the last one kept, dated by checked_at."""
        found = self._known(catalogue_id)
        kept = self.store.catalogue(found.id)
        lock = self._locks.setdefault(found.id, threading.Lock())
        if kept is not None and lock.locked():
            return kept
        return self.refresh(found.id).aggregate

    def catalogue_quality(self, catalogue_id: str) -> CatalogueQuality:
        """GET /catalogues/{cc}/quality (404 unknown catalogue)."""
        return self.refresh(catalogue_id).aggregate

    def dataset_quality(self, catalogue_id: str, record_id: str) -> StoredQuality:
        """GET .../datasets/{id}/quality: 404 unknown, 410 deleted, like the dataset itself."""
        found = self._known(catalogue_id)
        row = self.catalogue.entry(found.id, record_id).row
        day = self.clock().date().isoformat()
        with self._locks.setdefault(found.id, threading.Lock()):
            stamp = Stamp(row.seq, day, self.store.links_generation(found.id))
            if self.store.stamps_of(found.id, record_id) != stamp:
                self.store.save_datasets(found.id, [(stamp, self._score(found, record_id, now=self.clock()))])
        stored = self.store.dataset(found.id, record_id)
        assert stored is not None
        return stored

    def page_stamp(self, catalogue_id: str) -> str:
        """What a dataset's quality depends on besides its record: the day (freshness) and the link checks run."""
        return f"{self.clock().date().isoformat()}.{self.store.links_generation(catalogue_id)}"

    def dataset_box(self, catalogue_id: str, record_id: str, lang: str) -> dict[str, Any]:
        """A dataset page's quality box: the quality JSON, what would raise it (in `lang`), and the note on what
        was not measured (reachability, until a link check has run)."""
        stored = self.dataset_quality(catalogue_id, record_id)
        metrics = self.scorer.metrics
        note = (render(text("quality.unmeasured_catalogue", points=reachability_points(metrics)), lang)
                if self.store.links_generation(catalogue_id) == 0 else "")
        return {"quality": stored.quality.model_dump(mode="json"), "note": note, "metrics": metrics,
                "improvements": improvements_json(stored.quality, metrics=metrics, lang=lang)}

    # ------------------------------------------------------------------------------------------ dashboard

    def shown_catalogues(self) -> list[str]:
        """The catalogues that hold datasets, the four countries first."""
        counted = [cid for cid in self.catalogue.catalogues if self.catalogue.count(cid)[0] > 0]
        return sorted(counted, key=lambda cid: (DASHBOARD_FIRST.index(cid) if cid in DASHBOARD_FIRST else 99, cid))

    # ------------------------------------------------------------------------------------------ link checks

    def start_linkcheck(self, catalogue_id: str, *, reason: str = "request") -> LinkRun:
        """Check the catalogue's access and download URLs in the background (a run under way is answered)."""
        return self.links.start(catalogue_id, reason=reason)

    def linkcheck(self, catalogue_id: str, run_id: str) -> LinkRun:
        return self.links.get(catalogue_id, run_id)

    def run_answer(self, run: LinkRun, *, results: bool = True) -> dict[str, object]:
        return self.links.answer(run, results=results)

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

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pyoxigraph as ox
from rdflib import Graph, URIRef

from app.catalogue.definitions import Catalogue
from app.catalogue.service import LANGS, CatalogueService
from app.errors import NotFoundError
from app.i18n import text
from app.net.client import SafeClient
from app.quality.aggregate import DatasetEntry, aggregate
from app.quality.history import LinkRun, QualityStore, Stamp, StoredQuality
from app.quality.indicators import RecordIndex
from app.quality.linkcheck import LinkChecker, LinkPolicy, is_due
from app.quality.models import CatalogueQuality, HistoryPoint
from app.quality.safe_fetch import SafeFetch, link_http_policy
from app.quality.score import Scorer
from app.rdf.terms import to_rdflib
from app.settings import Settings

logger = logging.getLogger("puente.quality")
Clock = Callable[[], datetime]
_LINK_PREDICATES = ("<http://www.w3.org/ns/dcat#accessURL>", "<http://www.w3.org/ns/dcat#downloadURL>")
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
DASHBOARD_FIRST = ("co", "cl", "mx", "es")   # the four countries, in the order the dashboard compares them


def link_policy(settings: Settings) -> LinkPolicy:
    """The link-check policy of the settings (PUENTE_LINKCHECK_*)."""
    return LinkPolicy(timeout_s=settings.linkcheck_timeout_s,
                      recheck_after=timedelta(hours=settings.linkcheck_recheck_hours),
                      per_host=settings.linkcheck_per_host, concurrency=settings.linkcheck_concurrency)


def link_urls(lines: Iterable[str]) -> list[str]:
    """The access and download URLs in a record's N-Triples lines, each once."""
    found: dict[str, None] = {}
    for line in lines:
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in _LINK_PREDICATES and parts[2].startswith("<"):
            found[parts[2][1:parts[2].index(">")]] = None
    return list(found)


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
        self._runs_lock = threading.Lock()
        self._active_runs: dict[str, str] = {}
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()

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
        self._closed.set()
        for thread in list(self._threads):
            thread.join(timeout=self.policy.timeout_s + 5)
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

    def refresh(self, catalogue_id: str) -> RefreshResult:
        """Score the catalogue's datasets whose quality is stale, forget deleted ones, keep the day's aggregate."""
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
            for start in range(0, len(stale), 200):
                batch = []
                for rid in stale[start:start + 200]:
                    batch.append((Stamp(active[rid], day.isoformat(), generation), self._score(found, rid, now=now)))
                self.store.save_datasets(found.id, batch)
            if gone:
                self.store.forget_datasets(found.id, gone)
            entries = [DatasetEntry(s.quality, title=s.title, publisher=s.publisher)
                       for s in self.store.datasets(found.id)]
            result = aggregate(found.id, entries, metrics=self.scorer.metrics, checked_at=now,
                               title=found.title(self.lang))
            self.store.save_catalogue(result, day=day)
            return RefreshResult(result, len(stale), len(gone))

    def refresh_all(self) -> list[RefreshResult]:
        return [self.refresh(cid) for cid in self.catalogue.catalogues]

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

    # ------------------------------------------------------------------------------------------ dashboard

    def shown_catalogues(self) -> list[str]:
        """The catalogues that hold datasets, the four countries first."""
        counted = [cid for cid in self.catalogue.catalogues if self.catalogue.count(cid)[0] > 0]
        return sorted(counted, key=lambda cid: (DASHBOARD_FIRST.index(cid) if cid in DASHBOARD_FIRST else 99, cid))

    # ------------------------------------------------------------------------------------------ link checks

    def start_linkcheck(self, catalogue_id: str, *, reason: str = "request") -> LinkRun:
        """Check the catalogue's access and download URLs in the background; a run already under way is answered
        instead of a second one."""
        found = self._known(catalogue_id)
        with self._runs_lock:
            running = self._active_runs.get(found.id)
            if running is not None:
                current = self.store.run(found.id, running)
                if current is not None and current.status in ("queued", "running"):
                    return current
            run_id = secrets.token_hex(8)
            self.store.create_run(run_id, found.id, reason=reason, created=self.clock().isoformat())
            self._active_runs[found.id] = run_id
            thread = threading.Thread(target=self._run_links, args=(found.id, run_id), daemon=True,
                                      name=f"linkcheck-{found.id}")
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            thread.start()
        run = self.store.run(found.id, run_id)
        assert run is not None
        return run

    def linkcheck(self, catalogue_id: str, run_id: str) -> LinkRun:
        found = self._known(catalogue_id)
        run = self.store.run(found.id, run_id[:64])
        if run is None:
            raise NotFoundError(text("detail.unknown_linkcheck", id=run_id[:64], catalogue=found.id))
        return run

    def _catalogue_urls(self, catalogue_id: str) -> dict[str, list[str]]:
        urls: dict[str, list[str]] = {}
        for entries in self.catalogue.export_rows(catalogue_id):
            for entry in entries:
                for url in link_urls(entry.lines):
                    urls.setdefault(url, []).append(entry.row.id)
        return urls

    def _run_links(self, catalogue_id: str, run_id: str) -> None:
        try:
            self.store.update_run(run_id, status="running", started=self.clock().isoformat())
            urls = self._catalogue_urls(catalogue_id)
            self.store.update_run(run_id, total=len(urls), urls=urls)
            asyncio.run(self._check(run_id, list(urls)))
            self.store.bump_links_generation(catalogue_id)
            self.store.update_run(run_id, status="done", finished=self.clock().isoformat())
            if not self._closed.is_set():
                self.refresh(catalogue_id)  # reachability feeds the accessibility indicators now
        except Exception as error:  # a run fails alone; the service goes on
            logger.exception("link-check run %s of %s failed", run_id, catalogue_id)
            self.store.update_run(run_id, status="failed", error=str(error)[:500], finished=self.clock().isoformat())

    async def _check(self, run_id: str, urls: Sequence[str]) -> None:
        settings = self.catalogue.settings
        fetch = SafeFetch(SafeClient(link_http_policy(settings, self.policy)), threads=self.policy.concurrency)
        try:
            checker = LinkChecker(fetch, clock=self.clock, policy=self.policy)
            cached = self.store.links(urls)
            now = self.clock()
            due = [url for url in urls if is_due(cached.get(url), now=now, policy=self.policy)]
            done = len(urls) - len(due)
            self.store.update_run(run_id, done=done, reused=done)

            async def one(url: str) -> None:
                nonlocal done
                if self._closed.is_set():
                    return
                self.store.save_link(await checker.check(url))
                done += 1
                self.store.update_run(run_id, done=done)

            await asyncio.gather(*(one(url) for url in due))
        finally:
            fetch.close()

    def run_answer(self, run: LinkRun, *, results: bool = True) -> dict[str, object]:
        """A run as the API shows it: progress, counts, and each URL's last check with the datasets giving it."""
        answer: dict[str, object] = {"id": run.id, "catalogue": run.catalogue, "status": run.status,
                                     "reason": run.reason, "created": run.created, "started": run.started,
                                     "finished": run.finished, "total": run.total, "done": run.done,
                                     "reused": run.reused, "error": run.error}
        if results:
            checks = self.store.links(run.urls)
            rows = []
            for url, datasets in run.urls.items():
                check = checks.get(url)
                rows.append({"url": url, "datasets": datasets,
                             **({"status": check.status, "reachable": check.reachable, "method": check.method,
                                 "error": check.error, "checked_at": check.checked_at.isoformat()} if check else
                                {"status": None, "reachable": None, "method": None, "error": None,
                                 "checked_at": None})})
            answer["counts"] = {"reachable": sum(1 for r in rows if r["reachable"] is True),
                                "unreachable": sum(1 for r in rows if r["reachable"] is False),
                                "unchecked": sum(1 for r in rows if r["reachable"] is None)}
            answer["results"] = rows
        return answer


class CatalogueQualitySource:
    """The dashboard's QualitySource backed by the catalogue: each catalogue's aggregate of today (computed when
    stale) and the kept history."""

    def __init__(self, quality: CatalogueQualityService) -> None:
        self.quality = quality

    def aggregates(self) -> Sequence[CatalogueQuality]:
        return [self.quality.refresh(cid).aggregate for cid in self.quality.shown_catalogues()]

    def history(self) -> Sequence[HistoryPoint]:
        return self.quality.store.history(self.quality.shown_catalogues())

    def titles(self, lang: str) -> dict[str, str]:
        """Each catalogue's name in `lang` (the page's language): its country's name from the EU country table
        (short enough for a chart's labels), or its title where two catalogues share a country."""
        catalogues = self.quality.catalogue.catalogues
        countries = [found.country_iri for found in catalogues.values()]
        names = {}
        for cid, found in catalogues.items():
            country = _label(self.quality.catalogue, found.country_iri, lang)
            names[cid] = country if country and countries.count(found.country_iri) == 1 else found.title(lang)
        return names


def _label(catalogue: CatalogueService, iri: str, lang: str) -> str | None:
    """A vocabulary IRI's skos:prefLabel in `lang` (else Spanish) from what the catalogue knows of it."""
    labels: dict[str, str] = {}
    prefix = f"<{iri}> <{_PREF_LABEL}> "
    for line in catalogue.knowledge.lines([f"<{iri}>"]):
        if line.startswith(prefix):
            term = Graph().parse(data=line, format="nt").value(URIRef(iri), URIRef(_PREF_LABEL))
            if term is not None:
                labels[getattr(term, "language", None) or ""] = str(term)
    return labels.get(lang) or labels.get("es") or labels.get("")


class QualityRefresher:
    """A background thread: every `poll_s` seconds, refreshes the catalogues written since its last look (and all
    of them when the day changed); after a write, starts a link-check run when `linkcheck_after_publish`."""

    def __init__(self, quality: CatalogueQualityService, *, poll_s: float, linkcheck_after_publish: bool) -> None:
        self.quality = quality
        self.poll_s = poll_s
        self.linkcheck_after_publish = linkcheck_after_publish
        self._seen: dict[str, int] = {}
        self._day = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="quality-refresher")

    def start(self) -> None:
        """Note where each catalogue's changes stand (a write from now on is seen), then start looking."""
        for cid in self.quality.catalogue.catalogues:
            self._seen[cid] = self._last_change(cid)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _last_change(self, catalogue_id: str) -> int:
        row = self.quality.catalogue.index.reader.execute("SELECT max(seq) FROM changes WHERE catalogue = ?",
                                                          (catalogue_id,)).fetchone()
        return int(row[0] or 0)

    def tick(self) -> list[str]:
        """One look: the catalogues refreshed."""
        day = self.quality.clock().date().isoformat()
        new_day, self._day = day != self._day, day
        refreshed = []
        for cid in self.quality.catalogue.catalogues:
            last = self._last_change(cid)
            written = cid in self._seen and last != self._seen[cid]
            if new_day or written or cid not in self._seen:
                self.quality.refresh(cid)
                refreshed.append(cid)
            if written and self.linkcheck_after_publish:
                self.quality.start_linkcheck(cid, reason="publish")
            self._seen[cid] = last
        return refreshed

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.tick()
            except Exception:  # the next look tries again
                logger.exception("quality refresh failed")

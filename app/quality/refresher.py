"""The catalogue's quality, kept up to date and shown: `QualityRefresher` (a background thread that rescores the
catalogues written since its last look, and all of them when the day changes) and `CatalogueQualitySource` (the
dashboard's QualitySource over the catalogue)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from rdflib import Graph, URIRef

from app.catalogue.service import CatalogueService
from app.quality.catalogue_quality import CatalogueQualityService, RefreshStopped
from app.quality.models import CatalogueQuality, HistoryPoint

logger = logging.getLogger("puente.quality")
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
MAX_DEFERRED_LOOKS = 30  # a catalogue written at every look (a long harvest) is still scored: every 5 minutes by
# default, so a publication of 100,000 datasets (3 minutes here) is scored once it ends, not in its middle


class CatalogueQualitySource:
    """The dashboard's QualitySource backed by the catalogue: each catalogue's aggregate of today (computed when
    stale) and the kept history."""

    def __init__(self, quality: CatalogueQualityService) -> None:
        self.quality = quality

    def aggregates(self) -> Sequence[CatalogueQuality]:
        return [self.quality.current(cid) for cid in self.quality.shown_catalogues()]

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
        self._due: set[str] = set()  # catalogues to score at the next quiet look
        self._busy_looks = 0  # looks in a row that found a write
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
        """One look: the catalogues refreshed.

        The catalogues written since the last look, and all of them on a new day, are due. They are scored at the
        first look that finds no write to any catalogue since the one before (or after MAX_DEFERRED_LOOKS busy
        looks): publications and harvests are scored once they end, instead of share by share while they run,
        taking a core from them; a write that arrives while a quiet look scores (a publication starting during
        the day's rescoring) stops it between batches, the rest staying due for the next quiet look. A look that
        MAX_DEFERRED_LOOKS busy ones forced scores everything due regardless, so a long harvest is scored as it
        goes. The quality endpoints are up to date meanwhile (they score what changed when asked)."""
        day = self.quality.clock().date().isoformat()
        if day != self._day:
            self._day = day
            self._due.update(self.quality.catalogue.catalogues)
        lasts = {cid: self._last_change(cid) for cid in self.quality.catalogue.catalogues}
        written = {cid for cid, last in lasts.items() if cid in self._seen and last != self._seen[cid]}
        self._due.update(cid for cid in lasts if cid not in self._seen or cid in written)
        self._busy_looks = self._busy_looks + 1 if written else 0
        refreshed: list[str] = []
        forced = self._busy_looks > MAX_DEFERRED_LOOKS
        if self._busy_looks == 0 or forced:
            def halted() -> bool:
                return self._stop.is_set() or (not forced and any(self._last_change(cid) != last
                                                                  for cid, last in lasts.items()))

            for cid in [cid for cid in lasts if cid in self._due]:
                try:
                    self.quality.refresh(cid, stop=halted)
                except RefreshStopped:  # what was scored is kept, the rest stays due
                    if self._stop.is_set():
                        return refreshed
                    break
                self._due.discard(cid)
                refreshed.append(cid)
            self._busy_looks = 0
        for cid, last in lasts.items():
            if cid in written and self.linkcheck_after_publish:
                self.quality.start_linkcheck(cid, reason="publish")
            self._seen[cid] = last
        return refreshed

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.tick()
            except Exception:  # the next look tries again
                logger.exception("quality refresh failed")

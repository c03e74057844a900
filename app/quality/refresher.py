"""The catalogue's quality, kept up to date and shown: `QualityRefresher` (a background thread that rescores the
catalogues written since its last look, and all of them when the day changes) and `CatalogueQualitySource` (the
dashboard's QualitySource over the catalogue)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from rdflib import Graph, URIRef

from app.catalogue.service import CatalogueService
from app.quality.catalogue_quality import CatalogueQualityService
from app.quality.models import CatalogueQuality, HistoryPoint

logger = logging.getLogger("puente.quality")
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


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

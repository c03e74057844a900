"""Link-check runs of a catalogue: every access and download URL of its datasets checked in the background
(`LinkChecker` over `SafeFetch`), each result kept with its time (reused until the re-check interval passes), the
run's progress kept and answered by id. When a run ends, its catalogue's link-check generation moves on (its
datasets' reachability may have changed) and `after` is called (the quality service rescores the catalogue).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from app.catalogue.service import CatalogueService
from app.errors import NotFoundError
from app.i18n import text
from app.net.client import SafeClient
from app.quality.history import LinkRun, QualityStore
from app.quality.linkcheck import LinkChecker, LinkPolicy, is_due
from app.quality.safe_fetch import SafeFetch, link_http_policy
from app.settings import Settings

logger = logging.getLogger("puente.quality")
_LINK_PREDICATES = ("<http://www.w3.org/ns/dcat#accessURL>", "<http://www.w3.org/ns/dcat#downloadURL>")


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


class LinkRuns:
    """Starts, runs and answers a catalogue's link-check runs (one at a time per catalogue). Thread-safe."""

    def __init__(self, catalogue: CatalogueService, *, store: QualityStore, clock: Callable[[], datetime],
                 policy: LinkPolicy, after: Callable[[str], object]) -> None:
        self.catalogue = catalogue
        self.store = store
        self.clock = clock
        self.policy = policy
        self.after = after
        self._lock = threading.Lock()
        self._active_runs: dict[str, str] = {}
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()

    def close(self) -> None:
        """Let the runs under way end (each URL has its time limit); no new check starts."""
        self._closed.set()
        for thread in list(self._threads):
            thread.join(timeout=self.policy.timeout_s + 5)

    def start(self, catalogue_id: str, *, reason: str = "request") -> LinkRun:
        """Check the catalogue's access and download URLs in the background; a run already under way is answered
        instead of a second one."""
        found = self.catalogue.catalogue(catalogue_id)
        with self._lock:
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

    def get(self, catalogue_id: str, run_id: str) -> LinkRun:
        found = self.catalogue.catalogue(catalogue_id)
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
                self.after(catalogue_id)  # reachability feeds the accessibility indicators now
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

    def answer(self, run: LinkRun, *, results: bool = True) -> dict[str, object]:
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

"""Socrata: the Discovery API for one domain, deep-paged with scroll_id; each new or changed view fetched from
/api/views/{id}.json for its custom fields (where datos.gov.co keeps the entity, the frequency, the language).

- Discovery (`{portal}/api/catalog/v1?domains=<host>`, which Socrata portals serve, or a configured base such
  as https://api.us.socrata.com/api/catalog/v1) caps offset + limit at 10,000; `scroll_id` (the last id read;
  empty on the first page) pages through any number of assets in id order, so offsets are never used.
- Discovery has no "changed since" filter: every run lists the domain (one request per `rows` assets) and
  fetches only the views whose updatedAt / metadata_updated_at / data_updated_at differ from the last run's.
- Every run lists the whole domain, so every complete run finds deletions (checked against resultSetSize).
- The data's own freshness is the view's rowsUpdatedAt (item.data_modified).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from app.errors import FetchError, HarvestError
from app.harvest.model import Change, HarvestItem, RunError, json_item
from app.harvest.readers.base import Context, Page, bad_answer, parse_json, state_json
from app.harvest.source import HarvestSource
from app.i18n import text
from app.net.client import shown_url

MAX_LIMIT = 10_000
# View fields that move without the metadata changing (counters, index bookkeeping).
VOLATILE = ("viewCount", "downloadCount", "numberOfComments", "averageRating", "totalTimesRated",
            "indexUpdatedAt", "viewLastAccessed")


@dataclass
class SocrataListing:
    scroll: str = ""                 # Discovery's scroll_id: the last id read
    seen: list[str] = field(default_factory=list)
    size: int | None = None          # resultSetSize of the latest page
    complete: bool = False
    pages: int = 0


@dataclass
class SocrataState:
    marks: dict[str, str] = field(default_factory=dict)  # view id → its Discovery dates when last read
    refused: list[str] = field(default_factory=list)     # ids the sink refused at that mark
    listing: SocrataListing | None = None

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> SocrataState:
        if not data:
            return cls()
        listing = data.get("listing")
        return cls(marks=dict(data.get("marks") or {}), refused=list(data.get("refused") or []),
                   listing=SocrataListing(**listing) if isinstance(listing, dict) else None)


def epoch_iso(value: Any) -> str | None:
    """Socrata's epoch seconds as an ISO 8601 UTC time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


class SocrataReader:
    def __init__(self, source: HarvestSource, saved: dict[str, Any] | None) -> None:
        self.source = source
        self.state = SocrataState.load(saved)
        self.portal = source.url.rstrip("/")
        self.domain = source.domain or (urlsplit(self.portal).hostname or "")
        self.discovery = (source.discovery_url or f"{self.portal}/api/catalog/v1").rstrip("/")
        self.limit = max(1, min(source.rows, MAX_LIMIT))
        self.resumed = self.state.listing is not None
        self._pending: dict[str, str] = {}
        self._short = False
        self._context: Context | None = None

    def pages(self, context: Context) -> Iterator[Page]:
        self._context = context
        listing = self.state.listing
        if listing is None:
            listing = self.state.listing = SocrataListing()
        while not listing.complete:
            params = {"domains": self.domain, "only": "dataset", "limit": self.limit, "scroll_id": listing.scroll}
            url = f"{self.discovery}?{urlencode(params)}"
            answer = context.get_json(url)
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list):
                raise bad_answer(url, "Socrata Discovery API", "no results")
            size = answer.get("resultSetSize")
            listing.size = size if isinstance(size, int) else None
            entries = [(self._id(r), r) for r in results]
            ids = [i for i, _ in entries if i]
            if any(i <= listing.scroll for i in ids) or ids != sorted(ids):
                raise bad_answer(url, "Socrata Discovery API", "scroll_id was not followed (ids out of order)")
            page = Page(url=url, listed=ids)
            known = context.sink_ids()
            refused = set(self.state.refused)
            wanted: list[tuple[str, str, dict[str, Any]]] = []
            for view_id, result in entries:
                if not view_id:
                    page.errors.append(RunError("record", text("detail.harvest_no_id", url=shown_url(url)), url))
                    continue
                mark = self._mark(result)
                if not context.full and self.state.marks.get(view_id) == mark:
                    if view_id in refused:
                        page.still_refused += 1
                        continue
                    if view_id in known:
                        page.unchanged += 1
                        continue
                wanted.append((view_id, mark, result))
            self._pending = {}
            for view_id, mark, item_or_error in self._views(context, wanted):
                if isinstance(item_or_error, HarvestItem):
                    page.items.append(item_or_error)
                    self._pending[view_id] = mark
                else:
                    page.errors.append(item_or_error)
            self._short = len(results) < self.limit
            yield page

    def settle(self, page: Page, outcomes: Mapping[str, Change]) -> None:
        listing = self.state.listing
        assert listing is not None
        refused = set(self.state.refused)
        for view_id, mark in self._pending.items():
            change = outcomes.get(view_id)
            if change is None:
                continue
            self.state.marks[view_id] = mark
            if change is Change.REFUSED:
                refused.add(view_id)
            else:
                refused.discard(view_id)
        self.state.refused = sorted(refused)
        listing.seen.extend(page.listed)
        if page.listed:
            listing.scroll = page.listed[-1]
        listing.pages += 1
        listing.complete = self._short
        self._pending = {}

    def complete_ids(self) -> set[str] | None:
        listing = self.state.listing
        if listing is None or not listing.complete:
            return None
        seen = set(listing.seen)
        if listing.size is not None and len(seen) < listing.size:
            if self._context is not None:
                self._context.note(text("detail.harvest_incomplete", url=shown_url(self.discovery), seen=len(seen),
                                        expected=listing.size))
            return None
        return seen

    def finish(self) -> None:
        listing = self.state.listing
        if listing is not None and listing.complete:
            seen = set(listing.seen)
            self.state.marks = {k: v for k, v in self.state.marks.items() if k in seen}
            self.state.refused = [k for k in self.state.refused if k in seen]
        self.state.listing = None

    def dump(self) -> dict[str, Any]:
        return state_json(self.state)

    # -- helpers -------------------------------------------------------------------------------------------------

    @staticmethod
    def _id(result: Any) -> str | None:
        resource = result.get("resource") if isinstance(result, dict) else None
        view_id = resource.get("id") if isinstance(resource, dict) else None
        return view_id if isinstance(view_id, str) and view_id else None

    @staticmethod
    def _mark(result: dict[str, Any]) -> str:
        resource = result.get("resource") or {}
        return "|".join(str(resource.get(k) or "") for k in ("updatedAt", "metadata_updated_at", "data_updated_at"))

    def _views(self, context: Context, wanted: list[tuple[str, str, dict[str, Any]]]
               ) -> Iterator[tuple[str, str, HarvestItem | RunError]]:
        """Fetch the views, as many at once as the host's concurrency allows (answers in listing order)."""
        if not wanted:
            return
        host = urlsplit(self.portal).hostname or ""
        workers = max(1, min(len(wanted), context.client.limiter.rule(host).concurrency))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="puente-views") as pool:
            futures = [pool.submit(self._view, context, view_id, result) for view_id, _, result in wanted]
            for (view_id, mark, _), future in zip(wanted, futures, strict=True):
                yield view_id, mark, future.result()

    def _view(self, context: Context, view_id: str, result: dict[str, Any]) -> HarvestItem | RunError:
        url = f"{self.portal}/api/views/{quote(view_id, safe='')}.json"
        try:
            fetched = context.get(url, accept="application/json")
            view = parse_json(fetched.body, url=url, limits=context.limits)
        except (FetchError, HarvestError) as error:
            return RunError("record", error.detail, url, view_id)
        if not isinstance(view, dict) or view.get("id") != view_id:
            return RunError("record", bad_answer(url, "Socrata /api/views", "not the view asked for").detail,
                            url, view_id)
        resource = result.get("resource") or {}
        modified = resource.get("metadata_updated_at") or epoch_iso(view.get("viewLastModified"))
        return json_item(view_id, view, source_format=self.source.records_read_as, url=url,
                         modified=modified if isinstance(modified, str) else None,
                         data_modified=epoch_iso(view.get("rowsUpdatedAt")) or resource.get("data_updated_at"),
                         ignore=VOLATILE)

"""CKAN: the Action API read incrementally, with deletions caught by a sweep of ids.

- package_search sorted by metadata_modified ascending (a dataset edited during the crawl moves to the end and
  is read again, never skipped), paged by keyset: `fq=metadata_modified:[cursor TO *]` and `start` counting
  the datasets already read at the cursor's timestamp. An incremental run starts at the last run's newest
  metadata_modified minus an overlap. `rows` is at most 1000 (CKAN's default ckan.search.rows_max).
- Some proxies drop `fq` (or `sort`) silently: every answer is checked (no dataset older than the cursor, in
  ascending order); when the check fails the listing falls back to plain offsets, which is complete but not
  incremental, and the run says so.
- The sweep (package_list, paged; package_search with fl=name where package_list is refused) lists every
  dataset name; datasets listed but neither stored nor refused are fetched with package_show (whatever the
  incremental listing missed), and stored ones not listed are deleted. The sweep's count is checked against
  package_search's: a listing that does not add up deletes nothing.

Datasets are identified by their `name`, which is what package_list lists and what Puente's CKAN crosswalks
mint the dataset IRI from (a renamed dataset is a new dataset, its old name deleted).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from app.errors import FetchError
from app.harvest.model import Change, HarvestItem, RunError, json_item
from app.harvest.readers.base import Context, Page, bad_answer, state_json
from app.harvest.source import HarvestSource
from app.i18n import text
from app.net.client import shown_url

MAX_ROWS = 1000
LIST_PAGE = 1000
SHOW_BATCH = 100
VOLATILE = ("tracking_summary",)  # page-view counters (ckan.tracking_enabled): not a change of the record
SORT = "metadata_modified asc,name asc"


@dataclass
class CkanListing:
    """A listing in progress (saved after every page)."""

    phase: str = "search"          # search → sweep → delete
    mode: str = "keyset"           # keyset: fq since `cursor`, start=`skip`; offset: no fq, start=`offset`
    cursor: str | None = None      # Solr timestamp (milliseconds, UTC)
    skip: int = 0                  # datasets at `cursor` already read
    offset: int = 0
    high: str | None = None        # newest metadata_modified read so far
    sweep: bool = False
    incremental: bool = False
    names: list[str] | None = None  # the complete list of names, once the sweep has it
    pages: int = 0


@dataclass
class CkanState:
    since: str | None = None       # newest metadata_modified of the last complete run
    runs_since_sweep: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # name → metadata_modified the sink refused
    listing: CkanListing | None = None

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> CkanState:
        if not data:
            return cls()
        listing = data.get("listing")
        return cls(since=data.get("since"), runs_since_sweep=int(data.get("runs_since_sweep", 0)),
                   refused=dict(data.get("refused") or {}),
                   listing=CkanListing(**listing) if isinstance(listing, dict) else None)


def api_base(url: str) -> str:
    """The Action API's base from a portal address or the API's own address."""
    base = url.rstrip("/")
    for suffix in ("/api/3/action", "/api/action"):
        if base.endswith(suffix):
            return base
    return base + "/api/3/action"


def parse_timestamp(value: Any) -> datetime | None:
    """CKAN's metadata_modified (naive UTC, microseconds; some portals add Z or an offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def solr_time(moment: datetime) -> str:
    """A Solr date at millisecond precision, rounded down (a lower bound never excludes what it should keep)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class CkanReader:
    def __init__(self, source: HarvestSource, saved: dict[str, Any] | None) -> None:
        self.source = source
        self.state = CkanState.load(saved)
        self.api = api_base(source.url)
        self.rows = max(1, min(source.rows, MAX_ROWS))
        self.resumed = self.state.listing is not None
        self._pending: list[tuple[str, datetime | None]] = []

    # -- the reader contract -----------------------------------------------------------------------------------

    def pages(self, context: Context) -> Iterator[Page]:
        listing = self.state.listing
        if listing is None or (context.full and listing.incremental):
            self.resumed = False
            listing = self.state.listing = self._new_listing(full=context.full)
        if listing.phase == "search":
            yield from self._search(context, listing)
            listing.phase = "sweep" if listing.sweep else "done"
        if listing.phase == "sweep":
            yield from self._sweep(context, listing)

    def settle(self, page: Page, outcomes: Mapping[str, Change]) -> None:
        listing = self.state.listing
        assert listing is not None
        for item in page.items:
            change = outcomes.get(item.source_id)
            if change is Change.REFUSED:
                self.state.refused[item.source_id] = item.modified or ""
            elif change is not None:
                self.state.refused.pop(item.source_id, None)
        if listing.phase != "search" or not self._pending:
            self._pending = []
            return
        stamps = [s for _, s in self._pending if s is not None]
        if stamps:
            newest = max(stamps)
            high = parse_timestamp(listing.high)
            if high is None or newest > high:
                listing.high = newest.isoformat()
        if listing.mode == "keyset" and stamps:
            floors = [solr_time(s) for s in stamps]
            last = floors[-1]
            if listing.cursor == last:
                listing.skip += len(floors)
            else:
                listing.cursor = last
                listing.skip = sum(1 for f in floors if f == last)
        else:
            listing.offset += len(self._pending)
        listing.pages += 1
        self._pending = []

    def complete_ids(self) -> set[str] | None:
        listing = self.state.listing
        if listing is None or listing.phase != "delete" or listing.names is None:
            return None
        return set(listing.names)

    def finish(self) -> None:
        listing = self.state.listing
        if listing is not None:
            if listing.high is not None:
                self.state.since = listing.high
            self.state.runs_since_sweep = 0 if listing.sweep else self.state.runs_since_sweep + 1
            if listing.names is not None:
                names = set(listing.names)
                self.state.refused = {k: v for k, v in self.state.refused.items() if k in names}
        self.state.listing = None

    def dump(self) -> dict[str, Any]:
        return state_json(self.state)

    # -- package_search ------------------------------------------------------------------------------------------

    def _new_listing(self, *, full: bool) -> CkanListing:
        every = self.source.sweep_every
        sweep = full or every == 1 or (every > 0 and self.state.runs_since_sweep + 1 >= every)
        since = None if full else parse_timestamp(self.state.since)
        if since is None:
            return CkanListing(sweep=sweep, high=None if full else self.state.since)
        start = since - timedelta(seconds=self.source.overlap_s)
        return CkanListing(cursor=solr_time(start), sweep=sweep, incremental=True, high=self.state.since)

    def _search(self, context: Context, listing: CkanListing) -> Iterator[Page]:
        while True:
            params: dict[str, Any] = {"q": "*:*", "sort": SORT, "rows": self.rows}
            if listing.mode == "keyset":
                params["start"] = listing.skip
                if listing.cursor is not None:
                    params["fq"] = f"metadata_modified:[{listing.cursor} TO *]"
            else:
                params["start"] = listing.offset
            url = f"{self.api}/package_search?{urlencode(params)}"
            result = self._result(context, url)
            packages = result.get("results")
            if not isinstance(packages, list) or not isinstance(result.get("count"), int):
                raise bad_answer(url, "CKAN package_search", "no result.results / result.count")
            stamps = [parse_timestamp(p.get("metadata_modified")) if isinstance(p, dict) else None for p in packages]
            if listing.mode == "keyset" and packages and not self._keyset_holds(listing, stamps):
                context.note(text("detail.harvest_fq_ignored", url=shown_url(url)))
                listing.mode, listing.offset = "offset", 0
                continue
            page = Page(url=url)
            self._pending = []
            for package, stamp in zip(packages, stamps, strict=True):
                name = package.get("name") if isinstance(package, dict) else None
                if not isinstance(name, str) or not name:
                    page.errors.append(RunError("record", text("detail.harvest_no_id", url=shown_url(url)), url))
                    continue
                self._pending.append((name, stamp))
                page.items.append(self._item(package, name, url))
                page.listed.append(name)
            yield page
            if len(packages) < self.rows:
                return

    @staticmethod
    def _keyset_holds(listing: CkanListing, stamps: list[datetime | None]) -> bool:
        """The portal applied fq and sort: every dataset has a timestamp, none before the cursor, in order."""
        if any(s is None for s in stamps):
            return False
        present = [s for s in stamps if s is not None]
        if listing.cursor is not None and any(solr_time(s) < listing.cursor for s in present):
            return False
        return all(a <= b for a, b in zip(present, present[1:], strict=False))

    def _item(self, package: dict[str, Any], name: str, url: str) -> HarvestItem:
        resource_dates: list[str] = [r["last_modified"] for r in package.get("resources") or []
                                     if isinstance(r, dict) and isinstance(r.get("last_modified"), str)
                                     and r["last_modified"]]
        modified = package.get("metadata_modified")
        return json_item(name, package, source_format=self.source.records_read_as, url=url,
                         modified=modified if isinstance(modified, str) else None,
                         data_modified=max(resource_dates) if resource_dates else None, ignore=VOLATILE)

    def _result(self, context: Context, url: str) -> Any:
        answer = context.get_json(url)
        if not isinstance(answer, dict) or answer.get("success") is not True or "result" not in answer:
            raise bad_answer(url, "CKAN Action API", "no {\"success\": true, \"result\": ...}")
        result = answer["result"]
        if isinstance(result, dict) or isinstance(result, list):
            return result
        raise bad_answer(url, "CKAN Action API", "result is not an object or a list")

    # -- the sweep -------------------------------------------------------------------------------------------------

    def _sweep(self, context: Context, listing: CkanListing) -> Iterator[Page]:
        count_url = f"{self.api}/package_search?{urlencode({'q': '*:*', 'rows': 0})}"
        expected = self._result(context, count_url).get("count")
        if not isinstance(expected, int):
            raise bad_answer(count_url, "CKAN package_search", "no result.count")
        distinct = set(self._all_names(context, expected=expected))
        if len(distinct) < expected:
            context.note(text("detail.harvest_incomplete", url=shown_url(self.api), seen=len(distinct),
                              expected=expected))
            listing.phase = "done"  # nothing deleted on a listing that does not add up
            return
        known = context.sink_ids()
        missing = sorted(distinct - known - set(self.state.refused))
        for start in range(0, len(missing), SHOW_BATCH):
            page = Page(url=f"{self.api}/package_show")
            for name in missing[start:start + SHOW_BATCH]:
                url = f"{self.api}/package_show?{urlencode({'id': name})}"
                try:
                    package = self._result(context, url)
                except FetchError as error:  # gone between the list and the show: nothing to store
                    page.errors.append(RunError("record", error.detail, url, name))
                    continue
                if isinstance(package, dict) and package.get("name") == name:
                    page.items.append(self._item(package, name, url))
                else:
                    page.errors.append(RunError("record", bad_answer(url, "CKAN package_show", name).detail,
                                                url, name))
            yield page
        listing.names = sorted(distinct)
        listing.phase = "delete"

    def _all_names(self, context: Context, *, expected: int) -> list[str]:
        """Every dataset name: package_list in one request (what CKAN serves by default), in pages of
        limit/offset when one answer falls short of the count, and package_search (fl=name) where package_list
        is refused."""
        try:
            whole = self._names(context, f"{self.api}/package_list")
            if len(set(whole)) >= expected:
                return whole
            names: list[str] = []
            offset = 0
            while True:
                query = urlencode({"limit": LIST_PAGE, "offset": offset})
                chunk = self._names(context, f"{self.api}/package_list?{query}")
                if offset and chunk and names and chunk[0] == names[0]:
                    return names  # limit/offset ignored: the same list again
                names.extend(chunk)
                if len(chunk) != LIST_PAGE:
                    return names
                offset += LIST_PAGE
        except FetchError as refused:
            if refused.status_code not in (400, 403, 404, 405):
                raise
        return self._names_by_search(context)

    def _names(self, context: Context, url: str) -> list[str]:
        chunk = self._result(context, url)
        if not isinstance(chunk, list) or not all(isinstance(n, str) for n in chunk):
            raise bad_answer(url, "CKAN package_list", "result is not a list of names")
        return chunk

    def _names_by_search(self, context: Context) -> list[str]:
        """package_list refused (some portals disable it): page package_search for names only."""
        names: list[str] = []
        start = 0
        while True:
            params = {"q": "*:*", "fl": "name", "sort": "name asc", "rows": MAX_ROWS, "start": start}
            url = f"{self.api}/package_search?{urlencode(params)}"
            results = self._result(context, url).get("results")
            if not isinstance(results, list):
                raise bad_answer(url, "CKAN package_search", "no result.results")
            names.extend(r["name"] for r in results if isinstance(r, dict) and isinstance(r.get("name"), str))
            if len(results) < MAX_ROWS:
                return names
            start += MAX_ROWS

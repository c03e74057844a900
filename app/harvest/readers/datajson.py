"""data.json (Project Open Data 1.1, ADELA's catalogo.json, ArcGIS Hub, Socrata's export): one document.

There is no incremental API: the file is fetched with a conditional GET (If-None-Match / If-Modified-Since
from the last complete run; 304 means nothing changed and nothing more is fetched), and each dataset is
compared by a hash of its content with sorted keys. Its `modified` is left out of that hash: some portals bump
it every day whatever happened (GSA/data.gov#5079), so it is not taken as a change on its own.
The document is the complete listing: datasets no longer in it are deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.harvest.model import Change, RunError, json_item
from app.harvest.readers.base import Context, Page, bad_answer, parse_json, state_json
from app.harvest.source import HarvestSource
from app.i18n import text
from app.net.client import shown_url

CHUNK = 500  # items per page handed to the sink (the document is read once)
IGNORED = ("modified",)


@dataclass
class DatajsonListing:
    complete: bool = False
    ids: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class DatajsonState:
    etag: str | None = None
    last_modified: str | None = None
    listing: DatajsonListing | None = None

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> DatajsonState:
        if not data:
            return cls()
        listing = data.get("listing")
        return cls(etag=data.get("etag"), last_modified=data.get("last_modified"),
                   listing=DatajsonListing(**listing) if isinstance(listing, dict) else None)


def dataset_id(entry: dict[str, Any]) -> str | None:
    """A data.json dataset's identifier (POD `identifier`; ADELA sometimes only `id`)."""
    for key in ("identifier", "id"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


class DatajsonReader:
    def __init__(self, source: HarvestSource, saved: dict[str, Any] | None) -> None:
        self.source = source
        self.state = DatajsonState.load(saved)
        self.resumed = self.state.listing is not None
        self._not_modified = False
        self._last = False  # the page being settled is the document's last

    def pages(self, context: Context) -> Iterator[Page]:
        listing = self.state.listing
        if listing is not None and listing.complete:
            return  # a run stopped while deleting: the listing is whole, only the deletions remain
        url = self.source.url
        conditional = {} if context.full else {"etag": self.state.etag, "last_modified": self.state.last_modified}
        fetched = context.get(url, accept="application/json", **conditional)
        if fetched.not_modified:
            self._not_modified = True
            context.note(text("detail.harvest_not_modified", url=shown_url(url)))
            yield Page(url=url)
            return
        document = parse_json(fetched.body, url=url, limits=context.limits)
        entries = document.get("dataset") if isinstance(document, dict) else document
        if not isinstance(entries, list):
            raise bad_answer(url, "data.json", "no \"dataset\" list")
        listing = self.state.listing = DatajsonListing(etag=fetched.etag, last_modified=fetched.last_modified)
        seen: set[str] = set()
        page = Page(url=url)
        for position, entry in enumerate(entries):
            source_id = dataset_id(entry) if isinstance(entry, dict) else None
            if source_id is None:
                page.errors.append(RunError("record", text("detail.harvest_no_id_at", url=shown_url(url),
                                                           position=position), url))
            elif source_id in seen:
                page.errors.append(RunError("record", text("detail.harvest_duplicate_id", url=shown_url(url),
                                                           id=source_id[:200]), url, source_id))
            else:
                seen.add(source_id)
                modified = entry.get("modified")
                page.items.append(json_item(source_id, entry, source_format=self.source.records_read_as, url=url,
                                            modified=modified if isinstance(modified, str) else None,
                                            ignore=IGNORED))
                page.listed.append(source_id)
            if len(page.items) >= CHUNK:
                yield page
                page = Page(url=url)
        listing.ids = sorted(seen)
        self._last = True
        yield page

    def settle(self, page: Page, outcomes: Mapping[str, Change]) -> None:
        listing = self.state.listing
        if listing is not None and self._last:
            listing.complete = True

    def complete_ids(self) -> set[str] | None:
        listing = self.state.listing
        return set(listing.ids) if listing is not None and listing.complete else None

    def finish(self) -> None:
        listing = self.state.listing
        if listing is not None and listing.complete:
            self.state.etag, self.state.last_modified = listing.etag, listing.last_modified
        self.state.listing = None

    def dump(self) -> dict[str, Any]:
        return state_json(self.state)

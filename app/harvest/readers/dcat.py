"""DCAT endpoints (datos.gob.es, ckanext-dcat, piveau): RDF pages followed through Hydra's next link.

- Both vocabularies: `hydra:PartialCollectionView` / `hydra:next` and the deprecated `hydra:PagedCollection` /
  `hydra:nextPage` (ckanext-dcat writes it as a literal), else an RFC 8288 Link header.
- Loops are detected, never followed: a next page whose URL was already read in this listing, or a page whose
  content repeats one already read, stops the run with an error (no deletions; ckanext-dcat#260).
- Each dataset becomes one item: its triples and those of what it points to in the page, as N-Triples,
  identified by its IRI (a blank-node dataset by its dct:identifier), hashed independently of blank-node labels.
- `modified_since`, where the endpoint offers it: incremental runs ask for datasets modified since the last
  run's newest dct:modified (minus the overlap); such a listing is not complete, so every `full_every`-th run
  lists everything and catches deletions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urldefrag, urlencode

from rdflib import BNode, Literal, URIRef

from app.errors import HarvestError
from app.harvest.model import Change, HarvestItem, RunError
from app.harvest.rdf import (
    IDENTIFIER,
    MODIFIED,
    PUBLISHER,
    RDF_ACCEPT,
    PageGraph,
    graph_hash,
    named,
    ntriples,
    parse_page,
)
from app.harvest.readers.base import Context, Page, state_json
from app.harvest.readers.ckan import parse_timestamp
from app.harvest.source import HarvestSource
from app.i18n import text
from app.net.client import shown_url


@dataclass
class DcatListing:
    next_url: str | None
    seen_urls: list[str] = field(default_factory=list)
    seen_hashes: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    complete: bool = False
    incremental: bool = False
    newest: str | None = None
    pages: int = 0


@dataclass
class DcatState:
    since: str | None = None      # newest dct:modified of the last complete run
    runs_since_full: int = 0
    listing: DcatListing | None = None

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> DcatState:
        if not data:
            return cls()
        listing = data.get("listing")
        return cls(since=data.get("since"), runs_since_full=int(data.get("runs_since_full", 0)),
                   listing=DcatListing(**listing) if isinstance(listing, dict) else None)


def _same_page(url: str) -> str:
    return urldefrag(url)[0]


class DcatReader:
    def __init__(self, source: HarvestSource, saved: dict[str, Any] | None) -> None:
        self.source = source
        self.state = DcatState.load(saved)
        self.resumed = self.state.listing is not None
        self._pending: tuple[str, str, str | None, list[str], str | None] | None = None

    def pages(self, context: Context) -> Iterator[Page]:
        listing = self.state.listing
        if listing is None or (context.full and listing.incremental):
            self.resumed = False
            listing = self.state.listing = self._new_listing(full=context.full)
        while listing.next_url is not None and not listing.complete:
            url = listing.next_url
            if _same_page(url) in listing.seen_urls:
                raise HarvestError(text("detail.harvest_loop", url=shown_url(url), pages=listing.pages), url=url)
            fetched = context.get(url, accept=RDF_ACCEPT)
            digest = hashlib.sha256(fetched.body).hexdigest()
            if digest in listing.seen_hashes:
                raise HarvestError(text("detail.harvest_loop_content", url=shown_url(url), pages=listing.pages),
                                   url=url)
            page_graph = PageGraph(parse_page(fetched.body, media_type=fetched.media_type, url=fetched.url,
                                              limits=context.limits))
            following = page_graph.next_page(url=fetched.url, link_header=fetched.headers.get("link"))
            page = Page(url=url)
            newest: tuple[datetime, str] | None = None
            for dataset in page_graph.datasets():
                item = self._item(page_graph, dataset, url)
                if isinstance(item, RunError):
                    page.errors.append(item)
                    continue
                page.items.append(item)
                page.listed.append(item.source_id)
                stamp = parse_timestamp(item.modified)
                if stamp is not None and item.modified is not None and (newest is None or stamp > newest[0]):
                    newest = (stamp, item.modified)
            self._pending = (_same_page(url), digest, following, page.listed, newest[1] if newest else None)
            yield page

    def settle(self, page: Page, outcomes: Mapping[str, Change]) -> None:
        listing = self.state.listing
        if listing is None or self._pending is None:
            return
        url, digest, following, ids, newest = self._pending
        listing.seen_urls.append(url)
        listing.seen_hashes.append(digest)
        listing.ids.extend(ids)
        listing.next_url = following
        listing.complete = following is None
        if newest is not None:
            current = parse_timestamp(listing.newest)
            stamp = parse_timestamp(newest)
            if current is None or (stamp is not None and stamp > current):
                listing.newest = newest
        listing.pages += 1
        self._pending = None

    def complete_ids(self) -> set[str] | None:
        listing = self.state.listing
        if listing is None or not listing.complete or listing.incremental:
            return None
        return set(listing.ids)

    def finish(self) -> None:
        listing = self.state.listing
        if listing is not None and listing.complete:
            if listing.newest is not None:
                since = parse_timestamp(self.state.since)
                newest = parse_timestamp(listing.newest)
                if since is None or (newest is not None and newest > since):
                    self.state.since = listing.newest
            self.state.runs_since_full = self.state.runs_since_full + 1 if listing.incremental else 0
        self.state.listing = None

    def dump(self) -> dict[str, Any]:
        return state_json(self.state)

    def _new_listing(self, *, full: bool) -> DcatListing:
        since = parse_timestamp(self.state.since)
        every = self.source.full_every
        incremental = (self.source.modified_since and not full and since is not None
                       and (every <= 0 or self.state.runs_since_full + 1 < every))
        if not incremental or since is None:
            return DcatListing(next_url=self.source.url)
        start = (since - timedelta(seconds=self.source.overlap_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        separator = "&" if "?" in self.source.url else "?"
        return DcatListing(next_url=f"{self.source.url}{separator}{urlencode({'modified_since': start})}",
                           incremental=True)

    def _item(self, page: PageGraph, dataset: Any, url: str) -> HarvestItem | RunError:
        if isinstance(dataset, URIRef):
            source_id = str(dataset)
        else:
            identifiers = [str(v) for v in page.values(dataset, IDENTIFIER) if isinstance(v, Literal | URIRef)]
            if not identifiers or not isinstance(dataset, BNode):
                return RunError("record", text("detail.harvest_no_id", url=shown_url(url)), url)
            source_id = identifiers[0]
        triples = page.record(dataset)
        unnamed = tuple(sorted({str(o) for s, p, o in triples if s == dataset and str(p) == PUBLISHER
                                and isinstance(o, URIRef) and str(o).startswith(("http://", "https://"))
                                and not named(triples, o)}))
        modified = next((str(v) for v in page.values(dataset, MODIFIED) if isinstance(v, Literal)), None)
        return HarvestItem(source_id=source_id, body=ntriples(triples), media_type="application/n-triples",
                           source_format=self.source.records_read_as, content_hash=graph_hash(triples), url=url,
                           modified=modified, publisher_iris=unnamed)

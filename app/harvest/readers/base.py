"""What every reader shares: the run context it fetches through, the pages it yields, its state's contract.

A reader is driven by the harvester (app/harvest/harvester.py):

    for page in reader.pages(context):       # fetch one page (lazily: only when asked)
        ... the sink takes page.items ...
        reader.settle(page, outcomes)         # the page is done: move the cursor past it
        store.save(reader.dump())             # checkpoint
    ids = reader.complete_ids()               # every id the source has, if this run listed it all; else None
    ... deletions ...
    reader.finish()                           # commit high-water marks; the next run starts afresh

so a run killed at any point restarts from the last page it finished, and deletions happen only after a
complete listing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.errors import HarvestError
from app.harvest.model import Change, HarvestItem, RunError
from app.i18n import LocalText, compose, text
from app.net.client import Fetched, RequestCounter, SafeClient, shown_url
from app.pipeline.guards import strict_json_loads
from app.pipeline.parsing import ParseLimits

JSON_ACCEPT = "application/json"

@dataclass
class Context:
    """What a reader may use during one run."""

    client: SafeClient
    counter: RequestCounter
    limits: ParseLimits
    full: bool
    sink_ids: Callable[[], set[str]]
    notes: list[LocalText] = field(default_factory=list)

    def get(self, url: str, **options: Any) -> Fetched:
        """GET through the safe client, counted for this run; a non-2xx answer (but 304) is a FetchError."""
        return self.client.fetch(url, counter=self.counter, **options).expect_ok()

    def get_json(self, url: str, **options: Any) -> Any:
        """GET a JSON document and parse it strictly (depth, numbers, NaN; a repeated key keeps its last value)."""
        fetched = self.get(url, accept=JSON_ACCEPT, **options)
        return parse_json(fetched.body, url=url, limits=self.limits)

    def note(self, message: LocalText) -> None:
        self.notes.append(message)

def parse_json(body: bytes, *, url: str, limits: ParseLimits) -> Any:
    from app.errors import ParseError

    try:
        return strict_json_loads(body, max_depth=limits.max_json_depth, repeated=[])
    except ParseError as error:
        raise HarvestError(compose("detail.harvest_unreadable", localized={"message": error.detail},
                                   url=shown_url(url)), url=url) from error

def bad_answer(url: str, api: str, message: str) -> HarvestError:
    """The source answered, but not what its API promises."""
    return HarvestError(text("detail.harvest_bad_answer", url=shown_url(url), api=api, message=message[:300]), url=url)

@dataclass
class Page:
    """One page of a listing: the items to store, plus what the reader learnt without fetching records again."""

    url: str
    items: list[HarvestItem] = field(default_factory=list)
    unchanged: int = 0          # records listed as unchanged since the last run (not fetched again)
    still_refused: int = 0      # records refused before and unchanged since (not fetched again)
    errors: list[RunError] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # ids this page lists (for the reader's own bookkeeping)

class Reader(Protocol):
    """The contract of app/harvest/readers/*.py (see the module docstring)."""

    resumed: bool

    def pages(self, context: Context) -> Iterator[Page]: ...

    def settle(self, page: Page, outcomes: Mapping[str, Change]) -> None: ...

    def complete_ids(self) -> set[str] | None: ...

    def finish(self) -> None: ...

    def dump(self) -> dict[str, Any]: ...

def state_json(value: Any) -> dict[str, Any]:
    """A dataclass state as plain JSON data (checked: a state must survive json round trips)."""
    from dataclasses import asdict

    data: dict[str, Any] = json.loads(json.dumps(asdict(value)))
    return data

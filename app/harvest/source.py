"""A harvest source: which portal, which API, and how to read its records (what an admin registers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SourceType = Literal["ckan", "socrata", "datajson", "dcat"]
SOURCE_TYPES: tuple[SourceType, ...] = ("ckan", "socrata", "datajson", "dcat")

# The Puente source (mappings/) a record of each type is read with unless the harvest source says otherwise:
# a national catalogue uses its country's (cl for datos.gob.cl, co for datos.gov.co, mx for ADELA, es).
DEFAULT_RECORD_FORMAT: dict[str, str] = {"ckan": "ckan", "socrata": "socrata", "datajson": "datajson", "dcat": "dcat"}


@dataclass(frozen=True)
class HarvestSource:
    """Everything a run needs to know about a source besides its state.

    - url: the portal (CKAN: its address or its /api/3/action; Socrata: the portal; data.json: the file;
      DCAT: the first page of the catalogue endpoint).
    - record_format: the Puente source its records are read with (default by type, see DEFAULT_RECORD_FORMAT).
    - rows: CKAN page size (at most 1000, CKAN's default rows_max); Socrata Discovery page size.
    - overlap_s: CKAN incremental runs re-read this much before the last run's high-water mark.
    - sweep_every: CKAN lists every id (package_list) to find deletions every N runs (1: every run; 0: only on
      full runs); the sweep also fetches any dataset the incremental listing missed.
    - discovery_url / domain: Socrata's Discovery API (default: {portal}/api/catalog/v1 for the portal's host).
    - modified_since: the DCAT endpoint filters by `modified_since` (ckanext-dcat, piveau); then only every
      `full_every`-th run lists everything (and so finds deletions).
    - rate / concurrency: politeness towards this source's host (default: PUENTE_HTTP_PER_HOST_*).
    - lookup_publishers: DCAT publishers given only by IRI are dereferenced once per run for their names."""

    type: SourceType
    url: str
    record_format: str | None = None
    rows: int = 1000
    overlap_s: float = 3600.0
    sweep_every: int = 1
    discovery_url: str | None = None
    domain: str | None = None
    modified_since: bool = False
    full_every: int = 24
    rate: float | None = None
    concurrency: int | None = None
    lookup_publishers: bool = True

    @property
    def key(self) -> str:
        """What identifies the source's state: a state saved for another type or URL is not reused."""
        return f"{self.type} {self.url}"

    @property
    def records_read_as(self) -> str:
        return self.record_format or DEFAULT_RECORD_FORMAT[self.type]

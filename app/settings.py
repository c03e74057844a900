"""Service settings, read from environment variables prefixed PUENTE_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class CatalogueSpec(BaseModel):
    """One harmonised catalogue (a country or partner): what its own DCAT description says.

    The four of DESIGN §4a ship in app/catalogue/catalogues.yaml; PUENTE_CATALOGUES (a JSON list of these) adds
    more or changes those."""

    id: str = Field(pattern=r"^[a-z0-9-]{2,32}$", description="Short lowercase name used in URLs.")
    title: dict[str, str] = Field(description="Title per language (es, en, pt).")
    description: dict[str, str] = Field(default_factory=dict, description="Description per language.")
    publisher: str = Field(description="Name of the body that publishes the catalogue.")
    publisher_iri: str | None = Field(default=None, description="IRI of that body, if it has one.")
    country: str = Field(pattern=r"^[A-Z]{3}$", description="EU country code (COL, CHL, MEX, ESP...).")
    language: str = Field(default="SPA", pattern=r"^[A-Z]{3}$", description="EU language code of the catalogue.")
    source: str = Field(default="dcat", max_length=32, description="The source format that reads its records.")
    homepage: str | None = Field(default=None, description="The national portal's address.")
    licence: str = Field(default="http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
                         description="Licence of the harmonised metadata (the catalogue's dct:license).")


class Settings(BaseSettings):
    """Everything an operator can tune; each field is documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="PUENTE_", env_ignore_empty=True, extra="ignore")

    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of this service; used to mint IRIs and links.",
    )
    assets_dir: Path = Field(
        default=REPO_ROOT,
        description="Folder holding shapes/, vocabularies/ and mappings/.",
    )
    max_body_bytes: int = Field(default=20_000_000, ge=0, description="Largest request body accepted.")
    max_triples: int = Field(default=1_000_000, ge=1, description="Largest RDF graph accepted, in triples.")
    max_literal_chars: int = Field(default=1_000_000, ge=1, description="Longest literal accepted.")
    max_json_depth: int = Field(default=64, ge=1, description="Deepest JSON nesting accepted.")
    default_lang: Literal["es", "en", "pt"] = Field(default="es", description="Language when none is asked for.")
    engine: Literal["fast", "pyshacl"] = Field(
        default="fast", description="fast (the profile's shapes as plain checks, same findings) or pyshacl.")
    log_level: str = Field(default="INFO", description="Log level of the service.")
    max_records: int = Field(default=50_000, ge=1, description="Most records (datasets) one request may hold.")
    validation_timeout_s: float = Field(default=60.0, gt=0, description="Longest a validation may run (503 after).")
    workers: int = Field(default=2, ge=0, le=64,
                         description="Validation worker processes (0: validate in the server process, no time limit).")
    max_report_bytes: int = Field(
        default=200_000_000, ge=1_000,
        description="Largest report (JSON, CSV or SHACL graph) the service writes for one request; 413 beyond.")
    worker_memory_mb: int = Field(
        default=1_500, ge=0,
        description="Most memory a worker process may add to what it inherits (0: no limit); 413 beyond.")
    worker_recycle_mb: int = Field(
        default=100, ge=1,
        description="A worker that still holds this much more memory after a job than when it started is replaced.")
    write_timeout_s: float = Field(default=60.0, gt=0, description="Longest a client may take to read an answer.")
    body_timeout_s: float = Field(default=30.0, gt=0,
                                  description="Longest wait for the next part of a request body (408 after).")
    results_dir: Path | None = Field(
        default=None, description="Where the validator page keeps its results (default: a temporary folder).")
    results_max_bytes: int = Field(default=2_000_000_000, ge=1_000_000,
                                   description="Disk space the validator page's results may take together.")
    test_slow_marker: str = Field(
        default="", max_length=64,
        description="Test-only (leave empty): a validation whose body contains this text pauses until the time limit "
                    "stops it, so the time-limit tests never depend on how fast the machine is.")
    cors_post_origins: str = Field(default="", description="Space-separated origins whose pages may POST and read.")
    # Outbound HTTP (harvests, link checks, publisher look-ups): app/net.
    allow_private_urls: bool = Field(
        default=False, description="Allow fetching loopback, private and link-local addresses (tests' fakes only).")
    http_connect_timeout_s: float = Field(default=10.0, gt=0, description="Longest wait for a connection.")
    http_read_timeout_s: float = Field(default=30.0, gt=0, description="Longest silence while reading an answer.")
    http_total_timeout_s: float = Field(default=120.0, gt=0, description="Longest one request may take in all.")
    http_max_bytes: int = Field(default=50_000_000, ge=1, description="Largest answer read from another server.")
    http_max_redirects: int = Field(default=5, ge=0, le=20, description="Most redirects followed for one URL.")
    http_retries: int = Field(default=3, ge=0, le=10, description="Retries after 429, 5xx or a broken connection.")
    http_backoff_s: float = Field(default=1.0, ge=0, description="First wait before a retry (doubles each time).")
    http_max_retry_after_s: float = Field(default=120.0, ge=0, description="Longest Retry-After honoured.")
    http_per_host_concurrency: int = Field(default=4, ge=1, le=64, description="Requests at once to one host.")
    http_per_host_rate: float = Field(default=5.0, ge=0, description="Requests a second to one host (0: no limit).")
    http_contact_url: str = Field(default="https://w3id.org/puente",
                                  description="Address in Puente's User-Agent, for portal operators to find out more.")
    data_dir: Path = Field(default=REPO_ROOT / "data",
                           description="Folder of the harmonised catalogue (RDF store, index, tokens, audit log).")
    admin_token: SecretStr = Field(default=SecretStr(""),
                                   description="Bearer token of the admin routes (/admin/...); empty: admin off.")
    store: Literal["oxigraph", "sparql"] = Field(
        default="oxigraph",
        description="The RDF store behind the catalogue: oxigraph (embedded) or sparql (a SPARQL 1.1 + Graph Store "
                    "Protocol server such as Virtuoso, set by the PUENTE_SPARQL_* and PUENTE_GSP_URL settings).")
    # The SPARQL server behind the catalogue (PUENTE_STORE=sparql): chosen by the operator, so not SSRF-guarded.
    sparql_query_url: str = Field(default="", description="Its SPARQL query endpoint (Virtuoso: .../sparql).")
    sparql_update_url: str = Field(default="", description="Its SPARQL Update endpoint (Virtuoso: .../sparql-auth).")
    gsp_url: str = Field(default="", description="Its Graph Store Protocol endpoint (Virtuoso: "
                                                 ".../sparql-graph-crud-auth).")
    sparql_user: str = Field(default="", description="User for the update and Graph Store endpoints.")
    sparql_password: SecretStr = Field(default=SecretStr(""), description="That user's password.")
    sparql_auth: Literal["digest", "basic"] = Field(default="digest", description="HTTP authentication to use.")
    sparql_http_timeout_s: float = Field(default=120.0, gt=0,
                                         description="Longest one request to the SPARQL server may take.")
    sparql_page_rows: int = Field(default=5_000, ge=10, le=1_000_000,
                                  description="Rows asked for per page when reading the store (keep below the "
                                              "server's own cap, Virtuoso's ResultSetMaxRows).")
    sparql_server_max_rows: int = Field(default=10_000, ge=1,
                                        description="The server's own row cap (Virtuoso's ResultSetMaxRows): a /sparql "
                                                    "graph answer that reaches it is marked as cut.")
    sparql_write_threads: int = Field(default=4, ge=1, le=32, description="Graph Store writes sent at once.")
    # The public /sparql endpoint (either store).
    sparql_timeout_s: float = Field(default=30.0, gt=0, description="Longest a /sparql query may run (503 after).")
    sparql_max_rows: int = Field(default=10_000, ge=1, description="Most results /sparql returns (the answer says "
                                                                   "when it was cut).")
    sparql_max_query_chars: int = Field(default=20_000, ge=100, description="Longest /sparql query accepted.")
    catalogues: list[CatalogueSpec] = Field(
        default_factory=list, description="More catalogues (or changes to the built-in co, cl, mx, es), as JSON.")
    # quality of the catalogue (issue 18)
    quality_poll_s: float = Field(default=10.0, ge=0, description=(
        "Seconds between background looks for catalogue writes to score (and the daily rescoring); 0: off."))
    linkcheck_after_publish: bool = Field(default=False, description=(
        "Check a catalogue's access and download URLs in the background after each write to it."))
    linkcheck_timeout_s: float = Field(default=10.0, gt=0, description="Longest wait for one link's answer.")
    linkcheck_recheck_hours: float = Field(default=168.0, ge=0, description=(
        "A link's last check is reused for this many hours (default a week)."))
    linkcheck_per_host: int = Field(default=2, ge=1, le=16, description="Link checks at once to one host.")
    linkcheck_concurrency: int = Field(default=16, ge=1, le=64, description="Link checks at once in all.")

    # Harvests into the catalogues (app/harvest): sources from a file, and the scheduler of their runs.
    harvest_file: Path | None = Field(
        default=None, description="A harvest.yaml of sources registered at start (app/harvest/sources_file.py).")
    harvest_scheduler: bool = Field(
        default=False, description="Run each source with a schedule when it falls due (off by default and in tests).")
    harvest_runs: int = Field(default=2, ge=1, le=16, description="Harvest runs at once in the service.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()

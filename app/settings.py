"""Service settings, read from environment variables prefixed PUENTE_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


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
    test_slow_marker: str = Field(
        default="", max_length=64,
        description="Test-only (leave empty): a validation whose body contains this text pauses until the time limit "
                    "stops it, so the time-limit tests never depend on how fast the machine is.")
    cors_post_origins: str = Field(default="", description="Space-separated origins whose pages may POST and read.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()

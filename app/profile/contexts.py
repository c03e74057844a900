"""The JSON-LD contexts real documents point at (shapes/contexts/), read from local copies at start-up.

Puente never fetches a remote `@context`. Data.json files and the official DCAT-AP examples point at contexts
whose content is fixed and published; `shapes/contexts/contexts.yaml` lists each local copy with the addresses
it answers for. Any other remote context stays refused (app/pipeline/guards.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import ConfigurationError


class KnownContext(BaseModel):
    """One local copy and the `@context` addresses it stands for."""

    model_config = ConfigDict(extra="forbid")

    file: str
    iris: list[str] = Field(min_length=1)
    note: str | None = None


def load_known_contexts(contexts_dir: Path) -> dict[str, Any]:
    """Address → context document, for every copy listed in contexts.yaml (empty when the folder is absent)."""
    index = contexts_dir / "contexts.yaml"
    if not index.exists():
        return {}
    try:
        raw: Any = yaml.safe_load(index.read_text(encoding="utf-8"))
        entries = [KnownContext.model_validate(item) for item in raw or []]
    except (OSError, yaml.YAMLError, ValidationError, TypeError) as exc:
        message = f"{index}: {exc}"
        raise ConfigurationError({"es": message, "en": message}) from exc
    known: dict[str, Any] = {}
    for entry in entries:
        path = contexts_dir / entry.file
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            message = f"{path}: {exc}"
            raise ConfigurationError({"es": message, "en": message}) from exc
        if not isinstance(document, dict) or "@context" not in document:
            message = f"{path}: a JSON-LD context document must be an object with @context"
            raise ConfigurationError({"es": message, "en": message})
        for iri in entry.iris:
            known[iri] = document
    return known

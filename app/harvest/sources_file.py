"""harvest.yaml (PUENTE_HARVEST_FILE): harvest sources an operator keeps in a file, registered at start.

    - catalogue: cl
      type: ckan
      url: https://datos.gob.cl
      schedule: "0 3 * * *"        # optional, 5-field cron in UTC
      rate_limit: 2                # optional, requests a second to this host
      options: {rows: 500}         # optional (format, rows, domain, discovery_url, modified_since, ...)
      id: datos-gob-cl             # optional; default derived from catalogue, type and URL

Each entry is checked like `POST /admin/harvest-sources`; a broken file stops the service at start, naming the
entry and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from app.errors import ConfigurationError, PuenteError
from app.harvest.registry import SourceEntry, source_id
from app.i18n import render


def read_sources(path: Path) -> list[SourceEntry]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError({"es": f"{path}: {error}", "en": f"{path}: {error}"}) from error
    if not isinstance(raw, list):
        raise ConfigurationError({"es": f"{path}: se esperaba una lista de fuentes",
                                  "en": f"{path}: a list of sources was expected"})
    return [_entry(item, path=path, position=n) for n, item in enumerate(raw, start=1)]


def _entry(item: Any, *, path: Path, position: int) -> SourceEntry:
    where = f"{path.name}, entry {position}"
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("catalogue", "type", "url")):
        raise ConfigurationError({"es": f"{where}: faltan catalogue, type o url",
                                  "en": f"{where}: catalogue, type and url are needed"})
    unknown = set(item) - {"id", "catalogue", "type", "url", "schedule", "rate_limit", "options"}
    if unknown:
        raise ConfigurationError({"es": f"{where}: campo desconocido {sorted(unknown)[0]}",
                                  "en": f"{where}: unknown field {sorted(unknown)[0]}"})
    options = item.get("options") or {}
    rate = item.get("rate_limit")
    if not isinstance(options, dict) or (rate is not None and not isinstance(rate, int | float)):
        raise ConfigurationError({"es": f"{where}: options debe ser un objeto y rate_limit un número",
                                  "en": f"{where}: options must be a mapping and rate_limit a number"})
    schedule = item.get("schedule")
    return SourceEntry(id=str(item.get("id") or source_id(item["catalogue"], item["type"], item["url"])),
                       catalogue=item["catalogue"], type=item["type"], url=item["url"],
                       schedule=str(schedule) if schedule else None, rate_limit=float(rate) if rate else None,
                       options=options, origin="file")


def describe_problem(error: PuenteError, entry: SourceEntry) -> ConfigurationError:
    """A registration problem of a file entry as the configuration error that stops the service."""
    message = f"harvest source {entry.id}: "
    return ConfigurationError({"es": message + render(error.detail, "es"), "en": message + render(error.detail, "en")})

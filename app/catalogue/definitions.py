"""The catalogues Puente keeps: co, cl, mx and es from catalogues.yaml, more (or changed) by settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.errors import ConfigurationError
from app.settings import CatalogueSpec, Settings

BUILT_IN = Path(__file__).with_name("catalogues.yaml")
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"


@dataclass(frozen=True)
class Catalogue:
    """One catalogue and the IRIs Puente mints for it."""

    spec: CatalogueSpec
    base_url: str

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def iri(self) -> str:
        return f"{self.base_url}/catalogues/{self.spec.id}"

    @property
    def country_iri(self) -> str:
        return EU_COUNTRY + self.spec.country

    @property
    def language_iri(self) -> str:
        return EU_LANGUAGE + self.spec.language

    def dataset_iri(self, record_id: str) -> str:
        return f"{self.iri}/datasets/{record_id}"

    def record_iri(self, record_id: str) -> str:
        """Also the name of the record's graph in the store."""
        return f"{self.iri}/records/{record_id}"

    def title(self, lang: str) -> str:
        return self.spec.title.get(lang) or self.spec.title.get("es") or next(iter(self.spec.title.values()), "")


def load_specs(path: Path = BUILT_IN) -> list[CatalogueSpec]:
    """The built-in catalogue definitions; a broken file stops the service at start-up."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return [CatalogueSpec.model_validate(item) for item in raw]
    except (OSError, yaml.YAMLError, TypeError) as error:
        raise ConfigurationError({"es": f"{path.name}: {error}", "en": f"{path.name}: {error}"}) from error
    except ValidationError as error:
        raise ConfigurationError({"es": f"{path.name}: {error}", "en": f"{path.name}: {error}"}) from error


def catalogues(settings: Settings, *, sources: set[str] | None = None) -> dict[str, Catalogue]:
    """Every catalogue by id: the built-in ones, then PUENTE_CATALOGUES (which may replace one by its id).

    `sources`: the source formats this process reads; a catalogue naming another one is a configuration error."""
    found: dict[str, CatalogueSpec] = {spec.id: spec for spec in load_specs()}
    for spec in settings.catalogues:
        found[spec.id] = spec
    if sources is not None:
        for spec in found.values():
            if spec.source not in sources:
                message = f"catalogue {spec.id}: unknown source {spec.source!r} (known: {', '.join(sorted(sources))})"
                raise ConfigurationError({"es": message, "en": message})
    base = settings.base_url.rstrip("/")
    return {cid: Catalogue(spec=spec, base_url=base) for cid, spec in found.items()}

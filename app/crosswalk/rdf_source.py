"""RDF sources with national habits (Spain): the step list of mappings/<source>/steps.yaml, loaded and checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rdflib import URIRef

from app.crosswalk.rdf_steps import STEPS, Step
from app.errors import ConfigurationError
from app.rdf.terms import Triple


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: str
    field: str
    target: str
    note: str | None = None


class RdfDetect(BaseModel):
    """How an RDF document is recognised as this source's when no source is given."""

    model_config = ConfigDict(extra="forbid")

    iri_contains: list[str] = Field(default_factory=list,
                                    description="Text of which one must appear in an IRI of the document (a domain).")


class RdfSourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    title: dict[str, str]
    description: dict[str, str]
    country: str | None = None
    detect: RdfDetect = Field(default_factory=RdfDetect)
    steps: list[StepSpec]


@dataclass(frozen=True)
class LoadedRdfSource:
    spec: RdfSourceSpec
    path: Path
    steps: tuple[tuple[StepSpec, Step], ...]

    @property
    def name(self) -> str:
        return self.spec.source

    def recognises(self, triples: Iterable[Triple]) -> bool:
        """True when the document has an IRI this source's detection rule names (its portal's domain)."""
        fragments = self.spec.detect.iri_contains
        if not fragments:
            return False
        return any(isinstance(term, URIRef) and any(f in term for f in fragments)
                   for triple in triples for term in triple)


def load_rdf_source(path: Path) -> LoadedRdfSource:
    where = str(path)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec = RdfSourceSpec.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError({"es": f"{where}: {exc}", "en": f"{where}: {exc}"}) from exc
    unknown = [s.step for s in spec.steps if s.step not in STEPS]
    if unknown or spec.source != path.parent.name:
        message = f"{where}: unknown steps {unknown} (known: {', '.join(STEPS)}) or source name not matching its folder"
        raise ConfigurationError({"es": message, "en": message})
    return LoadedRdfSource(spec=spec, path=path, steps=tuple((s, STEPS[s.step]) for s in spec.steps))


def load_rdf_sources(mappings_dir: Path) -> dict[str, LoadedRdfSource]:
    return {s.name: s for s in (load_rdf_source(p) for p in sorted(mappings_dir.glob("*/steps.yaml")))}

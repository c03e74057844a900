"""A dataset without a publisher is a violation in every source, naming the field to fill in the user's format.

DCAT-AP 3.0.1 only recommends dct:publisher; Puente requires it (DCAT-AP-ES, NTI-RISP, POD 1.1 and the Red GEALC
regional profile do). The same complete record of each source, with its publisher fields removed, must get the
violation, in Spanish, English and Portuguese, with `source_field` the crosswalk's field for the publisher.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from tests.conftest import CASES

SHAPE = "https://w3id.org/puente/shapes#Dataset-publisher-required"
# source → (a golden case whose records have a publisher, the field the report must name)
CASES_BY_SOURCE = {
    "ckan": ("dcat-ap-scheming", "organization.title"),
    "socrata": ("views-2646-ez2p", "attribution"),
    "datajson": ("wa-gov-entry", "publisher.name"),
    "co": ("etwv-wj8f-pueblos-indigenas", 'metadata.custom_fields."Información de la Entidad"."Nombre de la Entidad"'),
    "cl": ("package-show", "organization.title"),
    "mx": ("adela-catalogo", "publisher.name"),
    "es": ("complete-record", "dct:publisher"),
    "dcat": ("complete-dataset", "dct:publisher"),
}
# the JSON keys the crosswalks read a publisher from (mappings/*/crosswalk.yaml, dct:publisher rows)
PUBLISHER_KEYS = {"organization", "publisher", "attribution", "owner", "Nombre de la Entidad"}
MEDIA = {".json": "application/json", ".ttl": "text/turtle"}


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in PUBLISHER_KEYS}
    if isinstance(node, list):
        return [_strip(v) for v in node if not (isinstance(v, dict) and v.get("key") == "publisher_name")]
    return node


def _input(case: Path) -> Path:
    return next(p for p in sorted(case.iterdir()) if p.stem == "input")


def _without_publisher(path: Path) -> bytes:
    if path.suffix == ".json":
        return json.dumps(_strip(json.loads(path.read_text(encoding="utf-8")))).encode("utf-8")
    graph = Graph()
    graph.parse(path, format="turtle")
    for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
        graph.remove((dataset, DCTERMS.publisher, None))
    return graph.serialize(format="turtle").encode("utf-8")


@pytest.mark.parametrize("source", sorted(CASES_BY_SOURCE))
def test_the_complete_record_has_no_publisher_violation(source: str, pipeline: Pipeline) -> None:
    """Control: with its publisher, the record does not get the violation."""
    case, _ = CASES_BY_SOURCE[source]
    path = _input(CASES / source / case)
    outcome = pipeline.validate(path.read_bytes(), media_type=MEDIA[path.suffix], source=source)
    assert not [f for f in outcome.findings if f.shape == SHAPE]


@pytest.mark.parametrize("source", sorted(CASES_BY_SOURCE))
def test_a_missing_publisher_is_a_violation_naming_the_field(source: str, pipeline: Pipeline,
                                                             profile: Profile) -> None:
    case, field = CASES_BY_SOURCE[source]
    path = _input(CASES / source / case)
    outcome = pipeline.validate(_without_publisher(path), media_type=MEDIA[path.suffix], source=source)
    assert [f for f in outcome.findings if f.shape == SHAPE], source
    texts = set()
    for lang in ("es", "en", "pt"):
        report = outcome.report(profile=profile, lang=lang)
        assert report["conforms"] is False
        results = [r for rec in report["records"] for r in rec["results"] if r["shape"] == SHAPE]
        assert results and all(r["severity"] == "violation" for r in results)
        assert all(r["source_field"] is not None and r["source_field"].endswith(field) for r in results), \
            [r["source_field"] for r in results]
        texts |= {r["message"] for r in results}
    assert len(texts) == 3  # one message per language

"""Exports: DCAT-AP-ES (the Spanish round trip conforms to the official shapes) and CKAN package dicts."""

from __future__ import annotations

import json

import pyshacl
import pytest
from rdflib import Graph

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.exports import to_ckan, to_dcat_ap_es
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.rdf.namespaces import DCAT
from app.settings import REPO_ROOT, Settings
from tests.conftest import CASES, ORACLES


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


@pytest.fixture(scope="module")
def dcat_ap_es_shapes() -> Graph:
    shapes = Graph()
    for path in sorted((ORACLES / "dcat-ap-es-1.0.0").glob("shacl_*.ttl")):
        if "imports" not in path.name:
            shapes.parse(path, format="turtle")
    return shapes


def test_complete_spanish_record_conforms_before_and_after_the_round_trip(
        pipeline: Pipeline, profile: Profile, dcat_ap_es_shapes: Graph) -> None:
    source = CASES / "es" / "complete-record" / "input.ttl"
    original = Graph()
    original.parse(source, format="turtle")
    conforms, _, text = pyshacl.validate(original, shacl_graph=dcat_ap_es_shapes, allow_warnings=True)
    assert conforms, text  # the oracle accepts the input...
    outcome = pipeline.validate(source.read_bytes(), media_type="text/turtle", source="es")
    exported = to_dcat_ap_es(outcome.mapped.graph, knowledge=profile.background.knowledge)
    conforms, _, text = pyshacl.validate(exported, shacl_graph=dcat_ap_es_shapes, allow_warnings=True)
    assert conforms, text  # ...and the record Puente gives back


def test_dcat_ap_es_export_adds_a_sector_from_the_eu_theme(pipeline: Pipeline, profile: Profile,
                                                          dcat_ap_es_shapes: Graph) -> None:
    body = (CASES / "cl" / "package-show" / "input.json").read_bytes()
    outcome = pipeline.validate(body, media_type="application/json", source="cl")
    exported = to_dcat_ap_es(outcome.mapped.graph, knowledge=profile.background.knowledge)
    themes = {str(o) for o in exported.objects(None, DCAT.theme)}
    assert "http://datos.gob.es/kos/sector-publico/sector/salud" in themes
    # a Chilean publisher is no DIR3 body: the export is not a valid DCAT-AP-ES record, and the oracle says so
    conforms, _, _ = pyshacl.validate(exported, shacl_graph=dcat_ap_es_shapes, allow_warnings=True)
    assert not conforms


def test_ckan_export_of_a_colombian_record(pipeline: Pipeline) -> None:
    body = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
    package = to_ckan(pipeline.validate(body, media_type="application/json", source="co").mapped.graph)
    assert package["name"] == "etwv-wj8f"
    assert package["title"] == "Pueblos indígenas a nivel Nacional 2020"
    assert {t["name"] for t in package["tags"]} == {"indígenas", "dairm", "etnias", "pueblos"}
    assert package["frequency"].endswith("/frequency/ANNUAL")
    assert package["publisher"] == [{"name": "Ministerio del Interior"}]
    assert {r["format"] for r in package["resources"]} == {"CSV", "JSON"}


def test_ckan_export_reads_back_through_the_ckan_source(pipeline: Pipeline) -> None:
    """Puente's CKAN dict is a CKAN package: the ckan crosswalk reads it back to the same essentials."""
    body = (CASES / "mx" / "adela-catalogo" / "input.json").read_bytes()
    first = pipeline.validate(body, media_type="application/json", source="mx").mapped.graph
    page = to_ckan(first)
    again = pipeline.validate(json.dumps(page).encode(), media_type="application/json", source="ckan")
    package = to_ckan(again.mapped.graph)
    assert package["count"] == 2
    assert [p["title"] for p in package["results"]] == [p["title"] for p in page["results"]]
    for before, after in zip(page["results"], package["results"], strict=True):
        assert after["frequency"] == before["frequency"]
        assert [r["url"] for r in after["resources"]] == [r["url"] for r in before["resources"]]



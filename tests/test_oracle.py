"""Oracle: what Puente accepts as valid, and every graph it emits, conforms to the official DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import FOAF, RDF

from app.pipeline.enrichment import for_publication
from app.pipeline.validation import with_background
from app.profile.model import Profile
from tests.conftest import CASES, official_dcat_ap_shapes

VALID_CASES = [CASES / "shapes" / "base.ttl", CASES / "dcat" / "complete-dataset" / "input.ttl"]


def _load(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize("path", VALID_CASES, ids=lambda p: p.parent.name)
def test_valid_case_conforms_to_dcat_ap_with_background(path: Path, profile: Profile) -> None:
    conforms, _, text = pyshacl.validate(with_background(_load(path), profile=profile),
                                         shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, text


@pytest.mark.parametrize("path", VALID_CASES, ids=lambda p: p.parent.name)
def test_emitted_graph_conforms_on_its_own(path: Path, profile: Profile) -> None:
    """A consumer with no background knowledge gets a graph that passes DCAT-AP's range checks."""
    graph = _load(path)
    graph.remove((None, RDF.type, FOAF.Document))  # the emitter must state these types itself
    emitted = for_publication(graph, profile=profile)
    conforms, _, text = pyshacl.validate(emitted, shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, text


def test_control_the_bare_record_fails_the_range_checks(profile: Profile) -> None:
    """Without what the emitter adds, DCAT-AP's range.ttl rejects the same record: the oracle can fail."""
    graph = _load(CASES / "dcat" / "complete-dataset" / "input.ttl")
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert not conforms


def _complete(case: Path) -> bool:
    import json

    report = case / "expected-report.json"
    return report.exists() and json.loads(report.read_text(encoding="utf-8"))["summary"]["violations"] == 0


# Only the records Puente finds complete (no violation); the others' reports list what they lack.
GOLDEN = sorted(p for source in ("ckan", "socrata", "datajson", "co", "cl", "mx", "es")
                for p in (CASES / source).iterdir() if p.is_dir() and _complete(p))


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_output_of_a_complete_record_conforms(case: Path, profile: Profile) -> None:
    """Every mapped record Puente finds complete (no violation) is valid DCAT-AP 3.0.1 once emitted."""
    emitted = for_publication(_load(case / "expected.ttl"), profile=profile)
    conforms, _, text = pyshacl.validate(emitted, shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, text

"""The profile's shapes are code: every constraint is tested by a conforming and a violating case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyshacl
import pytest
import yaml
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from app.errors import ConfigurationError
from app.pipeline.validation import with_background
from app.profile.loader import load_shapes
from app.profile.model import Profile
from app.rdf.namespaces import PS, SH
from app.settings import REPO_ROOT
from app.shacl.reference import PyshaclEngine
from tests.conftest import CASES, PREFIXES, official_dcat_ap_shapes

CASE_LIST: list[dict[str, Any]] = yaml.safe_load((CASES / "shapes" / "cases.yaml").read_text(encoding="utf-8"))


def test_every_shape_has_a_violating_case(profile: Profile) -> None:
    """No constraint of the profile goes untested."""
    covered = {str(PS[c["shape"]]) for c in CASE_LIST}
    missing = sorted(set(profile.shapes) - covered)
    assert not missing, f"shapes without a violating case in cases.yaml: {missing}"
    unknown = sorted(covered - set(profile.shapes))
    assert not unknown, f"cases name shapes that do not exist: {unknown}"


def test_base_record_conforms_to_every_constraint(profile: Profile, engine: PyshaclEngine, base_graph: Graph) -> None:
    """base.ttl is the conforming case of every constraint: it produces no finding at all."""
    findings = engine.validate(base_graph)
    assert findings == []


@pytest.mark.parametrize("case", CASE_LIST, ids=[c["shape"] for c in CASE_LIST])
def test_violating_case(case: dict[str, Any], profile: Profile, engine: PyshaclEngine, base_graph: Graph) -> None:
    """Breaking the record in one way yields a finding from the shape that guards it, at its severity."""
    base_graph.update(PREFIXES + case["update"])
    shape = profile.shapes[str(PS[case["shape"]])]
    findings = [f for f in engine.validate(base_graph) if f.shape == shape.iri]
    assert findings, f"{case['shape']} did not fire"
    assert all(f.severity == shape.severity for f in findings)
    assert all(f.path is not None and str(f.path) == shape.path for f in findings)


def test_base_record_conforms_to_official_dcat_ap(profile: Profile, base_graph: Graph) -> None:
    """The conforming case is also valid DCAT-AP 3.0.1 (shapes.ttl + range.ttl), with Puente's background."""
    conforms, _, report = pyshacl.validate(with_background(base_graph, profile=profile),
                                           shacl_graph=official_dcat_ap_shapes(), inference="none")
    assert conforms, report


def test_every_constraint_speaks_spanish_and_english(profile: Profile) -> None:
    for shape in profile.shapes.values():
        for texts in (shape.name, shape.message):
            assert texts.get("es") and texts.get("en"), shape.iri
            assert texts["es"] != texts["en"] or len(texts["es"]) < 12, f"untranslated text in {shape.iri}"


def test_every_property_is_described_in_both_languages(profile: Profile) -> None:
    described: dict[tuple[str, str], set[str]] = {}
    for shape in profile.shapes.values():
        described.setdefault((shape.target_class, shape.path), set()).update(
            lang for lang in ("es", "en") if shape.description.get(lang))
    missing = sorted(k for k, langs in described.items() if langs != {"es", "en"})
    assert not missing, f"properties without es+en sh:description: {missing}"


def test_shape_names_are_stable_iris(profile: Profile) -> None:
    for iri in profile.shapes:
        assert iri.startswith(str(PS)), iri


def _copy_shapes(tmp_path: Path) -> Path:
    target = tmp_path / "shapes"
    target.mkdir()
    for source in (REPO_ROOT / "shapes").iterdir():
        if source.is_file():  # shapes/contexts/ holds known JSON-LD contexts
            (target / source.name).write_bytes(source.read_bytes())
    return target


def test_loader_rejects_a_constraint_without_english_message(tmp_path: Path) -> None:
    shapes_dir = _copy_shapes(tmp_path)
    path = shapes_dir / "mandatory.ttl"
    graph = Graph()
    graph.parse(path, format="turtle")
    shape = PS["Dataset-title-required"]
    graph.remove((shape, SH.message, Literal("The dataset must have a title.", lang="en")))
    graph.serialize(path, format="turtle")
    with pytest.raises(ConfigurationError, match="missing text in en"):
        load_shapes(shapes_dir)


def test_loader_rejects_non_core_shacl_terms(tmp_path: Path) -> None:
    """DCAT-AP's own sh:shape typo silently disables checks; Puente refuses to load such a file."""
    shapes_dir = _copy_shapes(tmp_path)
    with (shapes_dir / "ranges.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\nps:Dataset-issued-datatype sh:shape ps:DatasetShape .\n")
    with pytest.raises(ConfigurationError, match="sh:shape"):
        load_shapes(shapes_dir)


def test_loader_rejects_two_constraints_in_one_shape(tmp_path: Path) -> None:
    shapes_dir = _copy_shapes(tmp_path)
    with (shapes_dir / "mandatory.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\nps:Dataset-title-required sh:maxCount 3 .\n")
    with pytest.raises(ConfigurationError, match="exactly one supported constraint"):
        load_shapes(shapes_dir)


def test_every_shape_file_describes_its_severity_consistently(profile: Profile) -> None:
    """Concern files and severities agree: mandatory/ranges are violations, hints are infos."""
    expected = {"mandatory": "violation", "range": "violation", "recommended": "warning",
                "vocabulary": "warning", "hint": "info"}
    for shape in profile.shapes.values():
        assert shape.severity.value == expected[shape.level.value], shape.iri


def test_node_shapes_cover_the_twelve_profile_classes(profile: Profile) -> None:
    targets = {c.target_class.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for c in profile.classes}
    assert targets == {"Catalog", "Dataset", "Distribution", "DataService", "Agent", "Kind", "CatalogRecord",
                       "PeriodOfTime", "Location", "LicenseDocument", "DatasetSeries", "Checksum"}
    assert all((None, RDF.type, SH.NodeShape) in profile.shapes_graph for _ in [0])


def test_class_checks_do_not_blame_plain_text(profile: Profile) -> None:
    """A class check also fires on an IRI Puente cannot place: its message may not say the value is "plain text"."""
    for shape in profile.shapes.values():
        if shape.component == "sh:ClassConstraintComponent":
            for lang, words in (("es", ("texto suelto", "no como un texto", "texto libre")),
                                ("en", ("plain text", "not as text", "free text"))):
                assert not any(w in shape.message[lang] for w in words), (shape.iri, shape.message[lang])


def test_portuguese_texts_come_with_their_name(profile: Profile) -> None:
    """A shape that speaks Portuguese in its message also names itself in Portuguese (reports show both)."""
    with_pt = [s for s in profile.shapes.values() if s.message.get("pt")]
    assert len(with_pt) >= 39  # the 34 shapes added for issue 12 and the 5 messages reworded there
    for shape in with_pt:
        assert shape.name.get("pt"), shape.iri
        assert shape.message["pt"] not in (shape.message["es"], shape.message["en"]), shape.iri

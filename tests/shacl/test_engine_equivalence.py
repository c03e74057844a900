"""The fast engine and pyshacl (the reference) report exactly the same findings.

Compared per finding: focus node, path, value, constraint component, shape and severity. On every shape
case (the conforming base and the 100 violating variants), every golden case, and a generated corpus of
1,000 records across the five sources (about 10 % defective) that exercises every constraint of the profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import BNode, Graph

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.findings import Finding
from app.pipeline.run import Pipeline
from app.pipeline.validation import fast_engine
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from app.shacl.fast import FastEngine
from app.shacl.reference import PyshaclEngine
from bench.corpus import generate
from tests.conftest import CASES, PREFIXES

MEDIA = {".json": "application/json", ".ttl": "text/turtle", ".rdf": "application/rdf+xml",
         ".jsonld": "application/ld+json"}


def _key(finding: Finding) -> tuple[str, ...]:
    value = "" if finding.value is None else ("_:" if isinstance(finding.value, BNode) else str(finding.value))
    focus = "_:" + str(finding.focus) if isinstance(finding.focus, BNode) else str(finding.focus)
    return (focus, str(finding.path), value, finding.component, finding.shape, finding.severity.value)


def _same(graph: Graph, reference: PyshaclEngine, compiled: FastEngine) -> tuple[list[Any], list[Any]]:
    expected = sorted(map(_key, reference.validate(graph)))
    actual = sorted(map(_key, compiled.validate(graph)))
    return expected, actual


@pytest.fixture(scope="module")
def compiled(profile: Profile) -> FastEngine:
    return fast_engine(profile)


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


CASE_LIST: list[dict[str, Any]] = yaml.safe_load((CASES / "shapes" / "cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", [None, *CASE_LIST], ids=["base", *(c["shape"] for c in CASE_LIST)])
def test_shape_cases(case: dict[str, Any] | None, engine: PyshaclEngine, compiled: FastEngine) -> None:
    graph = Graph()
    graph.parse(CASES / "shapes" / "base.ttl", format="turtle")
    if case is not None:
        graph.update(PREFIXES + case["update"])
    expected, actual = _same(graph, engine, compiled)
    assert actual == expected


def _golden_inputs() -> Iterator[Path]:
    for folder in sorted(CASES.iterdir()):
        if folder.is_dir() and folder.name != "shapes":
            for case in sorted(p for p in folder.iterdir() if p.is_dir()):
                yield next(p for p in case.iterdir() if p.stem == "input")


@pytest.mark.parametrize("path", list(_golden_inputs()), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_golden_cases(path: Path, pipeline: Pipeline, engine: PyshaclEngine, compiled: FastEngine) -> None:
    source = path.parent.parent.name
    mapped, _, _ = pipeline.read(path.read_bytes(), media_type=MEDIA[path.suffix], source=source)
    expected, actual = _same(mapped.graph, engine, compiled)
    assert actual == expected


@pytest.mark.parametrize("document", generate(records=200, seed=11), ids=lambda d: d.source)
def test_generated_corpus(document: Any, pipeline: Pipeline, engine: PyshaclEngine, compiled: FastEngine,
                          profile: Profile) -> None:
    mapped, _, _ = pipeline.read(document.body, media_type=document.media_type, source=document.source)
    expected, actual = _same(mapped.graph, engine, compiled)
    assert len(expected) > document.records  # the corpus gives the engines work to do
    assert actual == expected


def test_every_constraint_is_exercised(pipeline: Pipeline, compiled: FastEngine, profile: Profile) -> None:
    """The corpus fires every kind of constraint; with the shape cases, every single constraint of the profile."""
    corpus: set[str] = set()
    for document in generate(records=200, seed=11):
        mapped, _, _ = pipeline.read(document.body, media_type=document.media_type, source=document.source)
        corpus |= {f.shape for f in compiled.validate(mapped.graph)}
    kinds = {profile.shapes[s].component for s in corpus if s in profile.shapes}
    assert {"sh:MinCountConstraintComponent", "sh:ClassConstraintComponent", "sh:OrConstraintComponent",
            "sh:QualifiedMinCountConstraintComponent", "sh:DatatypeConstraintComponent",
            "sh:NodeConstraintComponent", "sh:PatternConstraintComponent"} <= kinds
    cases: set[str] = set()
    for case in CASE_LIST:
        graph = Graph()
        graph.parse(CASES / "shapes" / "base.ttl", format="turtle")
        graph.update(PREFIXES + case["update"])
        cases |= {f.shape for f in compiled.validate(graph)}
    assert set(profile.shapes) <= corpus | cases

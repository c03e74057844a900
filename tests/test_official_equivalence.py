"""Puente and the official DCAT-AP 3.0.1 shapes agree on every violation, or the difference is documented.

The corpus: the official DCAT-AP 3 and DCAT-AP HVD examples (tests/oracles/examples/, see PROVENANCE.md there),
a Puente-written record that exercises the documented differences, and every golden case of every source
(tests/cases/). Each input is read as Puente reads it (its source's crosswalk or RDF steps); on that graph, the
official shapes.ttl + range.ttl run with pyshacl and Puente's background knowledge, and Puente's engine runs
with its profile. A violation one side raises and the other does not must be listed, with its reason, in
tests/oracles/official-differences.yaml; an entry no input meets is stale and fails too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.findings import Finding, Severity
from app.pipeline.run import Pipeline
from app.pipeline.validation import with_background
from app.profile.model import Profile
from app.rdf.namespaces import PREFIXES, curie
from app.settings import REPO_ROOT, Settings
from app.shacl.reference import findings_from_report
from tests.conftest import CASES, ORACLES, official_dcat_ap_shapes

DIFFERENCES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (ORACLES / "official-differences.yaml").read_text(encoding="utf-8"))
MEDIA = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".jsonld": "application/ld+json",
         ".json": "application/json"}
SOURCES = ("dcat", "es", "ckan", "socrata", "datajson", "co", "cl", "mx")


def _corpus() -> list[tuple[Path, str]]:
    examples = [(p, "dcat") for p in sorted((ORACLES / "examples").glob("*/*.ttl"))]
    golden = [(next(p for p in sorted(case.iterdir()) if p.stem == "input"), source)
              for source in SOURCES for case in sorted((CASES / source).iterdir()) if case.is_dir()]
    return examples + golden


CORPUS = _corpus()


def _expand(curie_text: str) -> str:
    prefix, _, local = curie_text.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie_text


@dataclass
class Compared:
    """One input of the corpus: both sides' violations and what no entry explains."""

    official: list[Finding]
    puente: list[Finding]
    unexplained_official: list[str] = field(default_factory=list)
    unexplained_puente: list[str] = field(default_factory=list)


def _key(finding: Finding) -> tuple[str, str, str]:
    return str(finding.focus), str(finding.path or ""), "" if finding.value is None else str(finding.value)


def _official_entry(finding: Finding, classes: set[str]) -> int | None:
    for number, entry in enumerate(DIFFERENCES["official_only"]):
        paths = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
        if (finding.path is not None and str(finding.path) in {_expand(p) for p in paths}
                and finding.component == entry["constraint"]
                and (not entry.get("focus") or classes & {_expand(c) for c in entry["focus"]})):
            return number
    return None


def _puente_entry(finding: Finding) -> int | None:
    for number, entry in enumerate(DIFFERENCES["puente_only"]):
        if "shape" in entry and finding.shape == _expand(entry["shape"]):
            return number
        if "constraint" in entry and finding.component.startswith(entry["constraint"]):
            return number
    return None


def compare(graph: Graph, official: list[Finding], puente: list[Finding],
            used: dict[tuple[str, int], int] | None = None) -> Compared:
    """Match both sides' violations on (focus, property, value); explain the rest with the documented entries."""
    result = Compared(official=official, puente=puente)
    puente_keys = {_key(f) for f in puente}
    official_keys = {_key(f) for f in official}
    for finding in official:
        if _key(finding) in puente_keys:
            continue
        classes = {str(c) for c in graph.objects(finding.focus, RDF.type)}
        number = _official_entry(finding, classes)
        if number is None:
            result.unexplained_official.append(f"{curie(str(finding.path))} {finding.component} on {finding.focus} "
                                               f"(value {finding.value})")
        elif used is not None:
            used[("official_only", number)] = used.get(("official_only", number), 0) + 1
    for finding in puente:
        if _key(finding) in official_keys:
            continue
        number = _puente_entry(finding)
        if number is None:
            result.unexplained_puente.append(f"{finding.shape} on {finding.focus} (value {finding.value})")
        elif used is not None:
            used[("puente_only", number)] = used.get(("puente_only", number), 0) + 1
    return result


@dataclass
class Run:
    graphs: dict[str, Graph]
    compared: dict[str, Compared]
    used: dict[tuple[str, int], int]


def _violations(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.VIOLATION]


@pytest.fixture(scope="module")
def run(profile: Profile) -> Run:
    pipeline = Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                        rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))
    shapes = official_dcat_ap_shapes()
    graphs: dict[str, Graph] = {}
    compared: dict[str, Compared] = {}
    used: dict[tuple[str, int], int] = {}
    for path, source in CORPUS:
        outcome = pipeline.validate(path.read_bytes(), media_type=MEDIA[path.suffix], source=source)
        graph = Graph()
        for triple in outcome.mapped.triples:
            graph.add(triple)
        _, report, _ = pyshacl.validate(with_background(graph, profile=profile), shacl_graph=shapes,
                                        inference="none")
        name = str(path.relative_to(REPO_ROOT))
        graphs[name] = graph
        # the engine's own findings and the mapping's problems, before reports tell one result per node and
        # property (a presentation choice, not a difference of what is checked)
        raw = pipeline.engine.validate_triples(outcome.mapped.triples) + outcome.mapped.problems
        compared[name] = compare(graph, _violations(findings_from_report(report)), _violations(raw), used)
    return Run(graphs=graphs, compared=compared, used=used)


def test_the_corpus_is_large_and_the_official_shapes_find_work(run: Run) -> None:
    official_examples = [n for n in run.compared if n.startswith("tests/oracles/examples/dcat-ap")]
    assert len(official_examples) >= 25 and len(run.compared) >= 50
    assert sum(len(c.official) for c in run.compared.values()) >= 150


@pytest.mark.parametrize("path", [str(p.relative_to(REPO_ROOT)) for p, _ in CORPUS])
def test_every_official_violation_is_raised_or_documented(path: str, run: Run) -> None:
    compared = run.compared[path]
    assert not compared.unexplained_official, (
        "official DCAT-AP 3.0.1 violations Puente does not raise and official-differences.yaml does not explain:\n"
        + "\n".join(compared.unexplained_official))


@pytest.mark.parametrize("path", [str(p.relative_to(REPO_ROOT)) for p, _ in CORPUS])
def test_every_puente_violation_is_official_or_documented(path: str, run: Run) -> None:
    compared = run.compared[path]
    assert not compared.unexplained_puente, (
        "Puente violations the official shapes do not raise and official-differences.yaml does not explain:\n"
        + "\n".join(compared.unexplained_puente))


def test_every_documented_difference_is_met_in_the_corpus(run: Run) -> None:
    """No stale entry: each documented difference happens at least once, so its reason is checked."""
    for side in ("official_only", "puente_only"):
        for number, entry in enumerate(DIFFERENCES[side]):
            assert run.used.get((side, number)), f"{side} entry never met: {entry}"
            assert len(str(entry["reason"])) > 60, entry


def test_most_official_violations_are_raised_by_puente_itself(run: Run) -> None:
    """The documented list explains the exceptions; Puente raises the bulk of what the official shapes raise."""
    raised = documented = 0
    for compared in run.compared.values():
        puente_keys = {_key(f) for f in compared.puente}
        for finding in compared.official:
            if _key(finding) in puente_keys:
                raised += 1
            else:
                documented += 1
    assert raised > 3 * documented, (raised, documented)


def test_control_a_missing_check_is_caught(run: Run) -> None:
    """Without Puente's dataset-series checks, the official violations they raise are unexplained: the test bites."""
    name = "tests/oracles/examples/dcat-ap-3/example-bee-population-dataset-series.ttl"
    compared = run.compared[name]
    dropped = [f for f in compared.puente if "DatasetSeries" not in f.shape]
    assert len(dropped) < len(compared.puente)
    again = compare(run.graphs[name], compared.official, dropped)
    assert any("dct:description" in line and "datasetseries" in line for line in again.unexplained_official)


def test_control_an_undocumented_difference_is_caught(run: Run) -> None:
    """An official violation matched by no Puente finding and no entry is reported."""
    name = "tests/oracles/examples/puente/documented-differences.ttl"
    compared = run.compared[name]
    invented = Finding(focus=URIRef("https://datos.example.org/obras"), path=URIRef("http://example.org/p"),
                       value=None, component="sh:MinCountConstraintComponent", shape="x", severity=Severity.VIOLATION)
    again = compare(run.graphs[name], [*compared.official, invented], compared.puente)
    assert again.unexplained_official == [f"http://example.org/p sh:MinCountConstraintComponent on {invented.focus} "
                                          "(value None)"]

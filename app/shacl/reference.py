"""The reference engine: pyshacl over the profile's shapes graph, with background knowledge added to the data.

Slow but general; the fast engine (app/shacl/fast.py) must give exactly its findings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Container, Iterable

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, URIRef
from rdflib.term import Node

from app.findings import Finding, FindingLimitReached, Severity
from app.rdf.namespaces import SH, curie
from app.rdf.terms import Triple, copy_graph

_SEVERITIES = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}

# The triples a data graph needs from the background (types and labels of the vocabulary IRIs it uses).
BackgroundFor = Callable[[Graph], list[Triple]]


def with_background(data: Graph, *, background: BackgroundFor) -> Graph:
    """A copy of `data` plus the background triples it needs; the input graph is not changed."""
    enriched = copy_graph(data)
    for triple in background(data):
        enriched.add(triple)
    return enriched


class PyshaclEngine:
    """pyshacl with the shapes parsed once; runs are serialised because pyshacl patches rdflib globals."""

    name = "pyshacl"
    value_properties: frozenset[str] | None = None  # which properties of a value node it reads: any

    def __init__(self, shapes_graph: Graph, *, background: BackgroundFor) -> None:
        self._shapes_graph = shapes_graph
        self._background = background
        self._lock = threading.Lock()
        self._logger = logging.getLogger("puente.pyshacl")
        self._logger.setLevel(logging.ERROR)
        self._shapes = ShapesGraph(shapes_graph, False, self._logger)

    def validate(self, data: Graph) -> list[Finding]:
        """Validate a graph; `data` is left unchanged."""
        enriched = with_background(data, background=self._background)
        options = {"inference": "none", "advanced": False, "inplace": True, "allow_infos": True,
                   "allow_warnings": True, "max_validation_depth": 15, "logger": self._logger}
        with self._lock:
            validator = Validator(DataGraph.from_rdflib(enriched), shacl_graph=self._shapes_graph, options=options)
            validator.shacl_graph = self._shapes
            _conforms, report, _text = validator.run()  # type: ignore[no-untyped-call]
        return findings_from_report(report)

    def validate_triples(self, triples: Iterable[Triple], *, only: Container[Node] | None = None,
                         limit: int | None = None) -> list[Finding]:
        """Validate a set of triples (one record or a catalogue); `only`: keep the findings on these nodes;
        `limit`: as FastEngine's (checked once pyshacl is done: it cannot be stopped half-way)."""
        data = Graph()
        for triple in triples:
            data.add(triple)
        findings = self.validate(data)
        findings = findings if only is None else [f for f in findings if f.focus in only]
        if limit is not None and len(findings) > limit:
            raise FindingLimitReached(len(findings))
        return findings


def findings_from_report(report: Graph) -> list[Finding]:
    """Top-level results of a SHACL report graph (nested sh:detail results are not counted)."""
    findings: list[Finding] = []
    for report_node in report.subjects(predicate=None, object=SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            path = report.value(result, SH.resultPath)
            component = report.value(result, SH.sourceConstraintComponent)
            severity = report.value(result, SH.resultSeverity)
            findings.append(Finding(
                focus=report.value(result, SH.focusNode) or URIRef(""),
                path=path if isinstance(path, URIRef) else None,
                value=report.value(result, SH.value),
                component=curie(str(component)),
                shape=str(report.value(result, SH.sourceShape)),
                severity=_SEVERITIES.get(severity, Severity.VIOLATION) if isinstance(severity, URIRef)
                else Severity.VIOLATION,
            ))
    findings.sort(key=Finding.key)
    return findings

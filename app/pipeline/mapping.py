"""Map: a national JSON document in, the common-profile graph out, with provenance and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from app.crosswalk.engine import Mapped, Mapper
from app.crosswalk.lookups import Lookups
from app.crosswalk.rdf_source import LoadedRdfSource
from app.findings import Finding, Problem, Severity
from app.pipeline.parsing import graph_of
from app.rdf.terms import Triple
from app.rdf.triple_index import TripleIndex


@dataclass
class MappedInput:
    """What the map stage hands to validation and reporting.

    Validation and reports read `triples`; the rdflib `graph` (for serialising and exports) is built on first
    use, because building it costs more than mapping and validating together. Only the triples cross a process
    boundary."""

    triples: list[Triple]
    provenance: dict[Triple, str] = field(default_factory=dict)
    expected: dict[tuple[Node, URIRef], str] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)
    owners: dict[Node, Node] = field(default_factory=dict)  # JSON: node → the record it was made for
    generated: set[Node] = field(default_factory=set)  # JSON: nodes Puente makes from templates
    _by_property: dict[tuple[Node, Node], str] | None = field(default=None, repr=False, compare=False)
    _graph: Graph | None = field(default=None, repr=False, compare=False)

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = graph_of(self.triples)
        return self._graph

    def __getstate__(self) -> dict[str, Any]:  # spelled out: a compiled class has no __dict__
        return {"triples": self.triples, "provenance": self.provenance, "expected": self.expected,
                "problems": self.problems, "owners": self.owners, "generated": self.generated}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.triples, self.provenance = state["triples"], state["provenance"]
        self.expected, self.problems = state["expected"], state["problems"]
        self.owners, self.generated = state["owners"], state["generated"]
        self._by_property, self._graph = None, None

    def tidy(self, findings: list[Finding]) -> list[Finding]:
        """Findings an operator can act on, once (JSON sources; before `deduplicate`):
        - none about what only Puente writes: a property no field of the format fills, on a node Puente makes from
          templates (the availability of a portal's CSV export);
        - one per record for a record-level field several made nodes read (the view's licence on each export)."""
        if not self.owners:
            return findings
        kept: list[Finding] = []
        seen: set[tuple[Node, str, str]] = set()
        for finding in findings:
            if finding.value is None and finding.source_field is None and not finding.source_gap:
                where = self.source_field(finding, None)
                if where is None:
                    if finding.focus in self.generated:
                        continue
                else:
                    owner = self.owners.get(finding.focus)
                    if owner is not None and owner != finding.focus:
                        key = (owner, finding.shape, where)
                        if key in seen:
                            continue
                        seen.add(key)
                    finding = finding._replace(source_field=where)  # resolved once: the report reads it
            kept.append(finding)
        return kept

    def source_field(self, finding: Finding, chain: str | None) -> str | None:
        """The field of the user's document a finding is about (None when no field is involved)."""
        if finding.path is None:
            return None
        if finding.value is not None:
            where = self.provenance.get((finding.focus, finding.path, finding.value))
            if where is not None:
                return where
        if self._by_property is None:  # built on first use: (subject, predicate) → the first field
            self._by_property = {}
            for (subject, predicate, _), field_name in self.provenance.items():
                self._by_property.setdefault((subject, predicate), field_name)
        where = self._by_property.get((finding.focus, finding.path))
        return where if where is not None else self.expected.get((finding.focus, finding.path))


def normalise_rdf(graph: TripleIndex, *, steps: LoadedRdfSource, lookups: Lookups) -> list[Finding]:
    """Run an RDF source's named steps in place; their problems are findings on the field."""
    findings: list[Finding] = []
    for _spec, step in steps.steps:
        findings.extend(step(graph, lookups).problems)
    return findings


def map_document(document: Any, *, mapper: Mapper, repeated_keys: list[str] | None = None,
                 origin: str | None = None) -> MappedInput:
    """Run the source's crosswalk over a parsed JSON document."""
    return map_records(mapper.records(document), mapper=mapper, repeated_keys=repeated_keys, origin=origin)


def map_records(records: list[tuple[dict[str, Any], str]], *, mapper: Mapper,
                repeated_keys: list[str] | None = None, origin: str | None = None) -> MappedInput:
    """Run the source's crosswalk over records found in a JSON document (`origin`: the portal's address, checked)."""
    mapped: Mapped = mapper.map_records(records, origin=origin)
    problems = list(mapped.problems)
    if repeated_keys and mapped.roots:
        for key in dict.fromkeys(repeated_keys):
            problems.append(Problem("duplicate-key", Severity.WARNING, key).at(focus=mapped.roots[0], target=None,
                                                                              source_field=key))
    return MappedInput(triples=list(mapped.provenance), provenance=mapped.provenance, expected=mapped.expected,
                       problems=problems, owners=mapped.owners, generated=mapped.generated)

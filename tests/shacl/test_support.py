"""The table of supported SHACL is the one source of truth: the loader refuses the rest, the fast engine runs the rest.

- Every construct outside the table (or a supported one used in an unsupported way) stops the loader with a
  ConfigurationError naming the shape and the construct: never a raw ValueError, never a silently skipped shape.
- Shapes generated from the table (Hypothesis) give the same findings under the fast engine and pyshacl on
  generated records.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from app.errors import ConfigurationError
from app.findings import Finding
from app.pipeline.validation import fast_engine
from app.profile.loader import load_shapes
from app.profile.model import Profile
from app.settings import REPO_ROOT
from app.shacl.fast import FastEngine
from app.shacl.reference import PyshaclEngine
from app.shacl.support import SUPPORTED, read_property_shapes

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ps: <https://w3id.org/puente/shapes#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


def _shapes_with(tmp_path: Path, extra: str) -> Path:
    target = tmp_path / "shapes"
    target.mkdir()
    for source in (REPO_ROOT / "shapes").iterdir():
        if source.is_file():  # shapes/contexts/ holds known JSON-LD contexts
            (target / source.name).write_bytes(source.read_bytes())
    with (target / "ranges.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\n" + PREFIXES + extra + "\n")
    return target


def _texts(shape: str) -> str:
    return (f'{shape} sh:name "n"@es, "n"@en ; sh:message "m"@es, "m"@en ; sh:severity sh:Violation ; '
            f"a sh:PropertyShape ;")


REFUSED = {
    "min-count-not-a-number": ("ps:X", 'ps:X ' + _texts("") + ' sh:path dct:title ; '
                               'sh:minCount "uno" . ps:DatasetShape sh:property ps:X .', "sh:minCount"),
    "node-kind-on-the-node-shape": ("ps:DatasetShape", "ps:DatasetShape sh:nodeKind sh:IRI .", "sh:nodeKind"),
    "class-on-the-node-shape": ("ps:DatasetShape", "ps:DatasetShape sh:class dcat:Dataset .", "sh:class"),
    "second-target": ("ps:DatasetShape", "ps:DatasetShape sh:targetClass dcat:Resource .", "sh:targetClass"),
    "shared-property-shape": ("ps:Dataset-title-required",
                              "ps:DistributionShape sh:property ps:Dataset-title-required .", "sh:property"),
    "helper-with-class": ("ps:InEUDataTheme", "ps:InEUDataTheme sh:class dcat:Dataset .", "sh:class"),
    "helper-with-node-kind": ("ps:InEUFileType", "ps:InEUFileType sh:nodeKind sh:IRI .", "sh:nodeKind"),
    "property-shape-with-a-target": ("ps:Dataset-title-required",
                                     "ps:Dataset-title-required sh:targetClass dcat:Dataset .", "sh:targetClass"),
    "target-without-node-shape": ("ps:Loose", "ps:Loose sh:targetClass dcat:Dataset .", "sh:targetClass"),
    "target-node": ("ps:DatasetShape", "ps:DatasetShape sh:targetNode <https://example.org/d> .", "sh:targetNode"),
    "or-of-two-parameters": ("ps:Y", "ps:Y " + _texts("") + " sh:path dct:title ; sh:or ( [ sh:datatype xsd:string ; "
                             "sh:minLength 2 ] ) . ps:DatasetShape sh:property ps:Y .", "sh:minLength"),
    "or-member-with-min-count": ("ps:Z", "ps:Z " + _texts("") + " sh:path dct:title ; sh:or ( [ sh:minCount 1 ] ) . "
                                 "ps:DatasetShape sh:property ps:Z .", "sh:or"),
    "unattached-property-shape": ("ps:Orphan", "ps:Orphan " + _texts("") + " sh:path dct:title ; sh:minCount 1 .",
                                  "sh:PropertyShape"),
    "sparql": ("ps:DatasetShape", 'ps:DatasetShape sh:sparql [ sh:select "SELECT $this WHERE {}" ] .', "sh:sparql"),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_unsupported_constructs_are_refused_naming_shape_and_construct(case: str, tmp_path: Path) -> None:
    shape, extra, construct = REFUSED[case]
    shapes_dir = _shapes_with(tmp_path, extra)
    with pytest.raises(ConfigurationError) as refused:
        load_shapes(shapes_dir)
    message = str(refused.value)
    assert construct in message
    assert shape.removeprefix("ps:") in message


ACCEPTED = {
    "in": 'ps:A ' + _texts("") + ' sh:path dct:title ; sh:in ( "a" "b" ) . ps:DatasetShape sh:property ps:A .',
    "has-value": "ps:B " + _texts("") + " sh:path dcat:theme ; "
                 "sh:hasValue <http://publications.europa.eu/resource/authority/data-theme/ECON> . "
                 "ps:DatasetShape sh:property ps:B .",
    "or-of-classes": "ps:C " + _texts("") + " sh:path dct:publisher ; sh:or ( [ sh:class foaf:Agent ] "
                     "[ sh:class foaf:Person ] ) . ps:DatasetShape sh:property ps:C .",
}


@pytest.mark.parametrize("case", list(ACCEPTED), ids=list(ACCEPTED))
def test_constructs_the_table_supports_load_and_run(case: str, tmp_path: Path, profile: Profile) -> None:
    """sh:in, a top-level sh:hasValue and sh:or of sh:class crashed start-up before the table: now they run."""
    graph, shapes, _, _ = load_shapes(_shapes_with(tmp_path, ACCEPTED[case]))
    engine = FastEngine(list(shapes.values()), background=profile.background)
    assert len(engine._shapes) == len(shapes)


def test_no_shape_of_the_profile_is_skipped(profile: Profile) -> None:
    engine = fast_engine(profile)
    assert [c.iri for c in engine._shapes] == list(profile.shapes)
    used = {s.constraint.parameter for s in profile.shapes.values()}
    assert used <= {"sh:" + str(p).rsplit("#", 1)[-1] for p in SUPPORTED}


# ------------------------------------------------------------------------------------------ generated shapes

EX = "https://example.org/"
C, SUB, P, Q, D, E = (URIRef(EX + n) for n in ("C", "Sub", "p", "q", "D", "E"))
VALUES = [URIRef(EX + "v1"), URIRef(EX + "v2"), URIRef(EX + "d1"), BNode("b1"), Literal("1", datatype=XSD.integer),
          Literal("uno"), Literal("x", lang="es"), Literal("2024-01-01", datatype=XSD.date),
          Literal("nope", datatype=XSD.date), Literal("https://example.org/v1"), Literal("1.5", datatype=XSD.decimal)]
DATATYPES = [XSD.string, XSD.integer, XSD.date, XSD.decimal, RDF.langString]
KINDS = ["IRI", "Literal", "BlankNode", "BlankNodeOrIRI", "IRIOrLiteral", "BlankNodeOrLiteral"]


def _term(value: URIRef | Literal | BNode) -> str:
    return value.n3()


@st.composite
def constraint(draw: st.DrawFn) -> str:
    """One property-shape constraint in Turtle, drawn from every construct of the supported table."""
    kind = draw(st.sampled_from(sorted(str(p).rsplit("#", 1)[-1] for p in SUPPORTED)))
    if kind in ("minCount", "maxCount"):
        return f"sh:{kind} {draw(st.integers(0, 3))}"
    if kind == "class":
        return f"sh:class <{draw(st.sampled_from([D, E]))}>"
    if kind == "datatype":
        return f"sh:datatype <{draw(st.sampled_from(DATATYPES))}>"
    if kind == "nodeKind":
        return f"sh:nodeKind sh:{draw(st.sampled_from(KINDS))}"
    if kind == "pattern":
        return f'sh:pattern "{draw(st.sampled_from(["^h", "v1$", "[0-9]", "^uno$"]))}"'
    if kind == "or":
        members = draw(st.lists(st.sampled_from(
            [f"[ sh:datatype <{d}> ]" for d in DATATYPES] + [f"[ sh:class <{c}> ]" for c in (D, E)]
            + [f"[ sh:nodeKind sh:{k} ]" for k in KINDS]), min_size=1, max_size=3))
        return f"sh:or ( {' '.join(members)} )"
    if kind == "in":
        members = draw(st.lists(st.sampled_from([v for v in VALUES if not isinstance(v, BNode)]), min_size=1,
                                max_size=3))
        return f"sh:in ( {' '.join(_term(v) for v in members)} )"
    if kind == "hasValue":
        return f"sh:hasValue {_term(draw(st.sampled_from([v for v in VALUES if not isinstance(v, BNode)])))}"
    helper = f"<{EX}helper>"
    if kind == "node":
        return f"sh:node {helper}"
    return f"sh:qualifiedValueShape {helper} ; sh:qualifiedMinCount {draw(st.integers(0, 2))}"


@st.composite
def data(draw: st.DrawFn) -> Graph:
    graph = Graph()
    graph.add((SUB, RDFS.subClassOf, C))
    for i in range(draw(st.integers(1, 3))):
        focus = URIRef(f"{EX}f{i}")
        graph.add((focus, RDF.type, draw(st.sampled_from([C, SUB]))))
        for value in draw(st.lists(st.sampled_from(VALUES), max_size=4)):
            graph.add((focus, P, value))
    for node in (URIRef(EX + "v1"), URIRef(EX + "d1"), BNode("b1")):
        for cls in draw(st.lists(st.sampled_from([D, E]), max_size=2)):
            graph.add((node, RDF.type, cls))
        if draw(st.booleans()):
            graph.add((node, Q, URIRef(EX + "v2")))
    return graph


def _shapes_graph(constraint_turtle: str) -> Graph:
    graph = Graph()
    graph.parse(data=f"""{PREFIXES}
        <{EX}NodeShape> a sh:NodeShape ; sh:targetClass <{C}> ; sh:property <{EX}shape> .
        <{EX}shape> a sh:PropertyShape ; sh:path <{P}> ; sh:severity sh:Warning ; {constraint_turtle} .
        <{EX}helper> a sh:NodeShape ; sh:property [ sh:path <{Q}> ; sh:hasValue <{EX}v2> ] .
        """, format="turtle")
    return graph


class _NoBackground:
    by_iri: dict[object, tuple[object, ...]] = {}
    superclasses = {SUB: (C,)}

    @staticmethod
    def by_namespace(node: object) -> tuple[object, ...]:
        return ()


def _keys(findings: list[Finding]) -> list[tuple[str, ...]]:
    return sorted((str(f.focus), str(f.path), "" if f.value is None else f.value.n3(), f.component, f.shape,
                   f.severity.value) for f in findings)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(constraint_turtle=constraint(), record=data())
def test_shapes_generated_from_the_table_give_the_same_findings_on_both_engines(constraint_turtle: str,
                                                                               record: Graph) -> None:
    shapes = _shapes_graph(constraint_turtle)
    read = read_property_shapes(shapes)
    assert len(read) == 1
    fast = FastEngine(read, background=_NoBackground())  # type: ignore[arg-type]
    reference = PyshaclEngine(shapes, background=lambda graph: [])
    assert _keys(fast.validate(record)) == _keys(reference.validate(record))

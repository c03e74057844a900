"""The SHACL Puente supports: one table, the only place that says so.

The profile loader accepts exactly the constraint parameters listed in SUPPORTED (anything else is refused at
start-up with a ConfigurationError naming the shape and the construct), reads each one once into a Constraint,
and the fast engine builds its check from that Constraint. pyshacl, the reference engine, reads the same shapes
graph; tests/shacl/test_support.py generates shapes from this table and compares the two engines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from app.errors import ConfigurationError
from app.findings import Severity
from app.rdf.namespaces import SH, curie
from app.shacl import checks
from app.shacl.checks import Check, ValueTest

Canon = Callable[[Node], Node]  # the engine's own object for an IRI (see checks.build_index)


@dataclass(frozen=True)
class Constraint:
    """One constraint of one property shape, read once from the shapes graph."""

    parameter: str  # the SHACL parameter, as a CURIE ("sh:minCount")
    component: str  # the constraint component reports name ("sh:MinCountConstraintComponent")
    shown: dict[str, str]  # the parameters as the profile page shows them
    build: Callable[[Canon], Check] = field(repr=False, compare=False)  # the fast engine's check
    value_paths: tuple[URIRef, ...] = ()  # properties of a value node the check reads (helper shapes)


@dataclass(frozen=True)
class Construct:
    """One supported SHACL constraint parameter: the component it triggers, and how it is read."""

    component: str
    read: Callable[[Graph, Node, Node], Constraint]  # (shapes graph, property shape, parameter value)
    companions: tuple[URIRef, ...] = ()  # parameters only allowed beside this one
    doc: str = ""


def refuse(shape: Node, construct: str, reason: str) -> ConfigurationError:
    """A shapes file uses SHACL Puente does not support: the service must not start."""
    es = f"forma {shape}: {construct} no está soportado: {reason}"
    en = f"shape {shape}: {construct} is not supported: {reason}"
    return ConfigurationError({"es": es, "en": en, "pt": en})


def _count(graph: Graph, shape: Node, value: Node, name: str) -> int:
    if not isinstance(value, Literal) or not isinstance(value.value, int) or isinstance(value.value, bool) \
            or value.value < 0:
        raise refuse(shape, f"sh:{name} {value.n3()}", "the value must be a non-negative xsd:integer")
    return int(value.value)


def _iri(shape: Node, value: Node, name: str) -> URIRef:
    if not isinstance(value, URIRef):
        raise refuse(shape, f"sh:{name} {value.n3()}", "the value must be an IRI")
    return value


def _constraint(parameter: str, component: str, shown: dict[str, str], build: Callable[[Canon], Check], *,
                value_paths: tuple[URIRef, ...] = ()) -> Constraint:
    return Constraint(parameter=f"sh:{parameter}", component=f"sh:{component}", shown=shown, build=build,
                      value_paths=value_paths)


def _read_min_count(graph: Graph, shape: Node, value: Node) -> Constraint:
    n = _count(graph, shape, value, "minCount")
    return _constraint("minCount", "MinCountConstraintComponent", {"sh:minCount": str(n)},
                       lambda canon: checks.min_count(n))


def _read_max_count(graph: Graph, shape: Node, value: Node) -> Constraint:
    n = _count(graph, shape, value, "maxCount")
    return _constraint("maxCount", "MaxCountConstraintComponent", {"sh:maxCount": str(n)},
                       lambda canon: checks.max_count(n))


def _read_class(graph: Graph, shape: Node, value: Node) -> Constraint:
    cls = _iri(shape, value, "class")
    return _constraint("class", "ClassConstraintComponent", {"sh:class": curie(str(cls))},
                       lambda canon: checks.every_value(checks.class_test(canon(cls))))


def _read_datatype(graph: Graph, shape: Node, value: Node) -> Constraint:
    datatype = _iri(shape, value, "datatype")
    return _constraint("datatype", "DatatypeConstraintComponent", {"sh:datatype": curie(str(datatype))},
                       lambda canon: checks.every_value(checks.datatype_value_test(datatype)))


def _read_node_kind(graph: Graph, shape: Node, value: Node) -> Constraint:
    if value not in checks.KINDS:
        raise refuse(shape, f"sh:nodeKind {value.n3()}", "not one of the six SHACL node kinds")
    return _constraint("nodeKind", "NodeKindConstraintComponent", {"sh:nodeKind": curie(str(value))},
                       lambda canon: checks.every_value(checks.kind_test(value)))


def _read_pattern(graph: Graph, shape: Node, value: Node) -> Constraint:
    flags = graph.value(shape, SH.flags)
    if not isinstance(value, Literal) or (flags is not None and str(flags) not in ("", "i")):
        raise refuse(shape, "sh:pattern", "the pattern must be a string, with no flags or the flag \"i\"")
    regex, given = str(value), str(flags or "")
    try:
        checks.pattern(regex, given)
    except Exception as broken:  # re.error, or an engine-specific refusal
        raise refuse(shape, f"sh:pattern {regex!r}", str(broken)) from broken
    return _constraint("pattern", "PatternConstraintComponent", {"sh:pattern": regex},
                       lambda canon: checks.pattern(regex, given))


# sh:or members: a blank node carrying exactly one of these
_MEMBER_TESTS: dict[URIRef, Callable[[Node, Canon], ValueTest]] = {
    SH.datatype: lambda value, canon: checks.datatype_value_test(value),
    SH["class"]: lambda value, canon: checks.class_test(canon(value)),
    SH.nodeKind: lambda value, canon: checks.kind_test(value),
}


def _list(graph: Graph, shape: Node, value: Node, name: str) -> list[Node]:
    if not isinstance(value, BNode) and value != RDF.nil:
        raise refuse(shape, f"sh:{name}", "the value must be an RDF list")
    members = list(Collection(graph, value))
    if not members:
        raise refuse(shape, f"sh:{name}", "the list is empty")
    return members


def _read_or(graph: Graph, shape: Node, value: Node) -> Constraint:
    members: list[tuple[URIRef, Node]] = []
    for member in _list(graph, shape, value, "or"):
        described = list(graph.predicate_objects(member))
        parameter, given = described[0] if len(described) == 1 else (None, None)
        if not isinstance(parameter, URIRef) or parameter not in _MEMBER_TESTS or not isinstance(given, URIRef) \
                or (parameter == SH.nodeKind and given not in checks.KINDS):
            raise refuse(shape, "sh:or", "each member must be a shape with exactly one sh:datatype, sh:class or "
                                         "sh:nodeKind")
        members.append((parameter, given))
    shown = " | ".join(curie(str(v)) for _, v in members)

    def build(canon: Canon) -> Check:
        return checks.any_of([_MEMBER_TESTS[p](v, canon) for p, v in members])

    return _constraint("or", "OrConstraintComponent", {"or": shown}, build)


def _read_in(graph: Graph, shape: Node, value: Node) -> Constraint:
    allowed = _list(graph, shape, value, "in")
    if any(isinstance(v, BNode) for v in allowed):
        raise refuse(shape, "sh:in", "list members must be IRIs or literals")
    shown = ", ".join(curie(str(v)) if isinstance(v, URIRef) else str(v) for v in allowed)
    return _constraint("in", "InConstraintComponent", {"sh:in": shown},
                       lambda canon: checks.in_values([canon(v) for v in allowed]))


def _read_has_value(graph: Graph, shape: Node, value: Node) -> Constraint:
    if isinstance(value, BNode):
        raise refuse(shape, "sh:hasValue", "the value must be an IRI or a literal")
    shown = curie(str(value)) if isinstance(value, URIRef) else str(value)
    return _constraint("hasValue", "HasValueConstraintComponent", {"sh:hasValue": shown},
                       lambda canon: checks.has_value(canon(value)))


def helper_pairs(graph: Graph, shape: Node, helper: Node, via: str) -> list[tuple[Node, Node]]:
    """A helper node shape (reached through sh:node or sh:qualifiedValueShape) as its (path, value) pairs.

    The only helper shapes supported: a node shape whose every sh:property is [sh:path <iri>; sh:hasValue v]."""
    if isinstance(helper, Literal):
        raise refuse(shape, via, "the value must be a shape")
    own = {p for p, _ in graph.predicate_objects(helper)} - {RDF.type, SH.property, SH.name, SH.description}
    if own:
        raise refuse(helper, f"{' '.join(curie(str(p)) for p in sorted(own, key=str))} on a helper shape",
                     f"a shape used through {via} may only list sh:property [sh:path …; sh:hasValue …]")
    pairs: list[tuple[Node, Node]] = []
    for prop in graph.objects(helper, SH.property):
        described = dict(graph.predicate_objects(prop))
        path, required = described.pop(SH.path, None), described.pop(SH.hasValue, None)
        described.pop(RDF.type, None)
        if not isinstance(path, URIRef) or required is None or isinstance(required, BNode) or described:
            raise refuse(helper, f"a property of a shape used through {via}",
                         "each must be exactly [sh:path <iri>; sh:hasValue <value>]")
        pairs.append((path, required))
    if not pairs:
        raise refuse(helper, via, "the helper shape has no sh:property")
    return pairs


def _read_node(graph: Graph, shape: Node, value: Node) -> Constraint:
    pairs = helper_pairs(graph, shape, value, "sh:node")
    shown = curie(str(pairs[0][1])) if len(pairs) == 1 else curie(str(value))
    return _constraint("node", "NodeConstraintComponent", {"node": shown},
                       lambda canon: checks.every_value(checks.pairs_test([(canon(p), canon(v)) for p, v in pairs])),
                       value_paths=tuple(URIRef(str(p)) for p, _ in pairs))


def _read_qualified(graph: Graph, shape: Node, value: Node) -> Constraint:
    n = _count(graph, shape, value, "qualifiedMinCount")
    helper = graph.value(shape, SH.qualifiedValueShape)
    if helper is None:
        raise refuse(shape, "sh:qualifiedMinCount", "it needs an sh:qualifiedValueShape")
    pairs = helper_pairs(graph, shape, helper, "sh:qualifiedValueShape")
    shown = curie(str(pairs[0][1])) if len(pairs) == 1 else curie(str(helper))
    return _constraint("qualifiedMinCount", "QualifiedMinCountConstraintComponent",
                       {"qualifiedMinCount": str(n), "qualifiedValueShape": shown},
                       lambda canon: checks.qualified_min_count(
                           checks.pairs_test([(canon(p), canon(v)) for p, v in pairs]), n),
                       value_paths=tuple(URIRef(str(p)) for p, _ in pairs))


SUPPORTED: dict[URIRef, Construct] = {
    SH.minCount: Construct("sh:MinCountConstraintComponent", _read_min_count, doc="at least n values"),
    SH.maxCount: Construct("sh:MaxCountConstraintComponent", _read_max_count, doc="at most n values"),
    SH["class"]: Construct("sh:ClassConstraintComponent", _read_class,
                           doc="every value is an instance of the class (rdf:type, with rdfs:subClassOf)"),
    SH.datatype: Construct("sh:DatatypeConstraintComponent", _read_datatype,
                           doc="every value is a literal of the datatype"),
    SH.nodeKind: Construct("sh:NodeKindConstraintComponent", _read_node_kind, doc="every value is of the node kind"),
    SH.pattern: Construct("sh:PatternConstraintComponent", _read_pattern, companions=(SH.flags,),
                          doc="every value matches the regular expression (flags: none or i)"),
    SH["or"]: Construct("sh:OrConstraintComponent", _read_or,
                        doc="every value matches one member; members carry one sh:datatype, sh:class or sh:nodeKind"),
    SH["in"]: Construct("sh:InConstraintComponent", _read_in, doc="every value is one of the listed IRIs or literals"),
    SH.hasValue: Construct("sh:HasValueConstraintComponent", _read_has_value, doc="one of the values is the given one"),
    SH.node: Construct("sh:NodeConstraintComponent", _read_node,
                       doc="every value conforms to a helper shape of [sh:path p; sh:hasValue v] properties"),
    SH.qualifiedMinCount: Construct("sh:QualifiedMinCountConstraintComponent", _read_qualified,
                                    companions=(SH.qualifiedValueShape,),
                                    doc="at least n values conform to a helper shape as for sh:node"),
}

# The other sh: terms a shapes file may use: structure, documentation and constants.
STRUCTURE = frozenset({
    SH.NodeShape, SH.PropertyShape, SH.targetClass, SH.property, SH.path, SH.severity, SH.name, SH.message,
    SH.description, SH.Violation, SH.Warning, SH.Info, *checks.KINDS,
})
ALLOWED_TERMS = STRUCTURE | set(SUPPORTED) | {c for construct in SUPPORTED.values() for c in construct.companions}
SEVERITIES = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


@dataclass(frozen=True)
class PropertyShape:
    """One property shape: one constraint on one property of the instances of one class."""

    iri: str
    node_shape: str
    target_class: str
    path: str
    severity: Severity
    constraint: Constraint


def check_terms(graph: Graph, *, where: str) -> None:
    """Refuse any sh: term outside the supported table (sh:sparql, sh:targetNode, sh:closed, DCAT-AP's sh:shape...),
    naming the shape that uses it and every unsupported term it uses."""
    found: dict[Node, set[str]] = {}
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(str(SH)) and term not in ALLOWED_TERMS:
                found.setdefault(_named_owner(graph, triple[0], where=where), set()).add(curie(str(term)))
    if found:
        owner = min(found, key=str)
        raise refuse(owner, ", ".join(sorted(found[owner])),
                     "not in Puente's table of supported SHACL (app/shacl/support.py)")


def _named_owner(graph: Graph, node: Node, *, where: str) -> Node:
    """The nearest IRI that reaches `node` (a blank node inside an sh:or list belongs to a named shape)."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(iter(graph.subjects(None, node)), None)
        if parent is None:
            return URIRef(where)
        node = parent
    return node


def read_property_shapes(graph: Graph) -> list[PropertyShape]:
    """Every property shape of a shapes graph, checked against the supported table.

    Supported structure: node shapes with exactly one sh:targetClass and no constraint of their own, each listing
    property shapes (IRIs) that have a simple sh:path, an sh:severity, exactly one supported constraint, no
    target, and belong to exactly one node shape; helper shapes (no target) as described in helper_pairs."""
    for subject in set(graph.subjects(SH.targetClass, None)):
        if (subject, RDF.type, SH.NodeShape) not in graph:
            raise refuse(subject, "sh:targetClass", "targets are supported on shapes declared sh:NodeShape only")
    found: list[PropertyShape] = []
    owners: dict[Node, Node] = {}
    for node_shape in sorted(graph.subjects(RDF.type, SH.NodeShape), key=str):
        targets = list(graph.objects(node_shape, SH.targetClass))
        if not targets:
            continue  # a helper shape: read where it is used
        if len(targets) > 1 or not isinstance(targets[0], URIRef):
            raise refuse(node_shape, "sh:targetClass", "a node shape targets exactly one class (an IRI)")
        own = [p for p in graph.predicates(node_shape) if p in SUPPORTED]
        if own:
            raise refuse(node_shape, " ".join(curie(str(p)) for p in own),
                         "constraints on a node shape itself are not supported: put them on a property shape")
        for shape in graph.objects(node_shape, SH.property):
            if not isinstance(shape, URIRef):
                raise refuse(node_shape, "sh:property [ … ]", "every property shape needs an IRI")
            if shape in owners:
                raise refuse(shape, "sh:property", f"attached to two node shapes ({owners[shape]} and {node_shape})")
            owners[shape] = node_shape
            found.append(_read_property(graph, shape, node_shape=node_shape, target=targets[0]))
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        if shape not in owners:
            raise refuse(shape, "sh:PropertyShape", "it belongs to no node shape, so no engine would run it")
    return found


def _read_property(graph: Graph, shape: URIRef, *, node_shape: Node, target: URIRef) -> PropertyShape:
    if any(True for _ in graph.objects(shape, SH.targetClass)):
        raise refuse(shape, "sh:targetClass", "a property shape takes its targets from its node shape")
    path, severity = graph.value(shape, SH.path), graph.value(shape, SH.severity)
    if not isinstance(path, URIRef):
        raise refuse(shape, "sh:path", "only a single property IRI is supported as a path")
    if severity not in SEVERITIES or not isinstance(severity, URIRef):
        raise refuse(shape, "sh:severity", "give sh:Violation, sh:Warning or sh:Info")
    parameters = [p for p in SUPPORTED if (shape, p, None) in graph]
    if len(parameters) != 1:
        raise refuse(shape, " ".join(curie(str(p)) for p in parameters) or "no constraint",
                     "a property shape carries exactly one supported constraint")
    parameter = parameters[0]
    for companion in {c for construct in SUPPORTED.values() for c in construct.companions}:
        if (shape, companion, None) in graph and companion not in SUPPORTED[parameter].companions:
            raise refuse(shape, curie(str(companion)), f"only allowed beside {curie(str(parameter))}")
    values = list(graph.objects(shape, parameter))
    if len(values) != 1:
        raise refuse(shape, curie(str(parameter)), "give the parameter exactly once")
    constraint = SUPPORTED[parameter].read(graph, shape, values[0])
    return PropertyShape(iri=str(shape), node_shape=str(node_shape), target_class=str(target), path=str(path),
                         severity=SEVERITIES[severity], constraint=constraint)

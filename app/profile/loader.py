"""Load the profile from shapes/ and vocabularies/ and check the house rules as it loads.

A broken data file is a start-up error (ConfigurationError), never a silent gap.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from app.errors import ConfigurationError
from app.i18n import LocalText
from app.profile.contexts import load_known_contexts
from app.profile.model import Background, ClassInfo, Level, NamespaceRule, Profile, ShapeInfo, Vocabulary
from app.rdf.namespaces import DCT, PREFIXES, PROFILE_IRI, PUENTE, SH
from app.rdf.terms import Triple, load_turtle_file
from app.shacl.support import check_terms, read_property_shapes

SHAPE_FILES: dict[str, Level | None] = {
    "profile.ttl": None,
    "mandatory.ttl": Level.MANDATORY,
    "ranges.ttl": Level.RANGE,
    "recommended.ttl": Level.RECOMMENDED,
    "vocabularies.ttl": Level.VOCABULARY,
    "hints.ttl": Level.HINT,
}

REQUIRED_LANGS = ("es", "en")


def _local_text(graph: Graph, subject: Node, predicate: URIRef) -> LocalText:
    texts: LocalText = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language:
            texts[value.language] = str(value)
    return texts


def _require_langs(texts: LocalText, *, what: str) -> None:
    missing = [lang for lang in REQUIRED_LANGS if not texts.get(lang)]
    if missing:
        raise ConfigurationError({"es": f"{what}: falta el texto en {', '.join(missing)}",
                                  "en": f"{what}: missing text in {', '.join(missing)}"})


def _fail(message: str) -> ConfigurationError:
    return ConfigurationError({"es": message, "en": message})


def load_shapes(shapes_dir: Path) -> tuple[Graph, dict[str, ShapeInfo], list[ClassInfo], list[Path]]:
    """Parse the shape files, check the house rules and index every property shape."""
    merged = Graph()
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    levels: dict[Node, Level] = {}
    files: list[Path] = []
    for name, level in SHAPE_FILES.items():
        path = shapes_dir / name
        if not path.exists():
            raise _fail(f"missing shapes file {path}")
        part = Graph()
        try:
            part.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise _fail(f"{path}: {exc}") from exc
        check_terms(part, where=str(path))
        if level is not None:
            for shape in part.subjects(RDF.type, SH.PropertyShape):
                levels[shape] = level
        merged += part
        files.append(path)
    classes: list[ClassInfo] = []
    for node_shape in merged.subjects(RDF.type, SH.NodeShape):
        target = merged.value(node_shape, SH.targetClass)
        if target is None:
            continue  # helper shapes used through sh:node / sh:qualifiedValueShape
        label = _local_text(merged, node_shape, RDFS.label)
        _require_langs(label, what=f"{node_shape} rdfs:label")
        order_node = merged.value(node_shape, PUENTE.order)
        classes.append(ClassInfo(iri=str(node_shape), target_class=str(target), label=label,
                                 comment=_local_text(merged, node_shape, RDFS.comment),
                                 order=int(str(order_node)) if order_node is not None else 99))
    shapes: dict[str, ShapeInfo] = {}
    for read in read_property_shapes(merged):
        shape = URIRef(read.iri)
        if shape not in levels:
            raise _fail(f"{shape} is attached to {read.node_shape} but defined in no concern file")
        shape_name = _local_text(merged, shape, SH.name)
        message = _local_text(merged, shape, SH.message)
        _require_langs(shape_name, what=f"{shape} sh:name")
        _require_langs(message, what=f"{shape} sh:message")
        shapes[read.iri] = ShapeInfo(
            iri=read.iri, node_shape=read.node_shape, target_class=read.target_class, path=read.path,
            severity=read.severity, level=levels[shape], constraint=read.constraint,
            name=shape_name, message=message, description=_local_text(merged, shape, SH.description),
        )
    classes.sort(key=lambda c: c.order)
    class_order = {c.target_class: c.order for c in classes}
    shapes = dict(sorted(shapes.items(), key=lambda kv: (class_order[kv[1].target_class], kv[1].path, kv[0])))
    return merged, shapes, classes, files


def _expand(term: object, *, where: str) -> URIRef:
    """A CURIE with a house prefix (dct:Location) or a full IRI, as a URIRef."""
    text = str(term)
    prefix, _, local = text.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    if text.startswith(("http://", "https://")):
        return URIRef(text)
    raise _fail(f"{where}: {text!r} is neither a CURIE with a known prefix nor an http(s) IRI")


def load_namespaces(path: Path) -> tuple[NamespaceRule, ...]:
    """The namespace-level background knowledge of vocabularies/namespaces.yaml (see that file)."""
    import yaml

    if not path.exists():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise _fail(f"{path}: expected a list of namespace rules")
    allowed = {"name", "title", "namespaces", "scheme", "types", "label_properties", "used_for", "source"}
    rules: list[NamespaceRule] = []
    seen: set[str] = set()
    for entry in data:
        where = f"{path.name}: {entry.get('name') if isinstance(entry, dict) else entry!r}"
        if not isinstance(entry, dict) or set(entry) - allowed or not {"name", "title", "namespaces", "types",
                                                                          "used_for", "source"} <= set(entry):
            raise _fail(f"{where}: a rule has exactly the keys {sorted(allowed)} (scheme, label_properties optional)")
        title = {str(k): str(v) for k, v in (entry["title"] or {}).items()}
        _require_langs(title, what=f"{where} title")
        namespaces = tuple(str(n) for n in entry["namespaces"])
        for namespace in namespaces:
            if not namespace.startswith(("http://", "https://")) or not namespace.endswith(("/", "#")):
                raise _fail(f"{where}: {namespace!r} must be an http(s) IRI ending in / or #")
            if namespace in seen:
                raise _fail(f"{where}: {namespace} is claimed by two rules")
            seen.add(namespace)
        types = tuple(_expand(t, where=where) for t in entry["types"])
        if not namespaces or not types:
            raise _fail(f"{where}: needs at least one namespace and one type")
        scheme = entry.get("scheme")
        rules.append(NamespaceRule(
            name=str(entry["name"]), title=title, namespaces=namespaces, types=types,
            scheme=_expand(scheme, where=where) if scheme else None,
            label_properties=tuple(_expand(p, where=where) for p in entry.get("label_properties") or ()),
            used_for=tuple(_expand(p, where=where) for p in entry["used_for"]), source=str(entry["source"])))
    return tuple(rules)


def _licence_aliases(concepts: dict[Node, list[Triple]], by_iri: dict[Node, list[Triple]], graph: Graph) -> None:
    """A licence table's exactMatch URLs (Creative Commons...) stand for its licences: know them as such, under
    http and https and with or without the trailing slash (all four circulate)."""
    for concept, known in concepts.items():
        for match in graph.objects(concept, SKOS.exactMatch):
            text = str(match)
            if not isinstance(match, URIRef) or not text.startswith(("http://", "https://")):
                continue
            bare = text.split("://", 1)[1].rstrip("/")
            for alias in {URIRef(f"{scheme}://{bare}{slash}") for scheme in ("http", "https") for slash in ("", "/")}:
                if alias in by_iri:
                    continue  # an IRI a vocabulary describes keeps its own description
                by_iri[alias] = [(alias, p, o) for (_, p, o) in known if p in (RDF.type, SKOS.prefLabel)]
                by_iri[alias].append((alias, SKOS.exactMatch, concept))


def load_vocabularies(vocab_dir: Path) -> tuple[dict[str, Vocabulary], Background]:
    """Load every SKOS scheme under vocabularies/ and index the background knowledge."""
    vocabularies: dict[str, Vocabulary] = {}
    by_iri: dict[Node, list[Triple]] = {}
    # One store for every vocabulary and alignment (a named graph each): the crosswalk lookups read the union,
    # the API serves each graph, and no triple is stored twice.
    # rdflib 7 warns on every union read of a Dataset about its own internal use of a renamed attribute.
    warnings.filterwarnings("ignore", message="Dataset.default_context is deprecated", category=DeprecationWarning)
    alignments = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        alignments.bind(prefix, ns)
    licence_tables: list[tuple[dict[Node, list[Triple]], Graph]] = []
    for path in sorted(vocab_dir.glob("**/*.ttl")):
        # upstream/ holds the raw copies regenerate.py trims; they are inputs, not vocabularies.
        folders = path.relative_to(vocab_dir).parts[:-1]
        if path.name == "ontology.ttl" or "alignments" in folders or "upstream" in folders:
            continue
        graph = alignments.graph(URIRef(path.resolve().as_uri()))
        try:
            load_turtle_file(path, into=graph)
        except SyntaxError as exc:
            raise _fail(f"{path}: {exc}") from exc
        schemes = list(graph.subjects(RDF.type, SKOS.ConceptScheme))
        if len(schemes) != 1:
            raise _fail(f"{path}: expected one skos:ConceptScheme, found {len(schemes)}")
        scheme = schemes[0]
        member_class = graph.value(scheme, PUENTE.memberClass) or SKOS.Concept
        title = _local_text(graph, scheme, DCT.title) or _local_text(graph, scheme, SKOS.prefLabel)
        _require_langs(title, what=f"{path} dct:title")
        concepts = set(graph.subjects(SKOS.inScheme, scheme))
        name = path.stem if path.parent.name in ("eu", "national") else f"{path.parent.name}-{path.stem}"
        if name in vocabularies:
            raise _fail(f"two vocabularies are named {name}")
        vocabularies[name] = Vocabulary(name=name, iri=str(scheme), title=title, member_class=str(member_class),
                                        path=path, graph=graph, concept_count=len(concepts))
        scheme_triples: list[Triple] = [(scheme, RDF.type, SKOS.ConceptScheme)]
        scheme_triples += [(scheme, DCT.title, t) for t in graph.objects(scheme, DCT.title)]
        by_iri.setdefault(scheme, []).extend(scheme_triples)
        described: dict[Node, list[Triple]] = {}
        for concept in concepts:
            known: list[Triple] = [(concept, RDF.type, t) for t in graph.objects(concept, RDF.type)]
            known.append((concept, SKOS.inScheme, scheme))
            known += [(concept, SKOS.prefLabel, label) for label in graph.objects(concept, SKOS.prefLabel)
                      if isinstance(label, Literal) and label.language in (None, "es", "en", "pt")]
            by_iri.setdefault(concept, []).extend(known)
            described[concept] = known
            if str(concept).startswith("https://www.iana.org/"):
                # IANA IRIs circulate with http:// too (DCAT-AP-ES accepts both): know them under either scheme
                alias = URIRef("http://" + str(concept)[len("https://"):])
                by_iri.setdefault(alias, []).extend((alias, p, o) for (_, p, o) in known)
        if member_class == DCT.LicenseDocument:
            licence_tables.append((described, graph))
    for described, graph in licence_tables:  # after every vocabulary, so that none is shadowed by an alias
        _licence_aliases(described, by_iri, graph)
    for path in sorted((vocab_dir / "alignments").glob("*.ttl")):
        try:
            load_turtle_file(path, into=alignments.graph(URIRef(path.resolve().as_uri())))
        except SyntaxError as exc:
            raise _fail(f"{path}: {exc}") from exc
    ontology = Graph()
    if (vocab_dir / "ontology.ttl").exists():
        load_turtle_file(vocab_dir / "ontology.ttl", into=ontology)
    superclasses: dict[Node, list[Node]] = {}
    for child, parent in ontology.subject_objects(RDFS.subClassOf):
        superclasses.setdefault(child, []).append(parent)
    ranges = dict(ontology.subject_objects(RDFS.range))
    rules = load_namespaces(vocab_dir / "namespaces.yaml")
    prefixes = tuple(sorted((n for rule in rules for n in rule.namespaces), key=len, reverse=True))
    background = Background(by_iri={k: tuple(dict.fromkeys(v)) for k, v in by_iri.items()},
                            superclasses={k: tuple(v) for k, v in superclasses.items()}, ranges=ranges,
                            knowledge=alignments, namespaces=rules, namespace_prefixes=prefixes)
    return vocabularies, background


def load_profile(assets_dir: Path) -> Profile:
    """Load the whole profile from an assets folder holding shapes/ and vocabularies/."""
    shapes_graph, shapes, classes, files = load_shapes(assets_dir / "shapes")
    vocabularies, background = load_vocabularies(assets_dir / "vocabularies")
    iri = URIRef(PROFILE_IRI)
    version = shapes_graph.value(iri, OWL.versionInfo)
    if version is None:
        raise _fail("shapes/profile.ttl must give the profile an owl:versionInfo")
    context_path = assets_dir / "shapes" / "context.jsonld"
    try:
        context: dict[str, Any] = json.loads(context_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _fail(f"{context_path}: {exc}") from exc
    return Profile(iri=iri, version=str(version), title=_local_text(shapes_graph, iri, DCT.title),
                   description=_local_text(shapes_graph, iri, DCT.description), shapes_graph=shapes_graph,
                   shapes=shapes, classes=classes, vocabularies=vocabularies, background=background,
                   context=context, files=files + [context_path],
                   known_contexts=load_known_contexts(assets_dir / "shapes" / "contexts"))

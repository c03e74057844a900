"""Run a compiled crosswalk over a JSON document: common-profile triples, each traced to its field.

Every triple made knows the source field it came from (`provenance`); for every node, the engine
also remembers which field *would* fill each property (`expected`), so a missing title can be
reported as "fill in `name`". Problems met while mapping are kept as results, never dropped.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.crosswalk.loader import LoadedCrosswalk, NodePlan, RowPlan
from app.crosswalk.lookups import Lookups
from app.crosswalk.paths import FieldPath, parse_path
from app.crosswalk.transforms import Context, Emitted, Transform
from app.findings import Finding
from app.rdf.terms import Triple, new_bnode

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
MAX_ITEMS = 10_000  # items one path may yield in one record (a guard against absurd inputs)
_FIXED = {"base", "origin", "index", "parent", "record"}
_RDF_TYPE = RDF.type  # a namespace attribute is a Python-level lookup that makes a new term each time
_CACHED_TEXT = 200  # longer texts (descriptions) rarely repeat: not remembered
_CACHE_SIZE = 50_000


@dataclass
class Mapped:
    """The common-profile triples of a document and everything needed to explain them.

    No rdflib graph here: building one costs more than the whole mapping, and validation and reports work on
    the triples (`provenance` keeps them, in order, each with the first field that produced it)."""

    provenance: dict[Triple, str] = field(default_factory=dict)
    expected: dict[tuple[Node, URIRef], str] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)
    roots: list[Node] = field(default_factory=list)

    def add(self, triple: Triple, source_field: str) -> None:
        self.provenance.setdefault(triple, source_field)


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")


def _quoted(text: str) -> str:
    """Percent-encoded for an IRI segment; most identifiers need nothing, and a regex says so at C speed."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="-._~")


@functools.lru_cache(maxsize=1024)
def _template(template: str) -> tuple[tuple[str, str | None], ...]:
    """A template as (text, placeholder) pieces, parsed once: "{base}/d/{id}" → ("", base), ("/d/", id)."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append((template[position:match.start()], match.group(1)))
        position = match.end()
    pieces.append((template[position:], None))
    return tuple(pieces)


def _join(prefix: str, where: str) -> str:
    if not prefix or prefix == "$":
        return where
    if where in ("", "$"):
        return prefix
    return f"{prefix}{where}" if where.startswith("[") else f"{prefix}.{where}"


class Mapper:
    """One crosswalk, ready to map documents."""

    def __init__(self, crosswalk: LoadedCrosswalk, *, lookups: Lookups, base_url: str) -> None:
        self._root: Node | None = None
        self.crosswalk = crosswalk
        self.lookups = lookups
        self.base_url = base_url.rstrip("/")
        self.origin = (crosswalk.spec.origin or self.base_url).rstrip("/")
        # per row of the crosswalk (rows live as long as the mapper): the transform's context, the expected field
        self._contexts: dict[int, Context] = {}
        self._expected: dict[int, tuple[str, bool] | None] = {}
        self._emitted: dict[tuple[int, int, type, object], Emitted] = {}  # see _transformed

    def records(self, document: Any) -> list[tuple[dict[str, Any], str]]:
        """The records of a document: the first `records` path that reaches objects wins."""
        for path in self.crosswalk.records:
            found = [(v, w) for v, w in path.evaluate(document, document) if isinstance(v, dict)]
            if found:
                return found[:MAX_ITEMS]
        return []

    def map_document(self, document: Any) -> Mapped:
        return self.map_records(self.records(document))

    def map_records(self, records: list[tuple[dict[str, Any], str]]) -> Mapped:
        mapped = Mapped()
        for record, where in records:
            self._root = None
            nodes = self._build(self.crosswalk.dataset, current=record, record=record, mapped=mapped,
                                prefix="" if where == "$" else where, parent=None)
            mapped.roots.extend(node for node, _ in nodes)
        return mapped

    # ------------------------------------------------------------------------------------------ nodes

    def _build(self, spec: NodePlan, *, current: Any, record: dict[str, Any], mapped: Mapped, prefix: str,
               parent: Node | None) -> list[tuple[Node, str]]:
        items: list[tuple[Any, str]]
        if spec.each is not None:
            items = [(v, _join(prefix, w) if not spec.each.from_record else w)
                     for v, w in spec.each.evaluate(current, record)][:MAX_ITEMS]
        else:
            items = [(current, prefix)]
        built: list[tuple[Node, str]] = []
        for position, (item, where) in enumerate(items):
            if spec.when is not None and not any(v is True or str(v).lower() == "true"
                                                 for v, _ in spec.when.evaluate(item, record)):
                continue
            if spec.require and not any(v not in ("", [], {}) for path in spec.require
                                        for v, _ in path.evaluate(item, record)):
                continue
            node = self._node_iri(spec, item=item, record=record, parent=parent, position=position)
            if parent is None:
                self._root = node
            mapped.add((node, _RDF_TYPE, spec.cls), where or "$")
            for row in spec.rows:
                self._apply(row, node=node, cls=spec.cls, item=item, record=record, mapped=mapped, prefix=where)
            built.append((node, where or "$"))
        return built

    def _node_iri(self, spec: NodePlan, *, item: Any, record: dict[str, Any], parent: Node | None,
                  position: int) -> Node:
        template = spec.spec.iri
        if template is None:
            return new_bnode()
        for candidate in [template, *spec.spec.iri_fallbacks]:
            rendered = self._render(candidate, item=item, record=record, parent=parent, position=position)
            if rendered is not None:
                return URIRef(rendered)
        # An identifying field is missing: mint a stable IRI from the content instead.
        digest = hashlib.sha1(repr((spec.spec.class_, item)).encode("utf-8"), usedforsecurity=False).hexdigest()
        base = str(parent) if isinstance(parent, URIRef) else f"{self.base_url}/id"
        return URIRef(f"{base}/{spec.spec.class_.split(':')[-1].lower()}-{digest[:12]}")

    def _render(self, template: str, *, item: Any, record: dict[str, Any], parent: Node | None,
                position: int, for_iri: bool = True) -> str | None:
        pieces: list[str] = []
        for text, name in _template(template):
            pieces.append(text)
            if name is None:
                continue
            if name in _FIXED:
                pieces.append(self._fixed(name, parent=parent, position=position))
                continue
            values = parse_path(name).evaluate(item, record)
            scalar = next((v for v, _ in values if isinstance(v, (str, int)) and not isinstance(v, bool)), None)
            if scalar is None or str(scalar).strip() == "":
                return None
            written = str(scalar).strip()
            pieces.append(_quoted(written) if for_iri else written)
        return "".join(pieces)

    def _fixed(self, name: str, *, parent: Node | None, position: int) -> str:
        if name == "base":
            return self.base_url
        if name == "origin":
            return self.origin
        if name == "index":
            return str(position)
        if name == "parent":
            return str(parent) if parent is not None else ""
        return str(self._root) if self._root is not None else ""  # "record"

    # ------------------------------------------------------------------------------------------ rows

    def _apply(self, row: RowPlan, *, node: Node, cls: URIRef, item: Any, record: dict[str, Any],
               mapped: Mapped, prefix: str) -> None:
        spec = row.row
        expected = self._expected_field(row)
        if expected is not None and (node, row.target) not in mapped.expected:
            field_text, from_record = expected
            mapped.expected[(node, row.target)] = field_text if from_record else _join(prefix, field_text)
        if row.node is not None:
            for child, where in self._build(row.node, current=item, record=record, mapped=mapped, prefix=prefix,
                                            parent=node):
                mapped.add((node, row.target, child), where)
            return
        values, transform = self._values(row, item=item, record=record, prefix=prefix, parent=node)
        context = self._contexts.get(id(row))
        if context is None:
            context = self._contexts[id(row)] = Context(lookups=self.lookups, lang=self.crosswalk.spec.lang,
                                                        args=spec.args, country=self.crosswalk.spec.country)
        for value, where in values:
            emitted = self._transformed(transform, value, context)
            for term in emitted.terms:
                mapped.add((node, row.target, term), where)
            for triple in emitted.extra:
                mapped.add(triple, where)
            for problem in emitted.problems:
                mapped.problems.append(problem.at(focus=node, target=row.target, source_field=where))

    def _transformed(self, transform: Transform, value: Any, context: Context) -> Emitted:
        """A transform's answer, remembered for scalar values: transforms are pure, and a catalogue repeats its
        categories, licences, formats, places and frequencies thousands of times."""
        if not isinstance(value, (str, int, float)) or (isinstance(value, str) and len(value) > _CACHED_TEXT):
            return transform(value, context)
        key = (id(transform), id(context), type(value), value)
        found = self._emitted.get(key)
        if found is None:
            if len(self._emitted) >= _CACHE_SIZE:
                self._emitted.clear()
            found = self._emitted[key] = transform(value, context)
        return found

    def _expected_field(self, row: RowPlan) -> tuple[str, bool] | None:
        """The field that would fill a row, and whether it is read from the record (computed once per row)."""
        key = id(row)
        if key not in self._expected:
            found: tuple[str, bool] | None = None
            if row.row.value is not None and not row.paths:
                fields = [m for m in _PLACEHOLDER.findall(row.row.value) if m not in _FIXED]
                if fields:
                    found = (fields[0], False)
            if row.paths:
                found = (row.paths[0].text, row.paths[0].from_record)
            elif row.node is not None:
                first_row_path = next((r.paths[0] for r in row.node.rows if r.paths), None)
                first_field = row.node.require[0] if row.node.require else row.node.each or first_row_path
                if first_field is not None:
                    found = (first_field.text, first_field.from_record)
            self._expected[key] = found
        return self._expected[key]

    def _values(self, row: RowPlan, *, item: Any, record: dict[str, Any], prefix: str,
                parent: Node) -> tuple[list[tuple[Any, str]], Transform]:
        """The values of the first source (path or fallback) that has any, and the transform that reads them."""
        if row.row.value is not None:
            rendered = self._render(row.row.value, item=item, record=record, parent=parent, position=0,
                                    for_iri=row.row.transform in ("iri", "constant_iri"))
            return ([] if rendered is None else [(rendered, "(constante)")]), row.transform
        keep_lists = row.row.transform == "keywords"
        for path, transform in zip(row.paths, row.transforms, strict=True):
            found = self._evaluate(path, item=item, record=record, prefix=prefix)
            values: list[tuple[Any, str]] = []
            if row.row.args.get("split_commas"):
                found = [(part.strip() if isinstance(part, str) else part, where) for value, where in found
                         for part in (value.split(",") if isinstance(value, str) else [value])]
            for value, where in found:
                if isinstance(value, list) and not keep_lists:
                    values.extend((v, f"{where}[{i}]") for i, v in enumerate(value[:MAX_ITEMS]) if v is not None)
                elif value not in ("", [], {}):
                    values.append((value, where))
            if values:
                return values, transform
        return [], row.transform

    @staticmethod
    def _evaluate(path: FieldPath, *, item: Any, record: dict[str, Any], prefix: str) -> list[tuple[Any, str]]:
        found = path.evaluate(item, record)
        if path.from_record:
            return found
        return [(v, _join(prefix, w)) for v, w in found]

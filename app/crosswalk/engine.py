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

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.crosswalk.loader import LoadedCrosswalk, NodePlan, RowPlan
from app.crosswalk.lookups import Lookups
from app.crosswalk.paths import FieldPath, parse_path
from app.crosswalk.transforms import FRESH, Context, Emitted, Transform
from app.findings import Finding, Problem, Severity, merged
from app.rdf.terms import Triple, new_bnode, plain_literal

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# No list is ever cut short here: a record's every item is mapped and every record of a document is returned. What
# bounds the work is checked before mapping: the document's values (PUENTE_MAX_TRIPLES, guards.py) and its records
# (PUENTE_MAX_RECORDS, Pipeline.open), each with a 413 naming the limit.
_FIXED = {"base", "origin", "index", "parent", "record"}
# transforms that read a whole list (or object) as one value instead of one value per item
_WHOLE_VALUES = frozenset(("keywords", "translated", "translated_keywords", "bbox", "geometry", "spatial_text"))
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
    owners: dict[Node, Node] = field(default_factory=dict)  # node → the record it was made for
    generated: set[Node] = field(default_factory=set)  # nodes Puente makes from templates (a portal's exports)

    def add(self, triple: Triple, source_field: str) -> None:
        self.provenance.setdefault(triple, source_field)


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")


def _quoted(text: str) -> str:
    """Percent-encoded for an IRI segment; most identifiers need nothing, and a regex says so at C speed."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="-._~")


def _absolute_iri(text: str) -> bool:
    """An http(s) IRI pyoxigraph accepts as it is (no spaces, quotes or brackets that would need escaping)."""
    if not text.startswith(("http://", "https://")) or len(text) > 2000:
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


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


_INDEX = re.compile(r"\[\d+\]$")


def _record_relative(text: str) -> str:
    """A record-level path as the report names it: `$.license` → `license`."""
    return text[2:] if text.startswith("$.") else text[1:] if text.startswith("$") else text


def _common_field(wheres: list[str]) -> str:
    """The field several values came from: `theme[0]`, `theme[2]` → `theme`."""
    bare = {_INDEX.sub("", w) for w in wheres}
    return bare.pop() if len(bare) == 1 else wheres[0]


def portal_origin(value: object) -> str | None:
    """A portal's address (scheme and host) from a URL or a bare domain name; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith(("http://", "https://")):
        scheme, _, rest = text.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        return f"{scheme}://{host}" if host and "@" not in host else None
    if _DOMAIN.fullmatch(text):
        return f"https://{text}"
    return None


_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


class Mapper:
    """One crosswalk, ready to map documents."""

    def __init__(self, crosswalk: LoadedCrosswalk, *, lookups: Lookups, base_url: str) -> None:
        self._root: Node | None = None
        self.crosswalk = crosswalk
        self.lookups = lookups
        self.base_url = base_url.rstrip("/")
        # The portal's address, for links on the portal ({origin}): the crosswalk's own (a national portal), else
        # the record's (origin_from), else the caller's (?origin=, which wins over both). Never Puente's address.
        self.default_origin = crosswalk.spec.origin.rstrip("/") if crosswalk.spec.origin else None
        self._origin: str | None = None  # the record being mapped
        self._prefix = ""  # where the record being mapped is in its document ("dataset[3]"; "" for the document)
        self._lang = crosswalk.spec.lang  # the language tag of the record being mapped ("" when unknown)
        self._gaps: set[tuple[Node, URIRef | None]] = set()  # links left out for want of the origin, per record
        self._reported: set[tuple[Node | None, str, str, str]] = set()  # record-level problems, once per record
        # per row of the crosswalk (rows live as long as the mapper): the transform's context, the expected field
        self._contexts: dict[tuple[int, str | None, str], Context] = {}
        self._expected: dict[int, tuple[str, bool] | None] = {}
        self._emitted: dict[tuple[int, int, type, object], Emitted] = {}  # see _transformed
        self._plain = Context(lookups=lookups, lang="", args={})  # for reading dates to compare them
        self._constant_texts: dict[int, list[Literal]] = {}  # per text row without placeholders: its literals

    def records(self, document: Any) -> list[tuple[dict[str, Any], str]]:
        """The records of a document: the first `records` path that reaches objects wins."""
        for path in self.crosswalk.records:
            found = [(v, w) for v, w in path.evaluate(document, document) if isinstance(v, dict)]
            if found:
                return found
        return []

    def map_document(self, document: Any, *, origin: str | None = None) -> Mapped:
        return self.map_records(self.records(document), origin=origin)

    def map_records(self, records: list[tuple[dict[str, Any], str]], *, origin: str | None = None) -> Mapped:
        """Map records; `origin`: the portal's address the caller gave (already checked to be an http(s) URL)."""
        mapped = Mapped()
        for record, where in records:
            self._root = None
            self._origin = (origin.rstrip("/") if origin else None) or self._record_origin(record) \
                or self.default_origin
            self._gaps.clear()
            self._reported.clear()
            self._prefix = "" if where == "$" else where
            self._lang = self.crosswalk.spec.lang or self._record_lang(record)
            nodes = self._build(self.crosswalk.dataset, current=record, record=record, mapped=mapped,
                                prefix="" if where == "$" else where, parent=None, via=None)
            mapped.roots.extend(node for node, _ in nodes)
        return mapped

    def _record_lang(self, record: dict[str, Any]) -> str:
        """The language a record states for itself, when it states exactly one ("language": ["spa"] → es)."""
        if not self.crosswalk.lang_from:
            return ""
        index = self.lookups.index("http://publications.europa.eu/resource/authority/language")
        stated: set[Node] = set()
        for path in self.crosswalk.lang_from:
            for value, _ in path.evaluate(record, record):
                for item in value if isinstance(value, list) else str(value).split(","):
                    concept = index.find(str(item).strip()) if isinstance(item, (str, int)) else None
                    if concept is None:
                        return ""  # a language Puente cannot tell: no tag rather than a wrong one
                    stated.add(concept)
        return (self.lookups.language_tag(next(iter(stated))) or "") if len(stated) == 1 else ""

    def _record_origin(self, record: dict[str, Any]) -> str | None:
        for path in self.crosswalk.origin_from:
            for value, _ in path.evaluate(record, record):
                found = portal_origin(value)
                if found is not None:
                    return found
        return None

    # ------------------------------------------------------------------------------------------ nodes

    def _build(self, spec: NodePlan, *, current: Any, record: dict[str, Any], mapped: Mapped, prefix: str,
               parent: Node | None, via: URIRef | None) -> list[tuple[Node, str]]:
        items: list[tuple[Any, str]]
        if spec.each is not None:
            items = [(v, _join(prefix, w) if not spec.each.from_record else _join(self._prefix, w))
                     for v, w in spec.each.evaluate(current, record)]
        else:
            items = [(current, prefix)]
        built: list[tuple[Node, str]] = []
        for position, (item, where) in enumerate(items):
            if spec.when is not None and not self._holds(spec, item, record):
                continue
            if spec.require and not any(v not in ("", [], {}) for path in spec.require
                                        for v, _ in path.evaluate(item, record)):
                continue
            if spec.unless is not None and any(v not in ("", [], {}) for v, _ in spec.unless.evaluate(item, record)):
                continue
            if spec.spec.needs_origin and self._origin is None:
                self._origin_gap(parent, via, mapped, severity=Severity.WARNING)
                continue
            node = self._node_iri(spec, item=item, record=record, parent=parent, position=position)
            if parent is None:
                self._root = node
            if self._root is not None:
                mapped.owners.setdefault(node, self._root)
            if spec.spec.needs_origin or parent in mapped.generated:  # made from templates (and what they hold)
                mapped.generated.add(node)
            typed = (node, _RDF_TYPE, spec.cls)
            fresh = typed not in mapped.provenance
            before, problems_before = len(mapped.provenance), len(mapped.problems)
            mapped.add(typed, where or "$")
            for row in spec.rows:
                self._apply(row, node=node, cls=spec.cls, item=item, record=record, mapped=mapped, prefix=where)
            if spec.spec.drop_empty and fresh and parent is not None and len(mapped.provenance) == before + 1:
                # nothing but its type: no node, and what went wrong is said of the property pointing at it
                del mapped.provenance[typed]
                mapped.problems[problems_before:] = [
                    f._replace(focus=parent, path=via) if f.focus == node else f
                    for f in mapped.problems[problems_before:]]
                continue
            built.append((node, where or "$"))
        return built

    @staticmethod
    def _holds(spec: NodePlan, item: Any, record: dict[str, Any]) -> bool:
        """The node's `when` condition: a true value, or (with when_in) one of the listed values."""
        values = spec.when.evaluate(item, record) if spec.when is not None else []
        if spec.when_in:
            return any(isinstance(v, str) and v.strip().casefold() in spec.when_in for v, _ in values)
        return any(v is True or str(v).lower() == "true" for v, _ in values)

    def _origin_gap(self, parent: Node | None, via: URIRef | None, mapped: Mapped, *, severity: Severity) -> None:
        """Links on the portal were left out because its address is unknown: said once per record and property
        (as grave as the finding on the missing property it stands for: a distribution, a landing page)."""
        if parent is None or (parent, via) in self._gaps:
            return
        self._gaps.add((parent, via))
        mapped.problems.append(Problem("no-origin", severity, "").at(focus=parent, target=via, source_field=None))

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
                if name == "origin" and self._origin is None:
                    return None  # never a link under another address: the row (or IRI template) gives nothing
                pieces.append(self._fixed(name, parent=parent, position=position))
                continue
            values = parse_path(name).evaluate(item, record)
            scalar = next((v for v, _ in values if isinstance(v, (str, int)) and not isinstance(v, bool)), None)
            if scalar is None or str(scalar).strip() == "":
                return None
            written = str(scalar).strip()
            if for_iri and template == f"{{{name}}}" and _absolute_iri(written):
                return written  # the whole IRI is the field (ckanext-dcat's `uri`): kept, not made a segment
            pieces.append(_quoted(written) if for_iri else written)
        return "".join(pieces)

    def _fixed(self, name: str, *, parent: Node | None, position: int) -> str:
        if name == "base":
            return self.base_url
        if name == "origin":
            return self._origin or ""
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
            mapped.expected[(node, row.target)] = _join(self._prefix, _record_relative(field_text)) if from_record \
                else _join(prefix, field_text)
        if row.node is not None:
            for child, where in self._build(row.node, current=item, record=record, mapped=mapped, prefix=prefix,
                                            parent=node, via=row.target):
                mapped.add((node, row.target, child), where)
            return
        if spec.text is not None:  # a text Puente writes itself, in every language it speaks
            constant = self._constant_texts.get(id(row))
            if constant is None:
                constant = self._constant_texts[id(row)] = [] if "{" in "".join(spec.text.values()) else [
                    plain_literal(text, lang=lang) for lang, text in spec.text.items() if text]
            if constant:
                for literal in constant:
                    mapped.add((node, row.target, literal), "(constante)")
                return
            for lang, template in spec.text.items():
                rendered = self._render(template, item=item, record=record, parent=node, position=0, for_iri=False)
                if rendered:
                    mapped.add((node, row.target, plain_literal(rendered, lang=lang)), "(constante)")
            return
        if spec.value is not None and self._origin is None and "{origin}" in spec.value:
            self._origin_gap(node, row.target, mapped, severity=Severity.INFO)  # a link on the portal: not written
            return
        values, transform = self._values(row, item=item, record=record, prefix=prefix, parent=node)
        key = (id(row), self._origin, self._lang)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = Context(lookups=self.lookups, lang=self._lang,
                                                    args=spec.args, country=self.crosswalk.spec.country,
                                                    origin=self._origin, base=self.base_url)
        problems: list[tuple[Problem, str]] = []
        for value, where in values:
            emitted = self._transformed(transform, value, context)
            for term in emitted.terms:
                mapped.add((node, row.target, term), where)
            for triple in emitted.extra:
                mapped.add(triple, where)
            problems.extend((problem, where) for problem in emitted.problems)
        if problems:
            self._report(problems, node=node, target=row.target, record_level=bool(row.paths)
                         and row.paths[0].from_record, mapped=mapped)

    def _report(self, problems: list[tuple[Problem, str]], *, node: Node, target: URIRef, record_level: bool,
                mapped: Mapped) -> None:
        """One finding per kind of problem of a row: several values with the same problem are reported together,
        and a record-level field read for each distribution (its licence) once per record."""
        by_kind: dict[str, list[tuple[Problem, str]]] = {}
        for problem, where in problems:
            by_kind.setdefault(problem.kind, []).append((problem, where))
        for group in by_kind.values():
            where = _common_field([w for _, w in group])
            problem = merged([p for p, _ in group])
            if record_level:
                seen = (self._root, problem.kind, problem.value, where)
                if seen in self._reported:
                    continue
                self._reported.add(seen)
            mapped.problems.append(problem.at(focus=node, target=target, source_field=where))

    def _transformed(self, transform: Transform, value: Any, context: Context) -> Emitted:
        """A transform's answer, remembered for scalar values: transforms are pure, and a catalogue repeats its
        categories, licences, formats, places and frequencies thousands of times. Transforms that make a new node
        for each value (FRESH) are never remembered: two records must not share it."""
        if not isinstance(value, (str, int, float)) or (isinstance(value, str) and len(value) > _CACHED_TEXT) \
                or transform in FRESH:
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
            templates = [row.row.value] if row.row.value is not None else list((row.row.text or {}).values())
            if templates and not row.paths:  # a constant or a text Puente writes: the field it is made from
                fields = [m for template in templates for m in _PLACEHOLDER.findall(template) if m not in _FIXED]
                if fields:
                    found = (fields[0], False)
            if row.paths:
                found = (row.paths[0].text, row.paths[0].from_record)
            elif row.node is not None:
                first_row_path = next((r.paths[0] for r in row.node.rows if r.paths), None)
                first_field = row.node.each or (row.node.require[0] if row.node.require else first_row_path)
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
        if row.not_after is not None:
            return self._not_after(row, item=item, record=record, prefix=prefix)
        return self._first_found(row, item=item, record=record, prefix=prefix)

    def _not_after(self, row: RowPlan, *, item: Any, record: dict[str, Any],
                   prefix: str) -> tuple[list[tuple[Any, str]], Transform]:
        """The first source whose value is not later than the `not_after` field's (a dataset is not issued after
        its data last changed); when every source is later, the earliest."""
        assert row.not_after is not None
        limit = self._date_of(row.transform, [v for v, _ in self._evaluate(row.not_after, item=item, record=record,
                                                                             prefix=prefix)])
        candidates: list[tuple[str, list[tuple[Any, str]], Transform]] = []
        for path, transform in zip(row.paths, row.transforms, strict=True):
            found = [(v, w) for v, w in self._evaluate(path, item=item, record=record, prefix=prefix)
                     if v not in ("", [], {})]
            if not found:
                continue
            moment = self._date_of(transform, [v for v, _ in found])
            if limit is None or moment is None or moment <= limit:
                return found, transform
            candidates.append((moment, found, transform))
        if not candidates:
            return [], row.transform
        _, found, transform = min(candidates, key=lambda c: c[0])
        return found, transform

    def _date_of(self, transform: Transform, values: list[Any]) -> str | None:
        """The instant a date value stands for, comparable as text (ISO 8601, UTC as written), or None."""
        if not values:
            return None
        terms = self._transformed(transform, values[0], self._plain).terms
        return str(terms[0])[:19] if terms else None

    def _first_found(self, row: RowPlan, *, item: Any, record: dict[str, Any],
                     prefix: str) -> tuple[list[tuple[Any, str]], Transform]:
        keep_lists = row.row.transform in _WHOLE_VALUES
        for path, transform in zip(row.paths, row.transforms, strict=True):
            found = self._evaluate(path, item=item, record=record, prefix=prefix)
            values: list[tuple[Any, str]] = []
            if row.row.args.get("split_commas"):
                found = [(part.strip() if isinstance(part, str) else part, where) for value, where in found
                         for part in (value.split(",") if isinstance(value, str) else [value])]
            for value, where in found:
                if isinstance(value, list) and not keep_lists:
                    values.extend((v, f"{where}[{i}]") for i, v in enumerate(value) if v is not None)
                elif value not in ("", [], {}):
                    values.append((value, where))
            if values:
                return values, transform
        return [], row.transform

    def _evaluate(self, path: FieldPath, *, item: Any, record: dict[str, Any], prefix: str) -> list[tuple[Any, str]]:
        found = path.evaluate(item, record)
        return [(v, _join(self._prefix if path.from_record else prefix, w)) for v, w in found]

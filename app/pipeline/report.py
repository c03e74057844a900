"""Report: findings in, the JSON report of docs/DESIGN.md §5 (and its SHACL twin) out.

Each finding is filed under the dataset (or data service, or catalogue) it belongs to: the
record whose description reaches the finding's focus node (its distributions, contact point,
publisher...). `source_field` names the field of the user's own format.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.findings import Finding, Severity
from app.i18n import LocalText, has_message, render, text
from app.pipeline.report_models import (
    RecordReport,
    RecordType,
    ReportResult,
    SharedResults,
    SourceFieldResolver,
    Summary,
    ValidationReport,
)
from app.profile.model import Profile
from app.rdf.namespaces import DCAT, DCT, SH, curie
from app.rdf.terms import Triple, is_bnode, is_iri, is_literal, is_uriref


def first_text(graph: Graph, node: Node, predicate: URIRef, lang: str) -> str | None:
    """The literal of `predicate` in `lang`, else Spanish, else English, else untagged, else any."""
    return _pick_text([v for v in graph.objects(node, predicate) if isinstance(v, Literal)], lang)


def _pick_text(values: list[Literal], lang: str) -> str | None:
    for wanted in (lang, "es", "en", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else None


@functools.lru_cache(maxsize=10_000)
def _short(iri: Node) -> str:
    """A property's short name, once per property (curie() tries every house prefix in Python)."""
    return curie(str(iri))


_Parents = dict[Node, tuple[Node, Node] | None]  # node → (the node and property it is reached by); None for the root


class _Ownership:
    """Which record reaches which node, and through which chain of properties.

    Built in one pass over the triples (no graph needed); each node knows its owning records, so filing a
    finding costs the same for a catalogue of 10,000 records as for one."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.links: dict[Node, list[tuple[Node, Node]]] = {}  # node → (property, IRI or blank node)
        self.texts: dict[tuple[Node, Node], list[Literal]] = {}  # (node, dct:title | dct:identifier) → literals
        kinds: dict[str, dict[Node, None]] = {str(DCAT.Dataset): {}, str(DCAT.DataService): {},
                                              str(DCAT.Catalog): {}, str(DCAT.DatasetSeries): {}}
        rdf_type = str(_RDF_TYPE)
        for subject, predicate, obj in triples:
            if is_iri(predicate, rdf_type):  # comparisons in C: rdflib's __eq__ would run per triple
                if is_uriref(obj) and (kind := kinds.get(str(obj))) is not None:
                    kind[subject] = None
            elif is_literal(obj):
                if predicate in _TEXTS:
                    self.texts.setdefault((subject, predicate), []).append(obj)
            else:
                self.links.setdefault(subject, []).append((predicate, obj))
        self.datasets = list(kinds[str(DCAT.Dataset)])
        self.services = list(kinds[str(DCAT.DataService)])
        self.catalogs = list(kinds[str(DCAT.Catalog)])
        self.series = list(kinds[str(DCAT.DatasetSeries)])
        self.dataset_set, self.service_set = set(self.datasets), set(self.services)
        self.catalog_set, self.series_set = set(self.catalogs), set(self.series)
        self.roots = self.dataset_set | self.service_set | self.catalog_set | self.series_set
        # node → (records that reach it, how the first of them reaches it); datasets and services before catalogues.
        # The property chain is spelled out only for nodes a finding is on (most nodes have none).
        self._main: dict[Node, tuple[list[Node], _Parents]] = {}
        self._catalog: dict[Node, tuple[list[Node], _Parents]] = {}
        self._via: dict[Node, tuple[Node, Node]] = {}  # node → (the node and property it was first reached by)
        self._elements: dict[tuple[Node, str], str | None] = {}
        for root in [*self.datasets, *self.services, *self.series]:
            self._walk(root, into=self._main)
        for root in self.catalogs:
            self._walk(root, into=self._catalog)

    def _walk(self, root: Node, *, into: dict[Node, tuple[list[Node], _Parents]]) -> None:
        parents: _Parents = {root: None}
        queue: deque[Node] = deque([root])
        via, roots = self._via, self.roots
        while queue:
            node = queue.popleft()
            for predicate, obj in self.links.get(node, ()):
                if obj in parents or obj in roots:
                    continue  # seen, or another record: its findings are its own
                parents[obj] = (node, predicate)
                if obj not in via:
                    via[obj] = (node, predicate)
                queue.append(obj)
        for node in parents:
            owners = into.get(node)
            if owners is None:
                into[node] = ([root], parents)
            else:
                owners[0].append(root)

    def owners(self, focus: Node) -> tuple[list[Node], str | None]:
        """The records a node belongs to, and the property chain from the first of them."""
        found = self._main.get(focus) or self._catalog.get(focus)
        if found is None:
            return [], None
        owners, parents = found
        steps: list[str] = []
        node = focus
        while (link := parents[node]) is not None:
            node, predicate = link
            steps.append(_short(predicate))
        return owners, "/".join(reversed(steps))

    def text(self, node: Node, predicate: URIRef, lang: str) -> str | None:
        return _pick_text(self.texts.get((node, predicate), []), lang)

    def element(self, focus: Node, lang: str) -> str | None:
        """The part of its record a node is, named for people: "punto de contacto", "distribución 2: CSV",
        "distribución 1: API › servicio de datos"; None for a record itself (or a node no record reaches)."""
        key = (focus, lang)
        if key not in self._elements:
            steps: list[str] = []
            node = focus
            while node not in self.roots and node in self._via and len(steps) < 8:
                parent, predicate = self._via[node]
                steps.append(self._step(node, parent, predicate, lang))
                node = parent
            self._elements[key] = " › ".join(reversed(steps)) if steps else None
        return self._elements[key]

    def _step(self, node: Node, parent: Node, predicate: Node, lang: str) -> str:
        name = _element_name(_short(predicate), lang)
        siblings = [o for p, o in self.links.get(parent, ()) if p == predicate]
        if len(siblings) > 1 and node in siblings:
            name = f"{name} {siblings.index(node) + 1}"
        title = self.text(node, _DCT_TITLE, lang)
        return f"{name}: {title}" if title else name

    def record_id(self, node: Node) -> str:
        identifier = self.text(node, _DCT_IDENTIFIER, "")
        if identifier:
            return identifier
        if is_uriref(node):
            tail = str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            return tail or str(node)
        return f"_:{node}"


_DCT_TITLE, _DCT_IDENTIFIER = DCT.title, DCT.identifier  # a namespace makes a new URIRef on every access
_TEXTS = frozenset((_DCT_TITLE, _DCT_IDENTIFIER))
_RDF_TYPE = RDF.type


class Filed:
    """Findings filed to what they concern (docs/DESIGN.md §5), once each: a finding on a node one record reaches
    is that record's; one on a node several records reach (a shared distribution, a publisher) is filed once, in a
    group named by those records; one on a node no record reaches is filed under that node. So a report grows with
    its input, not with the input times the records that share a node."""

    def __init__(self, own: _Ownership, records: dict[Node, list[ReportResult]],
                 groups: dict[tuple[Node, ...], list[ReportResult]], others: dict[Node, list[ReportResult]]) -> None:
        self.own = own
        self.records = records  # every record (catalogues, datasets, data services) → its own results
        self.groups = groups  # the records sharing nodes (in report order) → the results on those nodes
        self.others = others  # nodes no record reaches → their results

    def head(self, node: Node, lang: str) -> tuple[str, str | None, str | None]:
        """A record's id, IRI (None for a blank node) and title in `lang`."""
        return self.own.record_id(node), str(node) if is_uriref(node) else None, self.own.text(node, _DCT_TITLE, lang)

    def kind(self, node: Node) -> RecordType:
        own = self.own
        return ("catalog" if node in own.catalog_set
                else "datasetseries" if node in own.series_set and node not in own.dataset_set
                else "dataservice" if node in own.service_set and node not in own.dataset_set else "dataset")


def file_findings(data: Iterable[Triple], findings: list[Finding], *, profile: Profile, lang: str, source: str = "",
                  source_field: SourceFieldResolver | None = None, only: Collection[Node] | None = None) -> Filed:
    """File each finding, its message rendered in `lang` (`only`: as report_data)."""
    own = _Ownership(data)
    records: dict[Node, list[ReportResult]] = {r: [] for r in [*own.catalogs, *own.datasets, *own.services,
                                                               *own.series] if only is None or r in only}
    position = {node: index for index, node in enumerate(records)}
    groups: dict[tuple[Node, ...], list[ReportResult]] = {}
    others: dict[Node, list[ReportResult]] = {}
    for finding in findings:
        owners, chain = own.owners(finding.focus)
        if only is not None:
            owners = [owner for owner in owners if owner in records]
        element = own.element(finding.focus, lang) if owners else _unlinked(lang)
        result = _result(finding, profile=profile, lang=lang, chain=chain, resolver=source_field, source=source,
                         element=element)
        if len(owners) == 1:
            records[owners[0]].append(result)
        elif owners:
            group = tuple(sorted(set(owners), key=position.__getitem__))
            if len(group) == 1:  # one record reached twice (typed both dataset and data service)
                records[group[0]].append(result)
            else:
                groups.setdefault(group, []).append(result)
        else:
            others.setdefault(finding.focus, []).append(result)
    ordered = sorted(groups, key=lambda group: [position[node] for node in group])
    return Filed(own, records, {group: groups[group] for group in ordered}, others)


def report_data(data: Iterable[Triple], findings: list[Finding], *, profile: Profile, lang: str, source: str,
                source_detected: bool, source_field: SourceFieldResolver | None = None,
                only: Collection[Node] | None = None) -> ValidationReport:
    """Group findings per record and render messages in `lang` (`data`: the input's triples, or its graph).

    `only`: report these records alone (a share of a catalogue that also holds other records' descriptions)."""
    filed = file_findings(data, findings, profile=profile, lang=lang, source=source, source_field=source_field,
                          only=only)
    own = filed.own
    shared: list[SharedResults] = []
    refs: dict[Node, list[int]] = {}
    tallies: list[tuple[int, int, int]] = []
    for index, (group, results) in enumerate(filed.groups.items()):
        results.sort(key=result_order)
        shared.append({"records": [own.record_id(node) for node in group], "results": results})
        tallies.append(tally(results))
        for node in group:
            refs.setdefault(node, []).append(index)
    reports: list[RecordReport] = []
    for node, results in filed.records.items():
        indexes = refs.get(node, [])
        extra = [tallies[i] for i in indexes]
        reports.append(_record(own, node, results, kind=filed.kind(node), lang=lang, shared=indexes, extra=extra))
    reports += [_record(own, node, results, kind="other", lang=lang) for node, results in filed.others.items()]
    counts = {s: sum(1 for f in findings if f.severity == s) for s in Severity}
    main = [r for r in reports if r["type"] in ("dataset", "dataservice", "datasetseries")]
    summary: Summary = {"records": len(main), "conforming": sum(1 for r in main if r["conforms"]),
                        "violations": counts[Severity.VIOLATION], "warnings": counts[Severity.WARNING],
                        "infos": counts[Severity.INFO]}
    return report_head(conforms=counts[Severity.VIOLATION] == 0, source=source, source_detected=source_detected,
                       lang=lang, profile=profile, summary=summary, records=reports, shared=shared)


def report_head(*, conforms: bool, source: str, source_detected: bool, lang: str, profile: Profile, summary: Summary,
                records: list[RecordReport], shared: list[SharedResults]) -> ValidationReport:
    """The report around its records (the batch path writes it around records already written as JSON)."""
    report: ValidationReport = {
        "conforms": conforms, "source": source, "source_detected": source_detected, "lang": lang,
        "profile": {"iri": str(profile.iri), "version": profile.version}, "summary": summary, "records": records,
        "shared": shared}
    return report


def tally(results: list[ReportResult]) -> tuple[int, int, int]:
    """(violations, warnings, infos) among results."""
    violations = warnings = infos = 0
    for result in results:
        severity = result["severity"]
        if severity == "violation":
            violations += 1
        elif severity == "warning":
            warnings += 1
        else:
            infos += 1
    return violations, warnings, infos


def _result(finding: Finding, *, profile: Profile, lang: str, chain: str | None,
            resolver: SourceFieldResolver | None, source: str, element: str | None) -> ReportResult:
    shape = profile.shapes.get(finding.shape)
    path = _short(finding.path) if finding.path is not None else None
    if finding.source_field is not None or finding.source_gap:
        field: str | None = finding.source_field
    elif resolver is not None:
        field = resolver(finding, chain)
    else:
        field = "/".join(p for p in (chain, path) if p) or None
    value: str | None = None
    if finding.value is not None:
        value = f"_:{finding.value}" if is_bnode(finding.value) else str(finding.value)
    if finding.message is None and shape is not None:
        message, name = _shape_texts(finding.shape, shape.message, shape.name, lang)
        if finding.shape.endswith("-datatype") and isinstance(finding.value, Literal):
            message = _datatype_message(finding.value, lang) or message
    else:
        message = render(finding.message or (shape.message if shape else {"es": finding.component}), lang)
        name = render(shape.name, lang) if shape else _problem_name(finding.shape, lang)
    gap = field is None
    if gap and not finding.source_gap:  # the format has no field for it: say how to give the value anyway
        message = f"{message} {_gap_hint(source, path or '', lang)}"
    result: ReportResult = {
        "severity": finding.severity.value, "path": path,
        "focus": f"_:{finding.focus}" if is_bnode(finding.focus) else str(finding.focus),
        "value": value, "message": message, "constraint": finding.component, "shape": finding.shape,
        "shape_name": name, "source_field": field, "source_gap": gap, "element": element,
    }
    return result


_DATE_FORMS = ((re.compile(r"\d{4}-\d{2}-\d{2}"), "xsd:date"),
               (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?"),
                "xsd:dateTime"),
               (re.compile(r"\d{4}"), "xsd:gYear"), (re.compile(r"\d{4}-\d{2}"), "xsd:gYearMonth"),
               (re.compile(r"\d{1,18}"), "xsd:nonNegativeInteger"))


def _datatype_message(value: Literal, lang: str) -> str | None:
    """A value written right but typed wrong ("2023-03-21" typed <xsd:date>, an undefined prefix): the message
    names its datatype and the one to use, instead of calling a correct date invalid."""
    lexical = str(value)
    expected = next((name for pattern, name in _DATE_FORMS if pattern.fullmatch(lexical)), None)
    if expected is None:
        return None
    datatype = value.datatype
    if datatype is None:
        shown = render(text("report.no_datatype"), lang) if value.language is None \
            else render(text("report.language_tag", lang_tag=value.language), lang)
        return render(text("report.datatype", value=lexical, datatype=shown, expected=expected), lang)
    iri = str(datatype)
    if "://" not in iri:  # "xsd:date" left as an IRI: a JSON-LD context that never defines the prefix
        return render(text("report.datatype_undefined", value=lexical, datatype=iri, expected=expected), lang)
    return render(text("report.datatype", value=lexical, datatype=_short(datatype), expected=expected), lang)


@functools.lru_cache(maxsize=512)
def _element_name(short: str, lang: str) -> str:
    """How people call the part of a record a property points at ("punto de contacto"), else its short name."""
    key = f"element.{short}"
    return render(text(key), lang) if has_message(key) else short


@functools.lru_cache(maxsize=2048)
def _gap_hint(source: str, path: str, lang: str) -> str:
    """How to give, on the source's platform, a value its format has no field for."""
    key = f"gap.{source}" if has_message(f"gap.{source}") else "gap.default"
    return render(text(key, property=path), lang)


@functools.lru_cache(maxsize=8)
def _unlinked(lang: str) -> str:
    """The element of a node no record reaches (filed as an "other" record)."""
    return render(text("element.unlinked"), lang)


_RANK = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _rank(finding: Finding) -> tuple[int, int, int]:
    """Which of several findings on one property of one node is reported: the gravest, then a problem met while
    reading the field (it names the value and the field), then one about a value."""
    return _RANK[finding.severity], 0 if finding.message is not None else 1, 0 if finding.value is not None else 1


def deduplicate(findings: list[Finding]) -> list[Finding]:
    """One problem, one finding: of the findings on one property of one node (an unknown category and "no EU
    theme"; a literal format and "not an EU file type"), the one that says most; several values breaking one rule
    are listed in one finding. Order is kept (first occurrence)."""
    groups: dict[tuple[Node, Node | None], list[Finding]] = {}
    for finding in findings:
        key = (finding.focus, finding.path)
        group = groups.get(key)
        if group is None:
            groups[key] = [finding]
        else:
            group.append(finding)
    if len(groups) == len(findings):
        return findings
    kept: list[Finding] = []
    for group in groups.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        best = min(group, key=_rank)
        values = [f.value for f in group if f.shape == best.shape and f.value is not None]
        if best.message is None and len(values) > 1:  # a rule broken by several values: one finding lists them
            shown = [f"_:{v}" if is_bnode(v) else str(v) for v in values]
            best = best._replace(value=Literal(" · ".join(dict.fromkeys(shown))))
        kept.append(best)
    return kept


# (shape, language) → the texts rendered, with the texts they came from (another profile may reuse an IRI)
_SHAPE_TEXTS: dict[tuple[str, str], tuple[LocalText, LocalText, str, str]] = {}


def _shape_texts(shape: str, message: LocalText, name: LocalText, lang: str) -> tuple[str, str]:
    found = _SHAPE_TEXTS.get((shape, lang))
    if found is None or found[0] is not message or found[1] is not name:
        found = _SHAPE_TEXTS[(shape, lang)] = (message, name, render(message, lang), render(name, lang))
    return found[2], found[3]


def _problem_name(shape: str, lang: str) -> str:
    kind = shape.rsplit("#", 1)[-1]
    try:
        return render(text(f"problem.{kind}"), lang)
    except KeyError:
        return kind


_ORDER = {"violation": 0, "warning": 1, "info": 2}


def result_order(result: ReportResult) -> tuple[int, str, str]:
    """How a record's results are listed: by severity, then field, then property."""
    return _ORDER[result["severity"]], result["source_field"] or "", result["path"] or ""


def _record(own: _Ownership, node: Node, results: list[ReportResult], *, kind: RecordType, lang: str,
            shared: list[int] | None = None, extra: list[tuple[int, int, int]] | None = None) -> RecordReport:
    results.sort(key=result_order)
    return record_report(record_id=own.record_id(node), iri=str(node) if is_uriref(node) else None,
                         title=own.text(node, _DCT_TITLE, lang), kind=kind, results=results, shared=shared or [],
                         tallies=[tally(results), *(extra or [])])


def record_report(*, record_id: str, iri: str | None, title: str | None, kind: RecordType,
                  results: list[ReportResult], shared: list[int], tallies: list[tuple[int, int, int]]) -> RecordReport:
    """One record: its own results, and the groups of shared results (indexes in the report's `shared`) that
    concern it; its counts and `conforms` take both into account (`tallies`: its own, then each group's)."""
    violations = sum(t[0] for t in tallies)
    record: RecordReport = {
        "id": record_id, "iri": iri, "title": title, "type": kind, "conforms": violations == 0,
        "violations": violations, "warnings": sum(t[1] for t in tallies), "infos": sum(t[2] for t in tallies),
        "results": results, "shared": shared,
    }
    return record


CSV_COLUMNS = ("record_id", "record_type", "record_title", "severity", "element", "path", "source_field", "value",
               "message", "constraint", "shape")


def shown_id(record: RecordReport) -> str:
    """A record's id as people see it: a blank-node label (a record the input left unnamed) is not shown."""
    return "" if record["id"].startswith("_:") else record["id"]


def shown_value(result: ReportResult) -> str:
    """A result's value as people see it: a blank-node label is not shown (the element names the node)."""
    value = result["value"] or ""
    return "" if value.startswith("_:") else value


def report_csv(report: ValidationReport, *, file: str | None = None, header: bool = True) -> str:
    """The report as CSV, one row per result (a spreadsheet an operator can sort and filter).

    `file`: a first column naming the document (several documents in one sheet)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    first: tuple[str, ...] = () if file is None else (file,)
    if header:
        writer.writerow((("file",) if file is not None else ()) + CSV_COLUMNS)
    rows: list[tuple[str, str, str, list[ReportResult]]] = [
        (shown_id(record), record["type"], record["title"] or "", record["results"]) for record in report["records"]]
    # a shared result once, naming every record it concerns (space-separated ids)
    rows += [(" ".join(i for i in group["records"] if not i.startswith("_:")), "shared", "", group["results"])
             for group in report.get("shared", [])]
    for record_id, kind, title, results in rows:
        for result in results:
            writer.writerow(first + (record_id, kind, title, result["severity"], result["element"] or "",
                                     result["path"] or "", result["source_field"] or "", shown_value(result),
                                     result["message"], result["constraint"], result["shape"]))
    return buffer.getvalue()


_SH_SEVERITY: Mapping[Severity, URIRef] = {
    Severity.VIOLATION: SH.Violation, Severity.WARNING: SH.Warning, Severity.INFO: SH.Info,
}


def report_graph(findings: list[Finding], *, profile: Profile) -> Graph:
    """The same findings as a SHACL sh:ValidationReport graph, messages in every language."""
    out = Graph()
    out.bind("sh", SH)
    for triple in report_triples(findings, profile=profile):
        out.add(triple)
    return out


def report_triples(findings: list[Finding], *, profile: Profile) -> Iterator[Triple]:
    """The triples of that graph, each node's together (the report's first, then each result's), made as they are
    written: what the linear writers of large answers read, in memory proportional to one result."""
    report = BNode()
    results = [BNode() for _ in findings]
    yield report, _RDF_TYPE, SH.ValidationReport
    yield report, SH.conforms, Literal(not any(f.severity == Severity.VIOLATION for f in findings))
    for node in results:
        yield report, SH.result, node
    for finding, node in zip(findings, results, strict=True):
        yield node, _RDF_TYPE, SH.ValidationResult
        yield node, SH.focusNode, finding.focus
        if finding.path is not None:
            yield node, SH.resultPath, finding.path
        if finding.value is not None:
            yield node, SH.value, finding.value
        yield node, SH.resultSeverity, _SH_SEVERITY[finding.severity]
        yield node, SH.sourceShape, URIRef(finding.shape)
        yield node, SH.sourceConstraintComponent, URIRef(str(SH) + finding.component.split(":", 1)[-1])
        shape = profile.shapes.get(finding.shape)
        messages = finding.message or (shape.message if shape else {})
        for language, message in messages.items():
            yield node, SH.resultMessage, Literal(message, lang=language)

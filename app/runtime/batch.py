"""Catalogues on every core: the input is read once, its records are shared out to forked workers, and each
worker maps, validates and reports its share; the parent merges the reports.

Exactly the answer of one process, by construction:
- RDF: a worker gets whole records: every node its records reach (its *members*, validated and reported) plus,
  of the other records they point at (a catalogue at its datasets), what a check reads of a value (its types,
  and the properties of the profile's value shapes), so every check sees what it would see in the whole graph.
  A node two records share is a member of both shares; its findings are counted once.
- JSON: each share is mapped on its own, so two shares could describe one IRI differently, or one share could
  point at a node only another describes. Workers send a digest of each IRI's description and the IRIs they point
  at without describing; when shares disagree or depend on each other, the catalogue is validated again in one
  process. Real catalogues mint IRIs per record, so this is rare.
Workers are forked once per run (they share the loaded profile without copying it) and live for every document
of the run, so what they learn (transformed values, vocabulary look-ups) serves the next document too; each share
reaches them pickled (measured: about 0.04 s each way for 2,000 records). This path is for the command line and
the benchmark, not for threads of the web service.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from rdflib.namespace import RDF
from rdflib.term import Node

from app.errors import PuenteError
from app.findings import Finding, Severity
from app.pipeline.mapping import MappedInput, map_records
from app.pipeline.report import Filed, file_findings, record_report, report_head, result_order, tally
from app.pipeline.report_models import (
    REPORT_ADAPTER,
    RecordReport,
    RecordType,
    ReportResult,
    Summary,
    ValidationReport,
)
from app.pipeline.run import Opened, Outcome, Pipeline
from app.rdf.namespaces import DCAT
from app.rdf.terms import Triple, is_iri, is_literal, is_uriref

T = TypeVar("T")
_ROOTS = (DCAT.Dataset, DCAT.DataService, DCAT.Catalog, DCAT.DatasetSeries)
_ROOT_SET = frozenset(_ROOTS)
SHARES_PER_WORKER = 4  # smaller shares even out records of different sizes
AHEAD = 2  # documents in the workers' queue while the next one is read


@dataclass
class _Share:
    """What one worker validates: JSON records to map, or RDF triples with the nodes it answers for."""

    records: list[tuple[dict[str, object], str]] = field(default_factory=list)
    first: bool = False  # the share that reports document-level problems (repeated keys)
    triples: list[Triple] = field(default_factory=list)
    members: set[Node] = field(default_factory=set)
    roots: set[Node] = field(default_factory=set)


@dataclass
class _Task:
    """One share as sent to a worker (pickled): the worker knows the pipeline, not the document."""

    source: str
    detected: bool
    lang: str
    keep_findings: bool
    records: list[tuple[dict[str, object], str]]  # JSON: the records to map
    repeated: list[str]  # JSON: the document's repeated keys (reported by the first share only)
    triples: list[Triple]  # RDF: the share's triples
    members: set[Node]  # RDF: the nodes the share answers for
    roots: set[Node]  # RDF: the records it reports
    problems: list[Finding]  # RDF: the document's normalisation problems
    origin: str | None = None  # JSON: the portal's address the caller gave
    whole: bool = False  # the whole document in one share (RDF: every node is a member)


ShareTask = _Task  # one share of a document, as the catalogue's publishing hands it to `map_shares`


@dataclass
class _Written:
    """One result written as JSON (a model would cost more to pickle, or to read again), with what the parent needs
    to file it: the node it is about, how it sorts, its severity."""

    focus: str
    order: tuple[int, str, str]
    severity: str
    json: bytes


@dataclass
class _PieceRecord:
    """A catalogue, dataset or data service of a share, with the results filed to it alone in that share."""

    kind: RecordType
    key: str  # its IRI, or _:label (blank node labels are those of the parent's parse, or unique to the share)
    id: str
    iri: str | None
    title: str | None
    results: list[_Written]


@dataclass
class _Piece:
    # A share's records and its groups of shared results (records → results); its nodes no record reaches as data
    # (two shares may both report one; the parent keeps its results once). A node one record of a share reaches may
    # be reached by records of other shares too: the parent files every result again over all the shares.
    records: list[_PieceRecord]
    groups: list[tuple[list[str], list[_Written]]]
    unowned: list[RecordReport]
    counted: dict[tuple[str, ...], Severity]  # distinct findings of the share
    described: dict[str, int]  # IRI → digest of its description (JSON shares only)
    pointed: set[str]  # IRIs pointed at but not described in the share (JSON shares only)
    findings: list[Finding]  # when asked for


class CatalogueResult:
    """The report as JSON (what `puente validate --format json` writes), its summary, and the findings when asked
    for (a SHACL report graph is made from them). The report's models are read from the JSON when first asked
    for: a catalogue's report is written from its shares' JSON without them."""

    def __init__(self, *, report_json: bytes, conforms: bool, summary: Summary, findings: list[Finding]) -> None:
        self.report_json = report_json
        self.conforms = conforms
        self.summary = summary
        self.findings = findings
        self._report: ValidationReport | None = None

    @property
    def report(self) -> ValidationReport:
        if self._report is None:
            self._report = REPORT_ADAPTER.validate_json(self.report_json)
        return self._report


_PIPELINE: Pipeline | None = None  # a worker's pipeline, set as it starts (inherited through fork, never pickled)


@dataclass(frozen=True)
class Input:
    """One document to validate."""

    body: bytes
    media_type: str
    source: str | None = None
    origin: str | None = None


def validate_catalogue(pipeline: Pipeline, body: bytes, *, media_type: str, source: str | None, lang: str,
                       processes: int, keep_findings: bool = False,
                       on_open: Callable[[int], None] | None = None, origin: str | None = None) -> CatalogueResult:
    """Validate a record or a whole catalogue on `processes` cores; same report as a single process.

    `on_open` is told the number of records once the input is read (for a progress bar)."""
    with _collector_spared(), _workers(pipeline, processes=processes) as pool:
        opened = pipeline.open(body, media_type=media_type, source=source, origin=origin)
        if on_open is not None:
            on_open(len(opened.records) if opened.mapped is None else _count_records(opened.mapped))
        return _finish(_start(pipeline, opened, lang=lang, pool=pool, processes=processes,
                              keep_findings=keep_findings))


def validate_catalogues(pipeline: Pipeline, inputs: Iterable[Input], *, lang: str, processes: int,
                        keep_findings: bool = False) -> Iterator[CatalogueResult | PuenteError]:
    """Several documents, in order, each as `validate_catalogue` would answer (or the error that stopped it).

    Overlapped: while the workers validate the documents before, this process reads the next one (reading is
    serial: a Spanish catalogue takes as long to read as two Mexican ones to validate), so no core waits for it.
    At most AHEAD documents wait in the workers' queue."""
    with _collector_spared(), _workers(pipeline, processes=processes) as pool:
        waiting: deque[_Running | CatalogueResult | PuenteError] = deque()
        for item in inputs:
            try:
                opened = pipeline.open(item.body, media_type=item.media_type, source=item.source, origin=item.origin)
                waiting.append(_start(pipeline, opened, lang=lang, pool=pool, processes=processes,
                                      keep_findings=keep_findings))
            except PuenteError as error:
                waiting.append(error)
            while len(waiting) > AHEAD or (waiting and not isinstance(waiting[0], _Running)):
                yield _answer(waiting.popleft())
        while waiting:
            yield _answer(waiting.popleft())


def _answer(running: _Running | CatalogueResult | PuenteError) -> CatalogueResult | PuenteError:
    return running if isinstance(running, PuenteError) else _finish(running)


@dataclass
class _Running:
    """A document whose shares the workers are validating."""

    pipeline: Pipeline
    opened: Opened
    lang: str
    futures: list[Future[_Piece]]


@contextmanager
def _workers(pipeline: Pipeline, *, processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """The run's worker processes (none for one process), forked once the pipeline is warm."""
    if processes < 2:
        yield None
        return
    pipeline.lookups.warm()
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=_adopt,
                               initargs=(pipeline,))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _start(pipeline: Pipeline, opened: Opened, *, lang: str, pool: ProcessPoolExecutor | None, processes: int,
           keep_findings: bool) -> _Running | CatalogueResult:
    shares = _shares(opened, parts=processes * SHARES_PER_WORKER,
                     value_properties=pipeline.engine.value_properties) if pool is not None else []
    if pool is None or len(shares) < 2:
        return _whole(pipeline, opened, lang=lang)
    tasks = [_task(opened, share, lang=lang, keep_findings=keep_findings) for share in shares]
    return _Running(pipeline=pipeline, opened=opened, lang=lang,
                    futures=[pool.submit(_run_task, task) for task in tasks])


def _task(opened: Opened, share: _Share, *, lang: str, keep_findings: bool) -> _Task:
    problems = [] if opened.mapped is None else opened.mapped.problems  # Pipeline.check keeps the members' own
    return _Task(source=opened.source.name, detected=opened.detected, lang=lang, keep_findings=keep_findings,
                 records=share.records, repeated=opened.repeated if share.first else [], triples=share.triples,
                 members=share.members, roots=share.roots, problems=problems, origin=opened.origin)


def _adopt(pipeline: Pipeline) -> None:
    global _PIPELINE
    _PIPELINE = pipeline


def _finish(running: _Running | CatalogueResult) -> CatalogueResult:
    if isinstance(running, CatalogueResult):
        return running
    pieces = [future.result() for future in running.futures]
    opened = running.opened
    if opened.mapped is None and not _independent(pieces):
        return _whole(running.pipeline, opened, lang=running.lang)
    findings = list({_identity(f): f for piece in pieces for f in piece.findings}.values())
    findings.sort(key=Finding.key)
    return _merge(pieces, opened=opened, pipeline=running.pipeline, lang=running.lang, findings=findings)


@contextmanager
def _collector_spared() -> Iterator[None]:
    """The loaded profile and vocabularies (millions of objects) are never garbage: frozen, the collector no
    longer walks them on every full collection (a third of the time of a run), and forked workers no longer
    copy their pages by touching them. A run makes few reference cycles, so the collector also waits for its
    end (workers inherit that)."""
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _count_records(mapped: MappedInput) -> int:
    rdf_type = str(RDF.type)
    return sum(1 for _, p, o in mapped.triples if is_iri(p, rdf_type) and o in _ROOTS[:2])


def _whole(pipeline: Pipeline, opened: Opened, *, lang: str) -> CatalogueResult:
    mapped = opened.mapped if opened.mapped is not None else pipeline.map_records(opened, opened.records)
    outcome = pipeline.check(mapped, source=opened.source, detected=opened.detected)
    data = outcome.report(profile=pipeline.profile, lang=lang)
    return CatalogueResult(report_json=orjson.dumps(data), conforms=bool(data["conforms"]),
                           summary=data["summary"], findings=outcome.findings)


# ---------------------------------------------------------------------------------------------- sharing out


def _shares(opened: Opened, *, parts: int, value_properties: frozenset[str] | None) -> list[_Share]:
    if opened.mapped is None:
        size = max(1, -(-len(opened.records) // parts))
        return [_Share(records=opened.records[i:i + size], first=i == 0) for i in range(0, len(opened.records), size)]
    return _rdf_shares(opened.mapped, parts=parts, value_properties=value_properties)


def _rdf_shares(mapped: MappedInput, *, parts: int, value_properties: frozenset[str] | None,
                classes: tuple[Node, ...] = _ROOTS) -> list[_Share]:
    """Whole records per share, and of the records they point at (a catalogue at its datasets) only what a
    check reads of a value (`value_properties`; everything when the engine does not say). `classes`: what makes
    a node a record (the catalogue publishes datasets alone: a data service they reach goes with them)."""
    described: set[Node] = set()
    links: dict[Node, list[Node]] = {}
    roots: dict[Node, None] = {}
    rdf_type = str(RDF.type)
    for subject, predicate, obj in mapped.triples:
        described.add(subject)
        if is_iri(predicate, rdf_type) and obj in classes:
            roots[subject] = None
        elif not is_literal(obj):
            links.setdefault(subject, []).append(obj)
    ordered = list(roots)
    size = max(1, -(-len(ordered) // parts))
    shares: list[_Share] = []
    reached: set[Node] = set()
    for start in range(0, len(ordered), size):
        share = _Share(roots=set(ordered[start:start + size]))
        for root in ordered[start:start + size]:
            _reach(root, links=links, roots=roots, into=share.members)
        reached |= share.members
        shares.append(share)
    shares[0].members |= described - reached  # described, but no record reaches it
    whole: dict[Node, list[_Share]] = {}  # node → the shares that need all of its description
    partly: dict[Node, list[_Share]] = {}  # node → the shares that only point at it
    for share in shares:
        borrowed: set[Node] = set()
        for node in share.members:
            whole.setdefault(node, []).append(share)
            borrowed.update(links.get(node, ()))
        for node in borrowed - share.members:
            (partly if value_properties is not None else whole).setdefault(node, []).append(share)
    for triple in mapped.triples:  # in document order, like the whole
        subject, predicate, _ = triple
        for share in whole.get(subject, ()):
            share.triples.append(triple)
        if subject in partly and value_properties is not None and str(predicate) in value_properties:
            for share in partly[subject]:
                share.triples.append(triple)
    return shares


def _reach(root: Node, *, links: dict[Node, list[Node]], roots: dict[Node, None], into: set[Node]) -> None:
    into.add(root)
    stack = [root]
    while stack:
        for obj in links.get(stack.pop(), ()):
            if obj not in into and obj not in roots:
                into.add(obj)
                stack.append(obj)


# ---------------------------------------------------------------------------------------------- one share


def check_share(pipeline: Pipeline, task: _Task) -> Outcome:
    """Map (JSON) and validate one share: what a worker does first with it, whatever it then writes."""
    source = pipeline.registry.get(task.source)
    if not source.is_rdf:
        mapped = map_records(task.records, mapper=pipeline.mappers[task.source], repeated_keys=task.repeated,
                             origin=task.origin)
        return pipeline.check(mapped, source=source, detected=task.detected)
    return pipeline.check(MappedInput(triples=task.triples, problems=task.problems), source=source,
                          detected=task.detected, only=None if task.whole else task.members)


def _run_task(task: _Task) -> _Piece:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker forked without a pipeline"
    outcome = check_share(pipeline, task)
    source = outcome.source
    described: dict[str, int] = {}
    pointed: set[str] = set()
    if not source.is_rdf:
        described, pointed = _fingerprint(outcome.mapped.triples)
    findings = outcome.findings
    filed = file_findings(outcome.mapped.triples, findings, profile=pipeline.profile, lang=task.lang,
                          source=source.name, source_field=outcome.source_field,
                          only=task.roots if source.is_rdf else None)
    records: list[_PieceRecord] = []
    for node, results in filed.records.items():
        record_id, iri, title = filed.head(node, task.lang)
        records.append(_PieceRecord(kind=filed.kind(node), key=_key(node), id=record_id, iri=iri, title=title,
                                    results=[_written(r) for r in results]))
    groups = [([_key(node) for node in group], [_written(r) for r in results])
              for group, results in filed.groups.items()]
    unowned = [_other(filed, node, results, lang=task.lang) for node, results in filed.others.items()]
    return _Piece(records=records, groups=groups, unowned=unowned, counted={_identity(f): f.severity for f in findings},
                  described=described, pointed=pointed, findings=findings if task.keep_findings else [])


def _key(node: Node) -> str:
    return str(node) if is_uriref(node) else f"_:{node}"


def _written(result: ReportResult) -> _Written:
    return _Written(focus=result["focus"], order=result_order(result), severity=result["severity"],
                    json=orjson.dumps(result))


def _other(filed: Filed, node: Node, results: list[ReportResult], *, lang: str) -> RecordReport:
    results.sort(key=result_order)
    record_id, iri, title = filed.head(node, lang)
    return record_report(record_id=record_id, iri=iri, title=title, kind="other", results=results, shared=[],
                         tallies=[tally(results)])


def _identity(finding: Finding) -> tuple[str, ...]:
    value = "" if finding.value is None else f"{type(finding.value).__name__}:{finding.value}"
    return (*finding.key(), value, finding.source_field or "")


def _fingerprint(triples: list[Triple]) -> tuple[dict[str, int], set[str]]:
    """Each IRI's description as a digest (its properties and values in the order the crosswalk made them: two
    records describing a node alike produce it alike; a different order only costs a needless fallback), and
    the IRIs pointed at without being described. Records themselves need no digest: one record IRI in two
    shares already sends the catalogue back to one process (`_independent`)."""
    rdf_type = str(RDF.type)
    records = {s for s, p, o in triples if is_uriref(s) and is_iri(p, rdf_type) and o in _ROOT_SET}
    about: dict[Node, list[tuple[Node, Node]]] = {}
    objects: set[Node] = set()
    for subject, predicate, obj in triples:
        if is_uriref(subject) and subject not in records:
            pairs = about.get(subject)
            if pairs is None:
                about[subject] = [(predicate, obj)]
            else:
                pairs.append((predicate, obj))
        if is_uriref(obj) and not is_iri(predicate, rdf_type):
            objects.add(obj)
    described = {str(iri): hash(tuple(pairs)) for iri, pairs in about.items()}
    described.update((str(iri), 0) for iri in records)  # described, and by their share only
    return described, {str(iri) for iri in objects} - described.keys()


# ---------------------------------------------------------------------------------------------- merging


def _independent(pieces: list[_Piece]) -> bool:
    """True when no two JSON shares describe one IRI differently and none points at another's nodes."""
    seen: dict[str, int] = {}
    records: set[str] = set()
    for piece in pieces:
        for iri, digest in piece.described.items():
            if seen.setdefault(iri, digest) != digest:
                return False
        for record in piece.records:
            if record.iri is not None:
                if record.iri in records:
                    return False  # one record split over two shares
                records.add(record.iri)
    return not any(piece.pointed & seen.keys() for piece in pieces)


def _merge(pieces: list[_Piece], *, opened: Opened, pipeline: Pipeline, lang: str,
           findings: list[Finding]) -> CatalogueResult:
    """The shares' records in the order one process lists them (catalogues, datasets and data services, then the
    nodes no record reaches, by focus), every result filed again over all the shares (a node records of two shares
    reach is shared), written around the results' JSON without reading it again."""
    by_type: dict[str, list[_PieceRecord]] = {"catalog": [], "dataset": [], "dataservice": [],
                                                 "datasetseries": []}
    others: dict[str, RecordReport] = {}
    counted: dict[tuple[str, ...], Severity] = {}
    for piece in pieces:
        counted.update(piece.counted)
        for record in piece.records:
            by_type[record.kind].append(record)
        for other in piece.unowned:
            focus = str(other["results"][0]["focus"]) if other["results"] else str(other["id"])
            if focus in others:
                _absorb(others[focus], other["results"])
            else:
                others[focus] = other
    records = [*by_type["catalog"], *by_type["dataset"], *by_type["dataservice"], *by_type["datasetseries"]]
    position = {record.key: index for index, record in enumerate(records)}
    reached: dict[str, set[str]] = {}  # focus → the records that reach it, over every share
    for record in records:
        for result in record.results:
            reached.setdefault(result.focus, set()).add(record.key)
    for piece in pieces:
        for keys, results in piece.groups:
            for result in results:
                reached.setdefault(result.focus, set()).update(keys)
    grouped: dict[tuple[str, ...], dict[bytes, _Written]] = {}

    def group_of(focus: str) -> tuple[str, ...]:
        return tuple(sorted(reached[focus], key=position.__getitem__))

    own: dict[str, list[_Written]] = {}
    for record in records:
        kept = own[record.key] = []
        for result in record.results:
            if len(reached[result.focus]) == 1:
                kept.append(result)
            else:
                grouped.setdefault(group_of(result.focus), {}).setdefault(result.json, result)
    for piece in pieces:
        for _, results in piece.groups:
            for result in results:
                grouped.setdefault(group_of(result.focus), {}).setdefault(result.json, result)
    ids = {record.key: record.id for record in records}
    refs: dict[str, list[int]] = {}
    tallies: list[tuple[int, int, int]] = []
    shared: list[bytes] = []
    for index, group in enumerate(sorted(grouped, key=lambda g: [position[key] for key in g])):
        results = sorted(grouped[group].values(), key=lambda r: r.order)
        tallies.append(_tally(results))
        shared.append(b'{"records":' + orjson.dumps([ids[key] for key in group]) + b',"results":['
                      + b",".join(r.json for r in results) + b"]}")
        for key in group:
            refs.setdefault(key, []).append(index)
    written: list[bytes] = []
    main = conforming = 0
    for record in records:
        results = own[record.key]
        indexes = refs.get(record.key, [])
        counts = [_tally(results), *(tallies[i] for i in indexes)]
        head = record_report(record_id=record.id, iri=record.iri, title=record.title,
                             kind=record.kind, results=[], shared=indexes, tallies=counts)
        text = orjson.dumps(head)
        cut = text.rindex(b'"results":[]')
        written.append(text[:cut] + b'"results":[' + b",".join(r.json for r in results) + text[cut + 11:])
        if record.kind != "catalog":
            main += 1
            conforming += 1 if head["conforms"] else 0
    violations = sum(1 for s in counted.values() if s is Severity.VIOLATION)
    summary: Summary = {"records": main, "conforming": conforming, "violations": violations,
                        "warnings": sum(1 for s in counted.values() if s is Severity.WARNING),
                        "infos": sum(1 for s in counted.values() if s is Severity.INFO)}
    # unowned nodes come after the records, in the order of their focus (as findings are ordered in one process)
    unowned = [orjson.dumps(others[focus]) for focus in sorted(others, key=lambda f: f.removeprefix("_:"))]
    head_json = orjson.dumps(report_head(conforms=violations == 0, source=opened.source.name,
                                         source_detected=opened.detected, lang=lang, profile=pipeline.profile,
                                         summary=summary, records=[], shared=[]))
    tail = b'"records":[],"shared":[]}'
    assert head_json.endswith(tail), "records and shared must stay the report's last fields"
    report = (head_json[:-len(tail)] + b'"records":[' + b",".join([*written, *unowned]) + b'],"shared":['
              + b",".join(shared) + b"]}")
    return CatalogueResult(report_json=report, conforms=violations == 0, summary=summary, findings=findings)


def _tally(results: list[_Written]) -> tuple[int, int, int]:
    return (sum(1 for r in results if r.severity == "violation"), sum(1 for r in results if r.severity == "warning"),
            sum(1 for r in results if r.severity == "info"))


def _absorb(record: RecordReport, results: list[ReportResult]) -> None:
    """One unowned node found by two shares: its results once."""
    known = {orjson.dumps(r) for r in record["results"]}
    record["results"].extend(r for r in results if orjson.dumps(r) not in known)
    every = record["results"]
    record["violations"] = sum(1 for r in every if r["severity"] == "violation")
    record["warnings"] = sum(1 for r in every if r["severity"] == "warning")
    record["infos"] = sum(1 for r in every if r["severity"] == "info")
    record["conforms"] = record["violations"] == 0


# ---------------------------------------------------------------------------------------------- other writers


def share_out(pipeline: Pipeline, opened: Opened, *, parts: int, lang: str,
              classes: tuple[Node, ...] = _ROOTS) -> list[_Task]:
    """An opened document as tasks for `map_shares` (whole records per share, as `validate_catalogue` shares
    them); one task holding everything when `parts` < 2 or the document is one record."""
    if parts >= 2:
        if opened.mapped is None:
            shares = _shares(opened, parts=parts, value_properties=pipeline.engine.value_properties)
        else:
            shares = _rdf_shares(opened.mapped, parts=parts, value_properties=pipeline.engine.value_properties,
                                 classes=classes)
        if len(shares) >= 2:
            return [_task(opened, share, lang=lang, keep_findings=False) for share in shares]
    return [whole_task(opened, lang=lang, classes=classes)]


def whole_task(opened: Opened, *, lang: str, classes: tuple[Node, ...] = _ROOTS) -> _Task:
    """The whole document as one task."""
    if opened.mapped is None:
        return _Task(source=opened.source.name, detected=opened.detected, lang=lang, keep_findings=False,
                     records=opened.records, repeated=opened.repeated, triples=[], members=set(), roots=set(),
                     problems=[], origin=opened.origin, whole=True)
    rdf_type = str(RDF.type)
    roots = {s for s, p, o in opened.mapped.triples if is_iri(p, rdf_type) and o in classes}
    return _Task(source=opened.source.name, detected=opened.detected, lang=lang, keep_findings=False, records=[],
                 repeated=[], triples=opened.mapped.triples, members=set(), roots=roots,
                 problems=opened.mapped.problems, whole=True)


def map_shares(pipeline: Pipeline, tasks: Iterable[_Task], function: Callable[[Pipeline, _Task, Any], T],
               extra: Any, *, processes: int, ahead: int) -> Iterator[T]:
    """`function(pipeline, task, extra)` for every task, in forked worker processes (in this one when
    `processes` < 2), answers in task order; at most `ahead` tasks wait in the workers' queue, so a caller that
    writes each answer away holds a few shares, never the whole document."""
    with _collector_spared(), _workers(pipeline, processes=processes) as pool:
        if pool is None:
            for task in tasks:
                yield function(pipeline, task, extra)
            return
        waiting: deque[Future[T]] = deque()
        for task in tasks:
            waiting.append(pool.submit(_call, function, task, extra))
            while len(waiting) > ahead:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


def _call(function: Callable[[Pipeline, _Task, Any], T], task: _Task, extra: Any) -> T:
    pipeline = _PIPELINE
    assert pipeline is not None, "worker forked without a pipeline"
    return function(pipeline, task, extra)

"""Publishing, worker side: the datasets of a parsed document validated, given Puente's IRIs and checksummed.

Runs in the validation workers (one share of a catalogue per call), so a 10,000-record POST uses every core. For
each dataset of the share it answers a `Prepared` record: its own triples as canonical N-Triples (dataset,
distributions, agents, periods, the data services it reaches, and the catalogue's links to it), the checksum of
those lines, the keys of the vocabulary knowledge it uses (`knowledge.py`), what the index needs, and its
validation report. The writer (`service.py`) adds the CatalogRecord, compares checksums and stores.

IRIs (DESIGN §4a): the dataset becomes `{catalogue}/datasets/{id}`; its distributions `{dataset}#distribution-{key}`,
the key derived from the distribution's own identifier, else its download URL, else its access URL (with title and
format), else its source IRI, never from its position or a blank-node label, so they stay stable across updates;
the source's dataset IRI stays attached as an `adms:identifier` (README "The harmonised catalogue" says why).

Terms are handled as N-Triples strings (written once per term by pyoxigraph, `ntriples.py`): rdflib's terms hash
and compare in Python, strings in C.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import orjson
from rdflib import BNode, Literal
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from app.catalogue import blobs, canonical, ntriples
from app.catalogue.identifiers import safe_id
from app.catalogue.knowledge import Knowledge
from app.catalogue.ntriples import NotAnIriError
from app.errors import ConflictError, InputError, NoRecordsError
from app.i18n import text
from app.pipeline.report_models import RecordReport, Summary, ValidationReport
from app.pipeline.run import Outcome, Pipeline
from app.rdf.namespaces import ADMS, DCAT, DCT, FOAF
from app.runtime.batch import ShareTask, check_share, whole_task

StrTriple = tuple[str, str, str]
RECORD_CLASSES = (DCAT.Dataset,)
INVALID = "!"  # first character of a term pyoxigraph refused (an IRI that is not one): its record is refused


def _t(node: Node) -> str:
    return ntriples.term(node)


TYPE, DATASET, SERVICE = _t(RDF.type), _t(DCAT.Dataset), _t(DCAT.DataService)
DISTRIBUTION, IDENTIFIER, TITLE, DESCRIPTION = _t(DCAT.distribution), _t(DCT.identifier), _t(DCT.title), \
    _t(DCT.description)
MODIFIED, KEYWORD, THEME, PUBLISHER, FORMAT = _t(DCT.modified), _t(DCAT.keyword), _t(DCAT.theme), \
    _t(DCT.publisher), _t(DCT["format"])
NAME, DOWNLOAD, ACCESS = _t(FOAF.name), _t(DCAT.downloadURL), _t(DCAT.accessURL)
CATALOGUE_DATASET, CATALOGUE_RECORD = _t(DCAT.dataset), _t(DCAT.record)
ADMS_IDENTIFIER, ADMS_CLASS, NOTATION = _t(ADMS.identifier), _t(ADMS.Identifier), _t(SKOS.notation)
DATASET_LINKS = frozenset(_t(p) for p in (DCAT.servesDataset, DCAT.dataset, DCAT.resource, FOAF.primaryTopic))
_KNOWLEDGE: dict[int, Knowledge] = {}


@dataclass(frozen=True)
class Job:
    """What a worker needs to know besides the document (sent with every share)."""

    catalogue_iri: str
    lang: str  # of the stored report's messages
    text_lang: str = "es"  # the catalogue's language: which title and description the index keeps
    put_id: str | None = None  # PUT: the id the URL names (the document must hold one dataset)


@dataclass
class Fields:
    """What the index keeps of a record: text to search, values to filter on."""

    title: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    modified: str = ""  # the dataset's own dct:modified (the source's metadata), as written


@dataclass
class Prepared:
    """One dataset of the document, ready for the writer (or refused, with `reason`)."""

    position: int
    id: str
    original_id: str
    source_iri: str | None
    iri: str
    reason: str | None  # None: to store; "violations", "no-identifier", "invalid-iri"
    violations: int
    warnings: int
    infos: int
    report_z: bytes  # the record's validation report (DESIGN §5), JSON, compressed (blobs.py)
    # compressed here (blobs.py), on a worker's core, rather than by the one writer (and fewer bytes to send it):
    doc: bytes = b""  # the canonical N-Triples lines of its own triples, "\n"-joined
    ttl: bytes = b""  # the same as Turtle statements (ntriples.turtle_chunk)
    checksum: str = ""
    knowledge: list[str] = field(default_factory=list)
    fields: Fields = field(default_factory=Fields)
    detail: str = ""  # why it was refused, in English (the batch answer)


    @property
    def report(self) -> bytes:
        return blobs.unpack(self.report_z)

    @property
    def lines(self) -> list[str]:
        return blobs.unpack(self.doc).decode("utf-8").split("\n") if self.doc else []


@dataclass
class PreparedShare:
    """A share's datasets, in document order."""

    source: str
    detected: bool
    records: list[Prepared]


def knowledge_of(pipeline: Pipeline) -> Knowledge:
    """This process's knowledge lines (built once per loaded profile)."""
    found = _KNOWLEDGE.get(id(pipeline.profile))
    if found is None:
        found = _KNOWLEDGE[id(pipeline.profile)] = Knowledge(pipeline.profile)
    return found


def prepare_document(pipeline: Pipeline, body: bytes, media_type: str, source: str | None, job: Job) -> PreparedShare:
    """One PUT: the whole document, which must hold one dataset (runs in a worker through Runner.run)."""
    opened = pipeline.open(body, media_type=media_type, source=source)
    share = prepare_task(pipeline, whole_task(opened, lang=job.lang, classes=RECORD_CLASSES), job)
    if not share.records:
        raise NoRecordsError(text("detail.no_datasets"))
    if len(share.records) > 1:
        raise InputError(text("detail.put_one_dataset", count=len(share.records)), field="body")
    return share


def prepare_share(pipeline: Pipeline, body: bytes, task: ShareTask, job: Job) -> PreparedShare:
    """prepare_task as a worker job (Runner.run: the body is unused, the share travels as an argument)."""
    del body
    return prepare_task(pipeline, task, job)


def prepare_task(pipeline: Pipeline, task: ShareTask, job: Job) -> PreparedShare:
    """One share of a catalogue (runs in a worker through map_shares or Runner.run)."""
    outcome = check_share(pipeline, task)
    roots = task.roots if outcome.source.is_rdf else None
    return PreparedShare(source=outcome.source.name, detected=outcome.detected,
                         records=_prepare(pipeline, outcome, job, roots=roots))


class _Terms:
    """Each term of a share written once as N-Triples (keyed by object identity: the share holds every term)."""

    def __init__(self) -> None:
        self._by_id: dict[int, str] = {}
        self.literals: dict[str, tuple[str, str | None]] = {}  # N-Triples literal → (value, language)

    def __call__(self, node: Node) -> str:
        found = self._by_id.get(id(node))
        if found is not None:
            return found
        if isinstance(node, BNode):
            written = f"_:{node}"
        else:
            try:
                written = ntriples.term(node)
            except NotAnIriError:
                written = INVALID + str(node)
            if isinstance(node, Literal):
                self.literals[written] = (str(node), node.language)
        self._by_id[id(node)] = written
        return written


def _prepare(pipeline: Pipeline, outcome: Outcome, job: Job, *, roots: set[Node] | None) -> list[Prepared]:
    terms = _Terms()
    about: dict[str, list[StrTriple]] = {}
    links: dict[str, list[str]] = {}
    all_datasets: dict[str, Node] = {}
    services: dict[str, Node] = {}
    for subject, predicate, obj in outcome.mapped.triples:
        triple = (terms(subject), terms(predicate), terms(obj))
        about.setdefault(triple[0], []).append(triple)
        if triple[2][0] == '"':
            continue
        links.setdefault(triple[0], []).append(triple[2])
        if triple[1] == TYPE:
            if triple[2] == DATASET:
                all_datasets[triple[0]] = subject
            elif triple[2] == SERVICE:
                services[triple[0]] = subject
    datasets = [d for d, node in all_datasets.items() if roots is None or node in roots]
    if not datasets:
        return []
    if job.put_id is not None and len(datasets) > 1:
        raise InputError(text("detail.put_one_dataset", count=len(datasets)), field="body")
    reach = {root: _reach(root, links=links, stop=all_datasets) for root in datasets}
    wanted = {all_datasets[d] for d in datasets} | {services[node] for nodes in reach.values() for node in nodes
                                                     if node in services}
    report = outcome.report(profile=pipeline.profile, lang=job.lang, only=wanted)
    entries = {(entry["iri"] and ntriples.iri(entry["iri"])) or "id:" + str(entry["id"]): entry
               for entry in report["records"] if entry["type"] in ("dataset", "dataservice")}
    violations: dict[str, int] = {}
    for finding in outcome.findings:
        if finding.severity.value == "violation":
            focus = terms(finding.focus)
            violations[focus] = violations.get(focus, 0) + 1
    knowledge = knowledge_of(pipeline)
    prepared: list[Prepared] = []
    for position, root in enumerate(datasets):
        mine = {node: about.get(node, []) for node in reach[root]}
        prepared.append(_record(job, root=root, about=mine, position=position, report=report, entries=entries,
                                violations=sum(violations.get(node, 0) for node in mine), knowledge=knowledge,
                                literals=terms.literals))
    return prepared


def _reach(root: str, *, links: dict[str, list[str]], stop: dict[str, Node]) -> list[str]:
    """The nodes a dataset's description reaches, in a stable order, not entering other datasets."""
    seen = {root}
    order = [root]
    stack = [root]
    while stack:
        for obj in links.get(stack.pop(), ()):
            if obj not in seen and obj not in stop:
                seen.add(obj)
                order.append(obj)
                stack.append(obj)
    return order


def _record(job: Job, *, root: str, about: dict[str, list[StrTriple]], position: int, report: ValidationReport,
            entries: dict[str, RecordReport], violations: int, knowledge: Knowledge,
            literals: dict[str, tuple[str, str | None]]) -> Prepared:
    """One dataset: `about` holds the triples of every node it reaches (in the order reached)."""
    mine = [entry for node in about if (entry := entries.get(node if node[0] == "<" else
                                                             "id:" + _report_id(about, node, literals))) is not None]
    violations = max(violations, sum(e["violations"] for e in mine))
    warnings = sum(e["warnings"] for e in mine)
    infos = sum(e["infos"] for e in mine)
    summary: Summary = {"records": 1, "conforming": 1 if violations == 0 else 0, "violations": violations,
                        "warnings": warnings, "infos": infos}
    one: ValidationReport = {**report, "conforms": violations == 0, "summary": summary, "records": mine}
    record_report = orjson.dumps(one)
    original = _original_id(about, root, literals)
    if job.put_id is not None:
        if original is not None and safe_id(original) != job.put_id:
            raise ConflictError(text("detail.id_mismatch", url_id=job.put_id, record_id=original[:200],
                                     safe=safe_id(original)), field="id")
        original = original or job.put_id
    source_iri = root[1:-1] if root[0] == "<" else None
    record_id = safe_id(original) if original else ""
    iri = f"{job.catalogue_iri}/datasets/{record_id}" if record_id else ""
    base = Prepared(position=position, id=record_id, original_id=original or "", source_iri=source_iri, iri=iri,
                    reason=None, violations=violations, warnings=warnings, infos=infos,
                    report_z=blobs.pack(record_report))
    if not record_id:
        base.reason, base.detail = "no-identifier", "the dataset has no dct:identifier and no IRI"
        return base
    if violations:
        base.reason, base.detail = "violations", f"{violations} violation(s) of the profile"
        return base
    graph = _harmonised(about, root=root, iri=iri, catalogue_iri=job.catalogue_iri, record_id=record_id)
    invalid = next((term for triple in graph for term in triple if term[0] == INVALID), None)
    if invalid is not None:
        base.reason, base.detail = "invalid-iri", f"not an IRI: {invalid[1:201]!r}"
        return base
    own, keys = knowledge.split(graph)
    lines = canonical.canonical_lines(own, salt=f"{job.catalogue_iri}/records/{record_id}")
    base.checksum = canonical.checksum(lines)
    base.doc = blobs.pack("\n".join(lines).encode("utf-8"))
    base.ttl = blobs.pack(ntriples.turtle_chunk(lines))
    base.knowledge = keys
    base.fields = fields_of(own, ntriples.iri(iri), job.text_lang, literals)
    return base


def _texts(about: dict[str, list[StrTriple]], subject: str, predicate: str,
           literals: dict[str, tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    return [literals[o] for _, p, o in about.get(subject, ()) if p == predicate and o in literals]


def _pick(values: list[tuple[str, str | None]], lang: str) -> str:
    for wanted in (lang, "es", "en", None):
        for value, language in values:
            if language == wanted:
                return value
    return values[0][0] if values else ""


def _original_id(about: dict[str, list[StrTriple]], root: str,
                 literals: dict[str, tuple[str, str | None]]) -> str | None:
    """The dataset's identifier in its source: its dct:identifier, else the last segment of its IRI."""
    identifiers = sorted(v.strip() for v, _ in _texts(about, root, IDENTIFIER, literals) if v.strip())
    if identifiers:
        return identifiers[0]
    if root[0] == "<":
        tail = root[1:-1].rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return tail or None
    return None


def _report_id(about: dict[str, list[StrTriple]], node: str, literals: dict[str, tuple[str, str | None]]) -> str:
    found = _texts(about, node, IDENTIFIER, literals)
    return found[0][0] if found else node  # a blank node's report id is its label, "_:..." as written here


def _harmonised(about: dict[str, list[StrTriple]], *, root: str, iri: str, catalogue_iri: str,
                record_id: str) -> list[StrTriple]:
    """The dataset's triples under Puente's IRIs, with the source IRI kept and the catalogue's links.

    The source IRI of the dataset is replaced where it names the dataset (as subject, and as the object of
    properties that point at datasets); elsewhere (a landing page that is the source's own dataset page) it stays."""
    dataset = ntriples.iri(iri)
    distributions = _distribution_iris(about, root=root, iri=iri)
    out: list[StrTriple] = []
    for triples in about.values():
        for subject, predicate, obj in triples:
            if subject == root:
                subject = dataset
            elif subject in distributions:
                subject = distributions[subject]
            if obj == root:
                if predicate in DATASET_LINKS:
                    obj = dataset
            elif predicate == DISTRIBUTION and obj in distributions:
                obj = distributions[obj]
            out.append((subject, predicate, obj))
    if root[0] == "<" and root != dataset:
        identifier = ntriples.iri(f"{iri}#source-identifier")
        out += [(dataset, ADMS_IDENTIFIER, identifier), (identifier, TYPE, ADMS_CLASS),
                (identifier, NOTATION, ntriples.literal(root[1:-1]))]
    catalogue = ntriples.iri(catalogue_iri)
    out += [(catalogue, CATALOGUE_DATASET, dataset),
            (catalogue, CATALOGUE_RECORD, ntriples.iri(f"{catalogue_iri}/records/{record_id}"))]
    return out


def _distribution_iris(about: dict[str, list[StrTriple]], *, root: str, iri: str) -> dict[str, str]:
    """`{dataset}#distribution-{key}` for each of the dataset's distributions (see the module docstring)."""
    distributions = list(dict.fromkeys(o for _, p, o in about.get(root, ()) if p == DISTRIBUTION and o[0] != '"'))
    if not distributions:
        return {}
    props: dict[str, dict[str, list[str]]] = {d: {} for d in distributions}
    for distribution in distributions:
        for _, predicate, obj in about.get(distribution, ()):
            if obj[0] != "_":
                props[distribution].setdefault(predicate, []).append(obj)
    keys: dict[str, str] = {}
    for distribution in distributions:
        found = props[distribution]
        if found.get(IDENTIFIER):
            material = "id " + min(found[IDENTIFIER])
        elif found.get(DOWNLOAD):
            material = "download " + min(found[DOWNLOAD])
        elif found.get(ACCESS):
            material = "access " + " ".join((min(found[ACCESS]), *sorted(found.get(TITLE, [])),
                                            *sorted(found.get(FORMAT, []))))
        elif distribution[0] == "<":
            material = "iri " + distribution
        else:
            material = "content " + _description(found)
        keys[distribution] = material
    counts: dict[str, int] = {}
    for material in keys.values():
        counts[material] = counts.get(material, 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for distribution in distributions:
        material = keys[distribution]
        if counts[material] > 1:  # two distributions share the key: their whole descriptions tell them apart
            material += " " + _description(props[distribution])
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
        twin = 1
        while digest in used:  # identical twins: order of appearance, the last resort
            twin += 1
            digest = hashlib.sha256(f"{material} {twin}".encode()).hexdigest()[:16]
        used.add(digest)
        out[distribution] = ntriples.iri(f"{iri}#distribution-{digest}")
    return out


def _description(found: dict[str, list[str]]) -> str:
    return " ".join(f"{p}={v}" for p in sorted(found) for v in sorted(found[p]))


def fields_of(triples: list[StrTriple], dataset: str, lang: str,
              literals: dict[str, tuple[str, str | None]]) -> Fields:
    """What the index keeps of a record, from its own triples (`dataset`: its N-Triples IRI)."""
    about: dict[str, list[StrTriple]] = {}
    for triple in triples:
        about.setdefault(triple[0], []).append(triple)
    fields = Fields(title=_pick(_texts(about, dataset, TITLE, literals), lang),
                    description=_pick(_texts(about, dataset, DESCRIPTION, literals), lang)[:4000],
                    modified=_pick(_texts(about, dataset, MODIFIED, literals), lang))
    publishers: list[str] = []
    for _, predicate, obj in about.get(dataset, ()):
        if predicate == KEYWORD and obj in literals:
            fields.keywords.append(literals[obj][0])
        elif predicate == THEME and obj[0] == "<":
            fields.themes.append(obj[1:-1])
        elif predicate == PUBLISHER and obj in literals:
            fields.publishers.append(literals[obj][0])
        elif predicate == PUBLISHER:
            publishers.append(obj)
        elif predicate == DISTRIBUTION:
            fields.formats += [o[1:-1] for _, p, o in about.get(obj, ()) if p == FORMAT and o[0] == "<"]
    for agent in publishers:
        name = _pick(_texts(about, agent, NAME, literals), lang)
        fields.publishers.append(name or (agent[1:-1] if agent[0] == "<" else ""))
    fields.keywords = sorted(set(fields.keywords))[:50]
    fields.themes = sorted(set(fields.themes))
    fields.publishers = sorted({p for p in fields.publishers if p})[:5]
    fields.formats = sorted(set(fields.formats))
    return fields

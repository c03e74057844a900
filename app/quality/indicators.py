"""The MQA indicators of one dataset, read from its profile triples: yes, no, or not measured (None).

Dataset indicators read the dataset's own properties. Distribution indicators are read on each distribution,
and the dataset gets those of its best distribution: the one that earns the most points over every distribution
indicator (dct:issued and dct:modified included when the distribution has them), ties going to the first by IRI
(blank nodes last) — piveau's rule, made deterministic. Unmeasured indicators (reachability without link checks)
earn nothing, so they never make a distribution the best.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from app.quality.formats import QualityTables
from app.quality.linkcheck import LinkCheck
from app.quality.metrics import Metrics
from app.rdf.namespaces import DCAT, DCT, FOAF, PUENTE, VCARD

Answer = bool | None  # None: not measured
_RECORD_CLASSES = (DCAT.Dataset, DCAT.DataService, DCAT.Catalog)
# Namespace look-ups build a new term each time: the properties read per dataset, built once.
_ACCESS_URL = DCAT.accessURL
_DOWNLOAD_URL = DCAT.downloadURL
_MEDIA_TYPE = DCAT.mediaType
_FORMAT = DCT["format"]
_LICENSE = DCT.license
_RIGHTS = DCT.rights
_BYTE_SIZE = DCAT.byteSize
_ISSUED = DCT.issued
_MODIFIED = DCT.modified
_DISTRIBUTION = DCAT.distribution
_ACCESS_RIGHTS = DCT.accessRights
_KEYWORD = DCAT.keyword
_THEME = DCAT.theme
_SPATIAL = DCT.spatial
_TEMPORAL = DCT.temporal
_CONTACT_POINT = DCAT.contactPoint
_PUBLISHER = DCT.publisher
_FOAF_NAME = FOAF.name
_VCARD_FN = VCARD.fn
_DATA_MODIFIED = PUENTE.dataModified
_TYPE = RDF.type


class RecordIndex:
    """Subject → property → objects over a list of triples (one record, or a whole input)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self.by_subject: dict[Node, dict[Node, list[Node]]] = {}
        for subject, predicate, obj in triples:
            self.by_subject.setdefault(subject, {}).setdefault(predicate, []).append(obj)

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        return self.by_subject.get(subject, {}).get(predicate, [])

    def has(self, subject: Node, predicate: URIRef) -> bool:
        return bool(self.objects(subject, predicate))

    def of_type(self, cls: URIRef) -> list[Node]:
        return [s for s, props in self.by_subject.items() if cls in props.get(_TYPE, ())]

    def records(self) -> set[Node]:
        return {s for s, props in self.by_subject.items() if any(c in props.get(_TYPE, ()) for c in _RECORD_CLASSES)}

    def reach(self, root: Node, *, stop: set[Node]) -> set[Node]:
        """The nodes a record's description reaches (its distributions, agents...), without passing through the
        nodes of `stop` (the other records; the root itself may be one of them)."""
        seen = {root}
        queue = [root]
        while queue:
            node = queue.pop()
            for objects in self.by_subject.get(node, {}).values():
                for obj in objects:
                    if not isinstance(obj, Literal) and obj not in seen and obj not in stop:
                        seen.add(obj)
                        queue.append(obj)
        return seen

    def text(self, subject: Node, predicate: URIRef, lang: str) -> str | None:
        values = [v for v in self.objects(subject, predicate) if isinstance(v, Literal)]
        for wanted in (lang, "es", "en", None):
            for value in values:
                if value.language == wanted:
                    return str(value)
        return str(values[0]) if values else None


@dataclass(frozen=True)
class DistributionAnswers:
    node: Node
    answers: dict[str, Answer]
    points: int


@dataclass(frozen=True)
class DatasetAnswers:
    """Every indicator's answer for one dataset, and the distribution that gave the distribution ones."""

    answers: dict[str, Answer]
    best: Node | None


def _reachable(urls: list[Node], links: Mapping[str, LinkCheck] | None) -> Answer:
    if not urls:
        return False
    if links is None:
        return None
    checks = [links.get(str(url)) for url in urls]
    if any(c is not None and c.reachable for c in checks):
        return True
    return False if all(c is not None for c in checks) else None


def distribution_answers(index: RecordIndex, node: Node, *, tables: QualityTables,
                         links: Mapping[str, LinkCheck] | None) -> dict[str, Answer]:
    """The distribution indicators of one distribution."""
    formats = index.objects(node, _FORMAT)
    media = index.objects(node, _MEDIA_TYPE)
    kinds = tables.kinds(formats, media)
    return {
        "access_url_reachable": _reachable(index.objects(node, _ACCESS_URL), links),
        "download_url": index.has(node, _DOWNLOAD_URL),
        "download_url_reachable": _reachable(index.objects(node, _DOWNLOAD_URL), links),
        "format": bool(formats),
        "media_type": bool(media),
        "format_vocabulary": any(f in tables.file_types for f in formats) and any(m in tables.media_types
                                                                                  for m in media),
        "non_proprietary": bool(kinds & tables.non_proprietary),
        "machine_readable": bool(kinds & tables.machine_readable),
        "licence": index.has(node, _LICENSE),
        "licence_vocabulary": any(v in tables.licences for v in index.objects(node, _LICENSE)),
        "rights": index.has(node, _RIGHTS),
        "byte_size": index.has(node, _BYTE_SIZE),
        "issued": index.has(node, _ISSUED),
        "modified": index.has(node, _MODIFIED),
    }


def _order(node: Node) -> tuple[bool, str]:
    return isinstance(node, BNode), str(node)


def dataset_answers(index: RecordIndex, dataset: Node, *, metrics: Metrics, tables: QualityTables,
                    compliant: bool, links: Mapping[str, LinkCheck] | None) -> DatasetAnswers:
    """Every indicator of a dataset; `compliant`: Puente's validation found no violation in its description."""
    points = {i.key: i.points for i in metrics.indicators}
    candidates = []
    for node in sorted(set(index.objects(dataset, _DISTRIBUTION)), key=_order):
        own = distribution_answers(index, node, tables=tables, links=links)
        candidates.append(DistributionAnswers(node, own, sum(points[k] for k, v in own.items() if v)))
    best = max(candidates, key=lambda c: c.points, default=None)  # max keeps the first of equals
    from_best = best.answers if best is not None else {}
    access_rights = index.objects(dataset, _ACCESS_RIGHTS)
    answers: dict[str, Answer] = {
        "keyword": index.has(dataset, _KEYWORD),
        "theme": index.has(dataset, _THEME),
        "spatial": index.has(dataset, _SPATIAL),
        "temporal": index.has(dataset, _TEMPORAL),
        "dcat_ap_compliance": compliant,
        "access_rights": bool(access_rights),
        "access_rights_vocabulary": any(v in tables.access_rights for v in access_rights),
        "contact_point": index.has(dataset, _CONTACT_POINT),
        "publisher": index.has(dataset, _PUBLISHER),
    }
    for indicator in metrics.indicators:
        if indicator.level == "distribution":
            answers[indicator.key] = from_best.get(indicator.key, False)
        elif indicator.level == "dataset-or-distribution":
            answers[indicator.key] = index.has(dataset, _DATES[indicator.key]) or bool(from_best.get(indicator.key))
    return DatasetAnswers(answers={i.key: answers[i.key] for i in metrics.indicators},
                          best=best.node if best is not None else None)


_DATES = {"issued": _ISSUED, "modified": _MODIFIED}


def publisher_name(index: RecordIndex, dataset: Node, *, lang: str) -> str | None:
    """The publisher's name (foaf:name, else vcard:fn), else its IRI (datos.gob.es DIR3 bodies carry no name)."""
    for agent in index.objects(dataset, _PUBLISHER):
        name = index.text(agent, _FOAF_NAME, lang) or index.text(agent, _VCARD_FN, lang)
        if name:
            return name
        if isinstance(agent, URIRef):
            return str(agent)
    return None


def last_change(index: RecordIndex, dataset: Node) -> list[Node]:
    """The dates freshness reads: the data's last change (puente:dataModified, a proposed property) when the
    record has one, else every dct:modified of the dataset and its distributions (the latest wins)."""
    data = index.objects(dataset, _DATA_MODIFIED)
    if data:
        return data
    found = list(index.objects(dataset, _MODIFIED))
    for distribution in index.objects(dataset, _DISTRIBUTION):
        found += index.objects(distribution, _MODIFIED)
    return found

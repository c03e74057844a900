"""Named normalisation steps for RDF sources (Spain: DCAT-AP-ES 1.0 and NTI-RISP 2013).

Spanish records are DCAT already; what differs is how values are written (docs/reference/national-formats.md §4.6).
Each step rewrites one habit into the profile's form and reports what it could not resolve.
mappings/es/steps.yaml lists the steps that run, in order, with a note for reviewers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from app.crosswalk.lookups import EU, Lookups
from app.crosswalk.transforms import Context, file_format, frequency, language, licence, media_type
from app.findings import Finding, Problem, Severity
from app.rdf.namespaces import DC, DCAT, DCT, FOAF, TIME
from app.rdf.triple_index import TripleIndex

ORGANISMO = re.compile(r"^https?://datos\.gob\.es/recurso/sector-publico/org/Organismo/([A-Z][A-Z0-9]{8})$")
TERRITORIO = "http://datos.gob.es/recurso/sector-publico/territorio/"
ES_PLACES = "https://w3id.org/puente/place/es"
SECTORS = "http://datos.gob.es/kos/sector-publico/sector"


@dataclass
class StepResult:
    problems: list[Finding] = field(default_factory=list)


Step = Callable[[TripleIndex, Lookups], StepResult]


def _ctx(lookups: Lookups) -> Context:
    return Context(lookups=lookups, lang="es", args={})


def language_literals(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """dc:language / dct:language literals ("es", "ga") → dct:language EU IRIs."""
    result = StepResult()
    for predicate, shown in ((DC.language, "dc:language"), (DCT.language, "dct:language")):
        for subject, value in list(graph.subject_objects(predicate)):
            if not isinstance(value, Literal):
                continue
            emitted = language(str(value), _ctx(lookups))
            graph.remove((subject, predicate, value))
            for term in emitted.terms:
                graph.add((subject, DCT.language, term))
            result.problems += [p.at(focus=subject, target=DCT.language, source_field=shown) for p in emitted.problems]
    return result


_URL_PROPERTIES = ((DCAT.accessURL, "dcat:accessURL"), (DCAT.downloadURL, "dcat:downloadURL"),
                   (DCAT.landingPage, "dcat:landingPage"), (FOAF.homepage, "foaf:homepage"))


def literal_urls(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """Web addresses written as text (often typed xsd:anyURI) → IRIs."""
    for predicate, _ in _URL_PROPERTIES:
        for subject, value in list(graph.subject_objects(predicate)):
            if isinstance(value, Literal) and re.match(r"^https?://\S+$", str(value).strip()):
                graph.remove((subject, predicate, value))
                graph.add((subject, predicate, URIRef(str(value).strip().replace(" ", "%20"))))
    return StepResult()


def imt_formats(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """dct:format [a dct:IMT; rdf:value "text/csv"; rdfs:label "CSV"] → EU file type + IANA media type."""
    result = StepResult()
    ctx = _ctx(lookups)
    for distribution, node in list(graph.subject_objects(DCT["format"])):
        described = (node, RDF.value, None) in graph or (node, RDFS.label, None) in graph
        if (node, RDF.type, DCT.IMT) not in graph and not (isinstance(node, BNode) and described):
            continue
        label = graph.value(node, RDFS.label)
        mime = graph.value(node, RDF.value)
        graph.remove((distribution, DCT["format"], node))
        for triple in list(graph.triples((node, None, None))):
            graph.remove(triple)
        chosen = file_format(str(label), ctx) if label is not None else None
        if (chosen is None or not chosen.terms) and mime is not None:
            chosen = file_format(str(mime), ctx)
        if chosen is not None:
            for term in chosen.terms:
                graph.add((distribution, DCT["format"], term))
            result.problems += [p.at(focus=distribution, target=DCT["format"], source_field="dct:format/rdfs:label")
                                for p in chosen.problems]
        if mime is not None and (distribution, DCAT.mediaType, None) not in graph:
            media = media_type(str(mime), ctx)
            for term in media.terms:
                graph.add((distribution, DCAT.mediaType, term))
            result.problems += [p.at(focus=distribution, target=DCAT.mediaType, source_field="dct:format/rdf:value")
                                for p in media.problems]
    return result


def dir3_publishers(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """DIR3 publisher IRIs (datos.gob.es Organismo/…) → foaf:Agent with its DIR3 code and name."""
    for predicate in (DCT.publisher, DCT.creator):
        for agent in set(graph.objects(None, predicate)):
            match = ORGANISMO.match(str(agent)) if isinstance(agent, URIRef) else None
            if match is None:
                continue
            graph.add((agent, RDF.type, FOAF.Agent))
            if (agent, DCT.identifier, None) not in graph:
                graph.add((agent, DCT.identifier, Literal(str(graph.value(agent, SKOS.notation) or match.group(1)))))
            if (agent, FOAF.name, None) not in graph:
                for label in graph.objects(agent, SKOS.prefLabel):
                    if isinstance(label, Literal):
                        graph.add((agent, FOAF.name, Literal(str(label), lang=label.language or "es")))
    return StepResult()


_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
                       r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_UNITS = ("Y", "M", "W", "D", "H", "MIN", "S")


def _canonical_duration(parts: dict[str, float]) -> str | None:
    """The one-unit ISO 8601 form ("P3M", "PT1H") when exactly one unit is set, else None."""
    nonzero = {u: v for u, v in parts.items() if v}
    if len(nonzero) != 1:
        return None
    unit, value = next(iter(nonzero.items()))
    if value != int(value):
        return None
    number = int(value)
    return {"H": f"PT{number}H", "MIN": f"PT{number}M", "S": f"PT{number}S"}.get(unit, f"P{number}{unit}")


def _duration_of(graph: TripleIndex, value: Node) -> str | None:
    if isinstance(value, Literal):
        match = _DURATION.match(str(value).strip().upper())
        if match is None:
            return None
        return _canonical_duration({u: float(g) if g else 0.0 for u, g in zip(_UNITS, match.groups(), strict=True)})
    fields = {"Y": TIME.years, "M": TIME.months, "W": TIME.weeks, "D": TIME.days, "H": TIME.hours,
              "MIN": TIME.minutes, "S": TIME.seconds}
    parts: dict[str, float] = {}
    for unit, predicate in fields.items():
        amount = graph.value(value, predicate)
        if amount is not None:
            try:
                parts[unit] = float(str(amount))
            except ValueError:
                return None
    return _canonical_duration(parts)


def frequencies(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """dct:Frequency nodes holding a time:DurationDescription or an xsd:duration → EU frequency IRI."""
    result = StepResult()
    ctx = _ctx(lookups)
    for dataset, node in list(graph.subject_objects(DCT.accrualPeriodicity)):
        if isinstance(node, URIRef) and str(node).startswith(f"{EU}frequency/"):
            continue
        value = graph.value(node, RDF.value) if not isinstance(node, Literal) else node
        label = graph.value(node, RDFS.label) if not isinstance(node, Literal) else None
        duration = _duration_of(graph, value) if value is not None else None
        candidates = [c for c in (duration, str(label) if label is not None else None) if c]
        found: URIRef | None = None
        for candidate in candidates:
            emitted = frequency(candidate, ctx)
            if emitted.terms and isinstance(emitted.terms[0], URIRef):
                found = emitted.terms[0]
                break
        if found is None:
            shown = candidates[0] if candidates else str(node)
            unknown = Problem("unknown-value", Severity.WARNING, shown,
                              tuple(lookups.index(f"{EU}frequency").suggestions(shown)))
            result.problems.append(unknown.at(focus=dataset, target=DCT.accrualPeriodicity,
                                              source_field="dct:accrualPeriodicity"))
            continue
        graph.remove((dataset, DCT.accrualPeriodicity, node))
        graph.add((dataset, DCT.accrualPeriodicity, found))
        if not isinstance(node, Literal) and not any(True for _ in graph.subjects(None, node)):
            for triple in list(graph.triples((node, None, None))):
                graph.remove(triple)
            if isinstance(value, (BNode, URIRef)) and not any(True for _ in graph.subjects(None, value)):
                for triple in list(graph.triples((value, None, None))):
                    graph.remove(triple)
    return result


def temporal_instants(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """NTI-RISP periods (time:hasBeginning/hasEnd + time:inXSDDateTime) → dcat:startDate / dcat:endDate."""
    for period in set(graph.objects(None, DCT.temporal)):
        for link, target in ((TIME.hasBeginning, DCAT.startDate), (TIME.hasEnd, DCAT.endDate)):
            instant = graph.value(period, link)
            if instant is None or (period, target, None) in graph:
                continue
            moment = graph.value(instant, TIME.inXSDDateTime) or graph.value(instant, TIME.inXSDDate)
            if isinstance(moment, Literal):
                graph.add((period, target, moment))
        if (period, DCAT.startDate, None) in graph or (period, DCAT.endDate, None) in graph:
            graph.add((period, RDF.type, DCT.PeriodOfTime))
    return StepResult()


def dataset_licences(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """NTI-RISP puts dct:license on the dataset; DCAT-AP on each distribution: copy it down."""
    for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
        licences = [lic for lic in graph.objects(dataset, DCT.license) if not isinstance(lic, Literal)]
        if not licences:
            continue
        for distribution in graph.objects(dataset, DCAT.distribution):
            if (distribution, DCT.license, None) not in graph:
                for licence in licences:
                    graph.add((distribution, DCT.license, licence))
    return StepResult()


def territories(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """datos.gob.es territory IRIs written in another case (…/autonomia/pais-vasco) → the canonical IRI;
    Spain's EU country IRI added beside any Spanish territory."""
    index = lookups.index(ES_PLACES)
    canonical = {str(c).lower(): c for c in index.shown}
    spain = URIRef(f"{EU}country/ESP")
    result = StepResult()
    for subject, place in list(graph.subject_objects(DCT.spatial)):
        if not isinstance(place, URIRef) or not str(place).lower().startswith(TERRITORIO.lower()):
            continue
        if str(place).lower().endswith("/pais/españa") or str(place).lower().endswith("/pais/espana"):
            graph.remove((subject, DCT.spatial, place))
            graph.add((subject, DCT.spatial, spain))
            continue
        fixed = canonical.get(str(place).lower())
        if fixed is not None and fixed != place:
            graph.remove((subject, DCT.spatial, place))
            graph.add((subject, DCT.spatial, fixed))
        graph.add((subject, DCT.spatial, spain))
    return result


def sector_themes(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """Spain's NTI sectors are kept and the EU data theme they align to is added (Conventions, Annex 1)."""
    for dataset, theme in list(graph.subject_objects(DCAT.theme)):
        if isinstance(theme, URIRef) and str(theme).startswith(SECTORS + "/"):
            for match in lookups.matches(theme):
                graph.add((dataset, DCAT.theme, match))
    return StepResult()


def date_types(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """Dates typed xsd:date whose text is a date-time (real Euskadi records) → typed by their lexical form."""
    xsd_date, xsd_decimal = XSD.date, XSD.decimal
    for subject, predicate, value in list(graph.triples((None, None, None))):  # list(graph) would count it first
        if not isinstance(value, Literal) or value.datatype is None:
            continue
        if value.datatype == xsd_date and "T" in str(value):
            graph.remove((subject, predicate, value))
            graph.add((subject, predicate, Literal(str(value), datatype=XSD.dateTime)))
        elif value.datatype == xsd_decimal and predicate == DCAT.byteSize:
            text = str(value)
            if re.fullmatch(r"\d+(\.0+)?", text):
                graph.remove((subject, predicate, value))
                graph.add((subject, predicate, Literal(text.split(".")[0], datatype=XSD.nonNegativeInteger)))
    return StepResult()


def licences(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """Licence URLs the EU table knows (Creative Commons, ODC...) → the EU licence IRI; others are kept,
    described as licence documents, and reported so the operator can choose a shared one."""
    result = StepResult()
    ctx = _ctx(lookups)
    for subject, value in list(graph.subject_objects(DCT.license)):
        if not isinstance(value, URIRef) or str(value).startswith(f"{EU}licence/"):
            continue
        emitted = licence(str(value), ctx)
        replacement = next((t for t in emitted.terms if isinstance(t, URIRef)), None)
        if replacement is not None and replacement != value:
            graph.remove((subject, DCT.license, value))
            graph.add((subject, DCT.license, replacement))
        else:
            graph.add((value, RDF.type, DCT.LicenseDocument))
        result.problems += [p.at(focus=subject, target=DCT.license, source_field="dct:license")
                            for p in emitted.problems]
    return result


def distribution_types(graph: TripleIndex, lookups: Lookups) -> StepResult:
    """Objects of dcat:distribution are distributions (its RDFS range), typed or not in the record."""
    for distribution in set(graph.objects(None, DCAT.distribution)):
        if not isinstance(distribution, Literal):
            graph.add((distribution, RDF.type, DCAT.Distribution))
    return StepResult()


STEPS: dict[str, Step] = {
    "licences": licences,
    "distribution_types": distribution_types,
    "language_literals": language_literals,
    "literal_urls": literal_urls,
    "imt_formats": imt_formats,
    "dir3_publishers": dir3_publishers,
    "frequencies": frequencies,
    "temporal_instants": temporal_instants,
    "dataset_licences": dataset_licences,
    "territories": territories,
    "sector_themes": sector_themes,
    "date_types": date_types,
}

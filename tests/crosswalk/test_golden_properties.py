"""What every golden case must show, whatever its source (issue 13, "Done when"): every result names the field to
fix or says the format has none, one finding per record, property and node, no blank-node label people would see,
no link under Puente's own address, no country or language a generic record did not state, no HTML left in texts."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from app.cli import Style, _print_text
from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.report import report_csv
from app.pipeline.report_models import ValidationReport
from app.pipeline.run import Outcome, Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from tests.conftest import CASES

MEDIA = {".json": "application/json", ".ttl": "text/turtle", ".rdf": "application/rdf+xml",
         ".jsonld": "application/ld+json", ".nt": "application/n-triples"}
ALL_CASES = sorted(p for p in CASES.glob("*/*") if p.is_dir() and any(f.stem == "input" for f in p.iterdir()))
IDS = [f"{c.parent.name}/{c.name}" for c in ALL_CASES]
JSON_SOURCES = ("ckan", "socrata", "datajson", "co", "cl", "mx")
GENERIC = ("ckan", "socrata", "datajson", "dcat")
BLANK_LABEL = re.compile(r"_:[A-Za-z0-9]{4,}")
HTML_TAG = re.compile(r"</?(?:p|div|br|span|b|i|a|ul|ol|li|strong|em|table|tr|td|h[1-6])\b[^<>]*>", re.I)
LINKS = ("http://www.w3.org/ns/dcat#accessURL", "http://www.w3.org/ns/dcat#downloadURL",
         "http://www.w3.org/ns/dcat#landingPage", "http://www.w3.org/ns/dcat#endpointURL",
         "http://xmlns.com/foaf/0.1/page", "http://xmlns.com/foaf/0.1/homepage")


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


def _input(case: Path) -> tuple[bytes, str]:
    path = next(p for p in sorted(case.iterdir()) if p.stem == "input")
    return path.read_bytes(), MEDIA[path.suffix]


_OUTCOMES: dict[tuple[Path, str | None], Outcome] = {}


def _outcome(pipeline: Pipeline, case: Path, origin: str | None = None) -> Outcome:
    key = (case, origin)
    if key not in _OUTCOMES:
        body, media_type = _input(case)
        _OUTCOMES[key] = pipeline.validate(body, media_type=media_type, source=case.parent.name, origin=origin)
    return _OUTCOMES[key]


def _report(pipeline: Pipeline, case: Path, lang: str = "en") -> ValidationReport:
    return _outcome(pipeline, case).report(profile=pipeline.profile, lang=lang)


@pytest.mark.parametrize("case", ALL_CASES, ids=IDS)
def test_every_result_names_a_field_or_a_gap(case: Path, pipeline: Pipeline) -> None:
    """A result names the field of the input to fix, or says the format has none (and its message says how to
    supply the value anyway)."""
    for record in _report(pipeline, case)["records"]:
        for result in record["results"]:
            assert bool(result["source_field"]) != result["source_gap"], (record["id"], result)
            if result["source_gap"]:
                assert len(result["message"]) > 40, result  # the way to give the value is in the message


@pytest.mark.parametrize("case", ALL_CASES, ids=IDS)
def test_one_finding_per_record_property_and_node(case: Path, pipeline: Pipeline) -> None:
    for record in _report(pipeline, case)["records"]:
        keys = [(result["path"], result["focus"]) for result in record["results"]]
        assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


@pytest.mark.parametrize("case", ALL_CASES, ids=IDS)
def test_people_never_see_a_blank_node_label(case: Path, pipeline: Pipeline, client: TestClient) -> None:
    """Not on the page, not in the text of the command line, not in the CSV: elements are named ("contact point",
    "distribution 2: SODA API (JSON)")."""
    report = _report(pipeline, case, lang="es")
    text = io.StringIO()
    _print_text(report, lang="es", style=Style(text, enabled=False), out=text)
    assert not BLANK_LABEL.search(text.getvalue()), BLANK_LABEL.findall(text.getvalue())[:3]
    sheet = report_csv(report)
    assert not BLANK_LABEL.search(sheet), BLANK_LABEL.findall(sheet)[:3]
    body, _ = _input(case)
    response = client.post("/", data={"content": body.decode("utf-8"), "source": case.parent.name, "ui_lang": "es"},
                           files={"upload": (f"input{next(p for p in case.iterdir() if p.stem == 'input').suffix}",
                                             body, "application/octet-stream")}, follow_redirects=True)
    assert response.status_code == 200 and 'id="results"' in response.text
    shown = re.sub(r"<textarea.*?</textarea>", "", response.text, flags=re.S)  # the input as pasted is not output
    assert not BLANK_LABEL.search(shown), BLANK_LABEL.findall(shown)[:3]
    for record in report["records"]:
        for result in record["results"]:
            if result["focus"].startswith("_:"):
                assert result["element"], result  # a node without a name is named by what it is


@pytest.mark.parametrize("origin", [None, "https://data.example.org"])
@pytest.mark.parametrize("case", ALL_CASES, ids=IDS)
def test_no_link_under_puentes_own_address(case: Path, origin: str | None, pipeline: Pipeline) -> None:
    base = Settings().base_url.rstrip("/")
    graph = _outcome(pipeline, case, origin).mapped.graph
    for predicate in LINKS:
        for subject, obj in graph.subject_objects(URIRef(predicate)):
            assert not str(obj).startswith(base), (subject, predicate, obj)


def _stated(text: str) -> set[str]:
    """Language tags a document states: two-letter codes it writes, and the three-letter ones it names."""
    three = {"spa": "es", "eng": "en", "por": "pt", "cat": "ca", "fra": "fr"}
    words = set(re.findall(r"\b[a-z]{2,3}\b", text))
    return {w for w in words if len(w) == 2} | {three[w] for w in words if w in three}


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.parent.name in GENERIC],
                         ids=[i for c, i in zip(ALL_CASES, IDS, strict=True) if c.parent.name in GENERIC])
def test_a_generic_record_gets_no_country_or_language_it_did_not_state(case: Path, pipeline: Pipeline) -> None:
    body, _ = _input(case)
    text = body.decode("utf-8")
    graph = _outcome(pipeline, case).mapped.graph
    for obj in graph.objects(None, URIRef("http://purl.org/dc/terms/spatial")):
        if str(obj).startswith("http://publications.europa.eu/resource/authority/country/"):
            assert str(obj).rsplit("/", 1)[-1] in text, obj
    stated = _stated(text)
    provenance = _outcome(pipeline, case).mapped.provenance
    for triple in graph:
        obj = triple[2]
        if isinstance(obj, Literal) and obj.language and provenance.get(triple) != "(constante)":
            assert obj.language.split("-")[0] in stated, (obj, obj.language)  # texts Puente writes are in es/en/pt


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.parent.name in JSON_SOURCES],
                         ids=[i for c, i in zip(ALL_CASES, IDS, strict=True) if c.parent.name in JSON_SOURCES])
def test_html_is_turned_into_text(case: Path, pipeline: Pipeline) -> None:
    for obj in _outcome(pipeline, case).mapped.graph.objects():
        if isinstance(obj, Literal):
            assert not HTML_TAG.search(str(obj)), str(obj)[:200]


# ------------------------------------------------------------------------------------------- each field's home

D, DCT, DCAT, FOAF = "dcat:Dataset", "http://purl.org/dc/terms/", "http://www.w3.org/ns/dcat#", "http://xmlns.com/foaf/0.1/"
PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX locn: <http://www.w3.org/ns/locn#> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX spdx: <http://spdx.org/rdf/terms#> PREFIX dcatap: <http://data.europa.eu/r5r/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX gsp: <http://www.opengis.net/ont/geosparql#> PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX freq: <http://publications.europa.eu/resource/authority/frequency/>
PREFIX theme: <http://publications.europa.eu/resource/authority/data-theme/>
"""
CHICAGO = "https://data.cityofchicago.org"
# (case, origin, what the issue asks for, an ASK pattern over the mapped graph)
HOMES: list[tuple[str, str | None, str, str]] = [
    ("socrata/map-layers", None, "Metadata.Frequency sentence → EU frequency", "?d dct:accrualPeriodicity freq:WEEKLY"),
    ("socrata/chicago-crimes-map", None, "Frequency 'updated daily, Tuesday through Sunday' → DAILY",
     "?d dct:accrualPeriodicity freq:DAILY"),
    ("socrata/chicago-views", None, "Frequency 'as needed' → IRREG", "?d dct:accrualPeriodicity freq:IRREG"),
    ("socrata/map-layers", None, "Time Period → dct:temporal",
     "?d dct:temporal [ dcat:startDate ?s ] FILTER(str(?s) = '2011-06')"),
    ("socrata/map-layers", None, "Data Owner → dct:creator",
     "?d dct:creator [ foaf:name ?n ] FILTER(str(?n) = 'Parks Department')"),
    ("socrata/chicago-crimes-map", None, "attributionLink → publisher foaf:homepage",
     "?d dct:publisher [ foaf:homepage <http://www.chicagopolice.org/> ]"),
    ("socrata/chicago-crimes-map", None, "category kept as a portal concept",
     "?d dcat:theme ?c . ?c a skos:Concept ; skos:prefLabel ?l FILTER(str(?l) = 'Public Safety')"),
    ("socrata/map-layers", None, "metadata.geo.bbox → dcat:bbox",
     "?d dct:spatial [ dcat:bbox ?b ] FILTER(datatype(?b) = gsp:wktLiteral)"),
    ("socrata/map-layers", "https://data.example-city.gov", "metadata.geo.owsUrl → a data service",
     "?d dcat:distribution [ dcat:accessService"
     " [ dcat:endpointURL <https://data.example-city.gov/api/geospatial/d6ra-3b5t> ] ]"),
    ("socrata/map-layers", None, "childViews → dct:hasPart",
     "?d dct:hasPart ?p FILTER(strends(str(?p), '/k8m2-p4x7'))"),
    ("socrata/filtered-view", None, "a filtered view's parent → prov:wasDerivedFrom",
     "?d prov:wasDerivedFrom ?p FILTER(strends(str(?p), '/ydr8-5enu'))"),
    ("socrata/file-view", "https://data.example-city.gov", "a file view's download is the file itself",
     "?d dcat:distribution [ dcat:downloadURL ?u ; dcat:byteSize ?s ; dcat:mediaType "
     "<https://www.iana.org/assignments/media-types/application/zip> ] FILTER(contains(str(?u), '/files/'))"),
    ("socrata/chicago-views", CHICAGO, "tabular views get the portal's own exports",
     f"?d dcat:distribution [ dcat:downloadURL <{CHICAGO}/api/views/z8bn-74gv/rows.csv?accessType=DOWNLOAD> ]"),
    ("socrata/chicago-views", CHICAGO, "attachments are distributions",
     "?d dcat:distribution [ dcat:downloadURL ?u ] FILTER(contains(str(?u), 'police_stations_poly.zip'))"),
    ("socrata/chicago-crimes-map", None, "issued never after modified (createdAt when publicationDate is later)",
     "?d dct:issued ?i ; dct:modified ?m FILTER(str(?i) <= str(?m) && strstarts(str(?i), '2011-09-30'))"),
    ("ckan/latam-extras", None, "Portuguese extra 'Frequência de atualização: Anual' → ANNUAL",
     "?d dct:accrualPeriodicity freq:ANNUAL"),
    ("ckan/latam-extras", None, "spatial GeoJSON → locn:geometry",
     "?d dct:spatial [ locn:geometry ?g ] FILTER(datatype(?g) = gsp:geoJSONLiteral)"),
    ("ckan/latam-extras", None, "author without organisation → dct:creator",
     "?d dct:creator [ foaf:name ?n ] FILTER(str(?n) = 'Laboratório de Hidrologia')"),
    ("ckan/latam-extras", None, "legacy dcat_issued → dct:issued, never metadata_created",
     "?d dct:issued ?i FILTER(str(?i) = '2019-07-01')"),
    ("ckan/latam-extras", None, "legacy dcat_publisher_name → publisher",
     "?d dct:publisher [ foaf:name ?n ] FILTER(str(?n) = 'Secretaria do Meio Ambiente')"),
    ("ckan/latam-extras", None, "resources' hash → spdx:checksum",
     "?d dcat:distribution [ spdx:checksum [ spdx:checksumValue ?v ; spdx:algorithm ?a ] ]"),
    ("ckan/multilingual", None, "title_translated keeps every language",
     "?d dct:title ?en, ?ca, ?es FILTER(lang(?en) = 'en' && lang(?ca) = 'ca' && lang(?es) = 'es')"),
    ("ckan/multilingual", None, "notes_translated keeps every language",
     "?d dct:description ?ca FILTER(lang(?ca) = 'ca')"),
    ("ckan/multilingual", None, "version_notes → adms:versionNotes", "?d adms:versionNotes ?n FILTER(lang(?n) = 'es')"),
    ("ckan/multilingual", None, "documentation → foaf:page", "?d foaf:page <https://example.org/some-doc.html>"),
    ("ckan/dcat-ap-scheming", None, "version → dcat:version", "?d dcat:version ?v FILTER(str(?v) = '1.0b')"),
    ("ckan/dcat-ap-scheming", None, "conforms_to → dct:conformsTo", "?d dct:conformsTo [ dct:title ?t ]"),
    ("ckan/dcat-ap-scheming", None, "access_rights → dct:accessRights",
     "?d dct:accessRights [ a dct:RightsStatement ]"),
    ("ckan/dcat-ap-scheming", None, "creator → dct:creator",
     "?d dct:creator [ foaf:name ?n ] FILTER(str(?n) = 'Test Creator')"),
    ("ckan/dcat-ap-scheming", None, "spatial_coverage → a place with its geometry",
     "?d dct:spatial [ locn:geometry ?g ; dcat:bbox ?b ]"),
    ("ckan/dcat-ap-scheming", None, "temporal_resolution → dcat:temporalResolution",
     "?d dcat:temporalResolution ?r FILTER(datatype(?r) = xsd:duration)"),
    ("ckan/dcat-ap-scheming", None, "applicable_legislation → dcatap:applicableLegislation",
     "?d dcatap:applicableLegislation <http://data.europa.eu/eli/reg_impl/2023/138/oj>"),
    ("ckan/dcat-ap-scheming", None, "resources' status → adms:status",
     "?d dcat:distribution [ adms:status <http://purl.org/adms/status/Completed> ]"),
    ("ckan/dcat-ap-scheming", None, "resources' availability → dcatap:availability",
     "?d dcat:distribution [ dcatap:availability ?a ]"),
    ("ckan/dcat-ap-scheming", None, "resources' access_services → dcat:accessService",
     "?d dcat:distribution [ dcat:accessService [ dcat:endpointURL <https://example.org/access_service/1> ] ]"),
    ("datajson/ar-pydatajson-full-data", None, "superTheme → EU data theme", "?d dcat:theme theme:ECON"),
    ("datajson/ar-pydatajson-full-data", None, "distributions' issued and modified",
     "?d dcat:distribution [ dct:issued ?i ; dct:modified ?m ]"),
    ("datajson/ar-pydatajson-full-data", None, "rights → dct:rights",
     "?d dcat:distribution [ dct:rights [ a dct:RightsStatement ] ]"),
    ("datajson/arcgis-hub-style", None, "spatial as a bounding box → dcat:bbox", "?d dct:spatial [ dcat:bbox ?b ]"),
    ("datajson/arcgis-hub-style", None, "HTML descriptions turned into text",
     "?d dct:description ?t FILTER(str(?t) = 'Existing and planned bike lanes of the city.\\n\\nUpdated by the "
     "Department of Transportation.')"),
    ("datajson/pod-extras", None, "webService → a data service",
     "?d dcat:distribution [ dcat:accessService"
     " [ dcat:endpointURL <https://apis.estadistica.example.gob/series/api/> ] ]"),
    ("datajson/pod-extras", None, "references → foaf:page",
     "?d foaf:page <https://www.estadistica.example.gob/ipc/metodologia.pdf>"),
    ("datajson/pod-extras", None, "describedBy → dct:conformsTo",
     "?d dcat:distribution [ dct:conformsTo <https://www.estadistica.example.gob/ipc/serie-mensual-campos.json> ]"),
    ("datajson/pod-extras", None, "isPartOf → dct:isPartOf",
     "?d dct:isPartOf ?p FILTER(strends(str(?p), '/estadisticas-precios'))"),
    ("datajson/pod-extras", None, "spatial as [W, S, E, N] → dcat:bbox", "?d dct:spatial [ dcat:bbox ?b ]"),
    ("datajson/pod-extras", None, "'eventual' → IRREG", "?d dct:accrualPeriodicity freq:IRREG"),
]


@pytest.mark.parametrize("case,origin,what,pattern", HOMES, ids=[h[2] for h in HOMES])
def test_each_field_reaches_its_dcat_ap_home(case: str, origin: str | None, what: str, pattern: str,
                                             pipeline: Pipeline) -> None:
    graph: Graph = _outcome(pipeline, CASES / case, origin).mapped.graph
    assert graph.query(f"{PREFIXES} ASK {{ ?d a dcat:Dataset . {pattern} }}").askAnswer, what


def test_a_file_view_gets_no_table_exports(pipeline: Pipeline) -> None:
    graph = _outcome(pipeline, CASES / "socrata" / "file-view", "https://data.example-city.gov").mapped.graph
    urls = [str(u) for u in graph.objects(None, URIRef(DCAT + "downloadURL"))]
    assert urls and not any("rows.csv" in u or "rows.json" in u for u in urls)


def test_without_the_portals_address_the_links_are_left_out_and_said(pipeline: Pipeline) -> None:
    outcome = _outcome(pipeline, CASES / "socrata" / "views-2646-ez2p")
    assert not list(outcome.mapped.graph.objects(None, URIRef(DCAT + "distribution")))
    report = outcome.report(profile=pipeline.profile, lang="en")
    gaps = [r for rec in report["records"] for r in rec["results"] if r["constraint"] == "puente:NoOrigin"]
    assert gaps and all(r["source_gap"] and "?origin=" in r["message"] for r in gaps)
    with_origin = _outcome(pipeline, CASES / "socrata" / "views-2646-ez2p", "https://soda.demo.socrata.com")
    urls = {str(u) for u in with_origin.mapped.graph.objects(None, URIRef(DCAT + "accessURL"))}
    assert "https://soda.demo.socrata.com/api/views/2646-ez2p/rows.csv?accessType=DOWNLOAD" in urls


def test_multilingual_ckan_keeps_its_languages(pipeline: Pipeline) -> None:
    graph = _outcome(pipeline, CASES / "ckan" / "multilingual").mapped.graph
    for predicate in ("title", "description"):
        tags = {o.language for o in graph.objects(None, URIRef(DCT + predicate)) if isinstance(o, Literal)}
        assert {"en", "ca", "es"} <= tags, (predicate, tags)
    keywords = {(str(o), o.language) for o in graph.objects(None, URIRef(DCAT + "keyword"))
                if isinstance(o, Literal)}
    assert ("Roures", "ca") in keywords and ("Pinos", "es") in keywords


def _json(case: str) -> Any:
    return json.loads((CASES / case / "input.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ["datajson/arcgis-hub-style", "datajson/ar-pydatajson-full-data",
                                  "datajson/ckanext-dcat-catalog-json", "datajson/pod-catalog-sample"])
def test_data_json_is_data_json_with_or_without_context(case: str, pipeline: Pipeline) -> None:
    """With its POD @context or without, as application/json or application/ld+json: data.json, never Mexican."""
    document = _json(case)
    bare = {k: v for k, v in document.items() if k != "@context"} if isinstance(document, dict) else document
    with_context = {"@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld", **bare}
    for body in (bare, with_context):
        for media_type in ("application/json", "application/ld+json"):
            outcome = pipeline.validate(json.dumps(body).encode(), media_type=media_type, source=None)
            assert outcome.source.name == "datajson", (media_type, outcome.source.name)
            assert not any(str(o).endswith("/country/MEX") for o in outcome.mapped.graph.objects())


def test_data_json_as_json_ld_reads_the_pod_context_locally(pipeline: Pipeline) -> None:
    """Asked to read it as DCAT (JSON-LD), a data.json's POD context is the local copy: nothing is fetched."""
    body = (CASES / "datajson" / "arcgis-hub-style" / "input.json").read_bytes()
    outcome = pipeline.validate(body, media_type="application/ld+json", source="dcat")
    assert (None, URIRef(DCT + "title"), Literal("Bike Lanes")) in outcome.mapped.graph


def test_a_bare_list_of_ckan_resources_is_not_a_list_of_datasets(pipeline: Pipeline) -> None:
    from app.errors import InputError

    resources = _json("ckan/latam-extras")["result"]["resources"]
    with pytest.raises(InputError):
        pipeline.validate(json.dumps(resources).encode(), media_type="application/json", source=None)


def test_a_bad_iri_is_one_finding_and_the_rest_is_read(pipeline: Pipeline) -> None:
    outcome = _outcome(pipeline, CASES / "es" / "euskadi-bad-iri")
    bad = [f for f in outcome.findings if f.component == "puente:InvalidURL"]
    assert len(bad) == 1 and bad[0].source_field == "dct:references" and "\\u0083" in str(bad[0].value)
    good = _outcome(pipeline, CASES / "es" / "euskadi-guia-comunicacion").mapped
    assert len(outcome.mapped.triples) == len(good.triples) - 1  # only the damaged value is missing


def test_csv_names_elements_not_nodes(pipeline: Pipeline) -> None:
    report = _outcome(pipeline, CASES / "cl" / "package-show").report(profile=pipeline.profile, lang="en")
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert any(r["element"] == "distribution 2: Diccionario de datos" for r in rows), [r["element"] for r in rows]


def test_a_date_written_right_but_typed_wrong_is_told_so(pipeline: Pipeline) -> None:
    """The official DCAT-AP examples' context types dates "xsd:date" without defining xsd: the message names that
    datatype and the one to use, instead of calling a correct date invalid."""
    report = _report(pipeline, CASES / "dcat" / "dcat-ap-3-bee-population-api")
    issued = next(r for rec in report["records"] for r in rec["results"] if r["path"] == "dct:issued")
    assert '"xsd:date"' in issued["message"] and "not a valid date" not in issued["message"]
    assert issued["value"] == "2023-03-21"


def test_a_dcat_record_with_dc_language_is_not_thereby_spanish(pipeline: Pipeline) -> None:
    """Only datos.gob.es's own IRIs make RDF Spanish: a DCAT record writing dc:language "es" stays DCAT, untouched."""
    body = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix dc: <http://purl.org/dc/elements/1.1/> .
    <http://datos.example.org/d/1> a dcat:Dataset ; dct:title "Datos"@es ; dc:language "es" ."""
    outcome = pipeline.validate(body, media_type="text/turtle", source=None)
    assert outcome.source.name == "dcat"
    assert not any(str(o).endswith("/language/SPA") or str(o).endswith("/country/ESP")
                   for o in outcome.mapped.graph.objects())


def test_a_chilean_footprint_is_a_geometry_not_an_unknown_place(pipeline: Pipeline) -> None:
    document = json.loads((CASES / "cl" / "package-show" / "input.json").read_text(encoding="utf-8"))
    package = document.get("result", document)
    package["extras"] = [*package.get("extras", []), {"key": "spatial", "value": json.dumps(
        {"type": "Point", "coordinates": [-70.65, -33.45]})}]
    outcome = pipeline.validate(json.dumps(document).encode(), media_type="application/json", source="cl")
    assert any(str(getattr(o, "datatype", "")).endswith("geoJSONLiteral") for o in outcome.mapped.graph.objects())
    assert not any(f.component == "puente:UnknownValue" and f.source_field and "spatial" in f.source_field
                   for f in outcome.findings)

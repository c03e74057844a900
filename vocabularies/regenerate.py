"""Regenerate Puente's trimmed vocabularies from the upstream copies in vocabularies/upstream/.

Run from the repository root:

    python vocabularies/regenerate.py            # reads vocabularies/upstream/

Each output file keeps, per concept, what Puente needs at run time and nothing else:
the SKOS concept with its scheme, notation, labels (es/en/pt), alternative labels,
deprecation flag and exact matches, plus the DCAT-AP range class its members stand for
(dct:Frequency, dct:LicenseDocument, ...). That class is what lets Puente supply the
"background knowledge" DCAT-AP range checks need without any network access.
The script writes ``vocabularies/SOURCES.md`` with the sha256 of every input and output.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef

DCT = Namespace("http://purl.org/dc/terms/")
PUENTE = Namespace("https://w3id.org/puente/ns#")
AT = Namespace("http://publications.europa.eu/ontology/authority/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
IANA = "https://www.iana.org/assignments/media-types/"
KEEP_LANGS = ("es", "en", "pt")
# file-type: the op-mapped-code sources that flag a format, kept as booleans on the concept
OP_FORMAT_FLAGS = {"is-nonPropExt": PUENTE.nonProprietary, "is-machine-readable": PUENTE.machineReadable}


@dataclass(frozen=True)
class EUTable:
    """One EU authority table and the DCAT-AP class its concepts stand for."""

    name: str
    source: str
    scheme: str
    member_class: URIRef
    label_es: str
    label_en: str
    # Spanish labels the upstream file lacks, read from the es/en choice labels of the DCAT-AP-ES CKAN schema
    es_labels_from_schema: bool = False


EU_TABLES = (
    EUTable("data-theme", "eu/data-theme/data-theme-filtered.rdf",
            "http://publications.europa.eu/resource/authority/data-theme", SKOS.Concept,
            "Temas de datos (UE)", "Data themes (EU)"),
    EUTable("frequency", "eu/frequency/frequencies-skos.rdf",
            "http://publications.europa.eu/resource/authority/frequency", DCT.Frequency,
            "Frecuencias (UE)", "Frequencies (EU)"),
    EUTable("file-type", "eu/file-type/filetypes-skos.rdf",
            "http://publications.europa.eu/resource/authority/file-type", DCT.MediaTypeOrExtent,
            "Tipos de fichero (UE)", "File types (EU)"),
    EUTable("language", "eu/language/languages-filtered.rdf",
            "http://publications.europa.eu/resource/authority/language", DCT.LinguisticSystem,
            "Lenguas (UE)", "Languages (EU)"),
    EUTable("country", "eu/country/countries-skos.rdf",
            "http://publications.europa.eu/resource/authority/country", DCT.Location,
            "Países y territorios (UE)", "Countries and territories (EU)"),
    EUTable("licence", "eu/licence/licences-skos.rdf",
            "http://publications.europa.eu/resource/authority/licence", DCT.LicenseDocument,
            "Licencias (UE)", "Licences (EU)"),
    EUTable("planned-availability", "eu/planned-availability/planned-availability-sparql-result-20220715.ttl",
            "http://publications.europa.eu/resource/authority/planned-availability", SKOS.Concept,
            "Disponibilidad prevista (UE)", "Planned availability (EU)"),
    EUTable("access-right", "eu/access-right/access-right-skos-ap-act.rdf",
            "http://publications.europa.eu/resource/authority/access-right", DCT.RightsStatement,
            "Derechos de acceso (UE)", "Access rights (EU)"),
    EUTable("dataset-type", "eu/dataset-type/dataset-types-sparql-result-20230315.ttl",
            "http://publications.europa.eu/resource/authority/dataset-type", SKOS.Concept,
            "Tipos de conjunto de datos (UE)", "Dataset types (EU)", es_labels_from_schema=True),
    EUTable("distribution-status", "eu/distribution-status/distribution-status.rdf",
            "http://publications.europa.eu/resource/authority/distribution-status", SKOS.Concept,
            "Estados de la distribución (UE)", "Distribution statuses (EU)"),
)

# The DCAT-AP-ES CKAN schema (ckanext-schemingdcat): its select fields give es/en labels for EU and ADMS codes.
SCHEMA_YAML = "es/ckanext-schemingdcat_es_dcat_ap_full.yaml"
PUBLISHER_TYPES = "http://purl.org/adms/publishertype/"

# The 2022 frequency table adds codes the 2019 multilingual table lacks; upstream gives
# them English labels only, so the Spanish ones here are Puente's own translations.
EXTRA_FREQUENCIES = {
    "1MIN": ("cada minuto", "every minute"),
    "5MIN": ("cada cinco minutos", "every five minutes"),
    "10MIN": ("cada diez minutos", "every ten minutes"),
    "15MIN": ("cada quince minutos", "every fifteen minutes"),
    "30MIN": ("cada treinta minutos", "every thirty minutes"),
    "12HRS": ("cada doce horas", "every twelve hours"),
    "AS_NEEDED": ("según sea necesario", "as needed"),
    "NOT_PLANNED": ("no planificada", "not planned"),
}


# Spanish labels missing upstream; taken from the es/en choice labels of
# shared/vocabulary-sources/es/ckanext-schemingdcat_es_dcat_ap_full.yaml (not official OP translations).
EXTRA_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "planned-availability": {
        "AVAILABLE": ("disponible", "available"),
        "STABLE": ("estable", "stable"),
        "EXPERIMENTAL": ("experimental", "experimental"),
        "TEMPORARY": ("temporal", "temporary"),
    },
    # upstream carries its Spanish labels only as SKOS-XL, which Puente does not keep
    "access-right": {
        "PUBLIC": ("público", "public"),
        "RESTRICTED": ("restringido", "restricted"),
        "NON_PUBLIC": ("no público", "non-public"),
        "CONFIDENTIAL": ("confidencial", "confidential"),
        "SENSITIVE": ("sensible", "sensitive"),
    },
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bind(graph: Graph) -> None:
    graph.bind("skos", SKOS)
    graph.bind("dct", DCT)
    graph.bind("owl", OWL)
    graph.bind("puente", PUENTE)


def _scheme_header(out: Graph, *, scheme: URIRef, label_es: str, label_en: str,
                   member_class: URIRef, version: str, source: str) -> None:
    out.add((scheme, RDF.type, SKOS.ConceptScheme))
    out.add((scheme, SKOS.prefLabel, Literal(label_es, lang="es")))
    out.add((scheme, SKOS.prefLabel, Literal(label_en, lang="en")))
    out.add((scheme, DCT.title, Literal(label_es, lang="es")))
    out.add((scheme, DCT.title, Literal(label_en, lang="en")))
    out.add((scheme, PUENTE.memberClass, member_class))
    out.add((scheme, DCT.source, Literal(source)))
    if version:
        out.add((scheme, OWL.versionInfo, Literal(version)))


def schema_choice_labels(sources: Path) -> dict[str, dict[str, str]]:
    """IRI → {language: label} of every select choice of the DCAT-AP-ES CKAN schema (first label wins)."""
    import yaml

    found: dict[str, dict[str, str]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            value, label = node.get("value"), node.get("label")
            if isinstance(value, str) and isinstance(label, dict) and value.startswith("http"):
                found.setdefault(value, {str(k): str(v) for k, v in label.items()})
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(yaml.safe_load((sources / SCHEMA_YAML).read_text(encoding="utf-8")))
    return found


def build_eu_table(table: EUTable, sources: Path) -> Graph:
    """Trim one EU authority table to what Puente uses."""
    src = Graph()
    src.parse(sources / table.source, format="turtle" if table.source.endswith(".ttl") else "xml")
    if table.es_labels_from_schema:
        for iri, labels in schema_choice_labels(sources).items():
            concept = URIRef(iri)
            if iri.startswith(table.scheme + "/") and "es" in labels and not any(
                    getattr(label, "language", None) == "es" for label in src.objects(concept, SKOS.prefLabel)):
                src.add((concept, SKOS.prefLabel, Literal(labels["es"], lang="es")))
    for code, (es, en) in EXTRA_LABELS.get(table.name, {}).items():
        concept = URIRef(f"{table.scheme}/{code}")
        src.add((concept, SKOS.prefLabel, Literal(es, lang="es")))
        if (concept, SKOS.prefLabel, Literal(en, lang="en")) not in src:
            src.add((concept, SKOS.prefLabel, Literal(en, lang="en")))
    scheme = URIRef(table.scheme)
    version = str(next(src.objects(scheme, OWL.versionInfo), ""))
    out = Graph()
    _bind(out)
    _scheme_header(out, scheme=scheme, label_es=table.label_es, label_en=table.label_en,
                   member_class=table.member_class, version=version, source=table.source)
    for concept in sorted(set(src.subjects(SKOS.inScheme, scheme)) | set(src.subjects(RDF.type, SKOS.Concept))):
        if not isinstance(concept, URIRef) or not str(concept).startswith(table.scheme + "/"):
            continue
        code = str(next(src.objects(concept, AT["authority-code"]), str(concept).rsplit("/", 1)[-1]))
        if code == "OP_DATPRO":
            continue  # the Publications Office's "provisional data" placeholder, not a real value
        out.add((concept, RDF.type, SKOS.Concept))
        if table.member_class != SKOS.Concept:
            out.add((concept, RDF.type, table.member_class))
        out.add((concept, SKOS.inScheme, scheme))
        out.add((concept, SKOS.notation, Literal(code)))
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in src.objects(concept, prop):
                if isinstance(label, Literal) and (label.language in KEEP_LANGS or label.language is None):
                    out.add((concept, prop, label))
        for match in src.objects(concept, SKOS.exactMatch):
            out.add((concept, SKOS.exactMatch, match))
        for mapped in src.objects(concept, AT["op-mapped-code"]):
            # file-type carries its IANA media type and extensions as op-mapped-code nodes
            source_name = str(next(src.objects(mapped, DC.source), ""))
            legacy = str(next(src.objects(mapped, AT["legacy-code"]), "")).strip()
            if source_name == "mime-type-cellar" and "/" in legacy and " " not in legacy:
                # the table writes some with parameters (application/pdf;type=pdf1x): IANA names the bare type
                out.add((concept, PUENTE.mediaType, URIRef(IANA + legacy.split(";")[0].strip().lower())))
            elif source_name == "file-extension" and legacy:
                for ext in legacy.split(";"):
                    if ext.strip():
                        out.add((concept, PUENTE.fileExtension, Literal(ext.strip().lower())))
            elif source_name in OP_FORMAT_FLAGS and legacy.lower() == "true":
                # the Publications Office's own flags, what the quality score's "non-proprietary" and
                # "machine-readable" indicators read (app/quality/formats.py)
                out.add((concept, OP_FORMAT_FLAGS[source_name], Literal(True)))
        deprecated = next(src.objects(concept, AT.deprecated), None)
        if deprecated is not None and str(deprecated).lower() == "true":
            out.add((concept, OWL.deprecated, Literal(True)))
    if table.name == "frequency":
        for code, (es, en) in EXTRA_FREQUENCIES.items():
            concept = URIRef(f"{table.scheme}/{code}")
            if (concept, RDF.type, SKOS.Concept) in out:
                continue
            out.add((concept, RDF.type, SKOS.Concept))
            out.add((concept, RDF.type, DCT.Frequency))
            out.add((concept, SKOS.inScheme, scheme))
            out.add((concept, SKOS.notation, Literal(code)))
            out.add((concept, SKOS.prefLabel, Literal(es, lang="es")))
            out.add((concept, SKOS.prefLabel, Literal(en, lang="en")))
    return out


def build_publisher_types(sources: Path) -> Graph:
    """The ADMS publisher types (what kind of body publishes), with the DCAT-AP-ES schema's es/en labels."""
    scheme = URIRef(PUBLISHER_TYPES + "1.0")
    out = Graph()
    _bind(out)
    _scheme_header(out, scheme=scheme, label_es="Tipos de publicador (ADMS)", label_en="Publisher types (ADMS)",
                   member_class=SKOS.Concept, version="1.0", source=SCHEMA_YAML)
    for iri, labels in sorted(schema_choice_labels(sources).items()):
        if not iri.startswith(PUBLISHER_TYPES):
            continue
        concept = URIRef(iri)
        out.add((concept, RDF.type, SKOS.Concept))
        out.add((concept, SKOS.inScheme, scheme))
        out.add((concept, SKOS.notation, Literal(iri[len(PUBLISHER_TYPES):])))
        for lang in KEEP_LANGS:
            if labels.get(lang):
                out.add((concept, SKOS.prefLabel, Literal(labels[lang], lang=lang)))
    return out


def build_media_types(sources: Path) -> Graph:
    """IANA media types as a SKOS scheme of dct:MediaType."""
    scheme = URIRef(IANA.rstrip("/"))
    out = Graph()
    _bind(out)
    _scheme_header(out, scheme=scheme, label_es="Tipos de medio (IANA)", label_en="Media types (IANA)",
                   member_class=DCT.MediaType, version="2024-11-26",
                   source="media-types/iana_media_types.DERIVED.csv")
    with (sources / "media-types/iana_media_types.DERIVED.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            template = (row.get("Template") or "").strip()
            if not template or "/" not in template or " " in template:
                continue
            concept = URIRef(IANA + template)
            out.add((concept, RDF.type, SKOS.Concept))
            out.add((concept, RDF.type, DCT.MediaType))
            # dct:format's range is the wider class; media types are used there too
            out.add((concept, RDF.type, DCT.MediaTypeOrExtent))
            out.add((concept, SKOS.inScheme, scheme))
            out.add((concept, SKOS.notation, Literal(template)))
            out.add((concept, SKOS.prefLabel, Literal(template)))
            if (row.get("deprecated_or_obsolete_in_name") or "").strip():
                out.add((concept, OWL.deprecated, Literal(True, datatype=XSD.boolean)))
    return out


PLACE = "https://w3id.org/puente/place/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _place(out: Graph, iri: str, *, scheme: URIRef, code: str, name: str, level: str,
           broader: str) -> None:
    concept = URIRef(iri)
    out.add((concept, RDF.type, SKOS.Concept))
    out.add((concept, RDF.type, DCT.Location))
    out.add((concept, SKOS.inScheme, scheme))
    out.add((concept, SKOS.notation, Literal(code)))
    out.add((concept, SKOS.prefLabel, Literal(name, lang="es")))
    out.add((concept, SKOS.broader, URIRef(broader)))
    out.add((concept, PUENTE.adminLevel, Literal(level)))
    if level == "region":  # how Chileans write them: "Región de Valparaíso", "Región Metropolitana de Santiago"
        out.add((concept, SKOS.altLabel, Literal(f"Región {name}", lang="es")))
        out.add((concept, SKOS.altLabel, Literal(f"Región de {name}", lang="es")))
        out.add((concept, SKOS.altLabel, Literal(f"Región del {name}", lang="es")))


def _title_case(name: str) -> str:
    small = {"de", "del", "la", "las", "los", "el", "y", "e", "en"}
    words = name.lower().split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def build_admin(country: str, sources: Path) -> tuple[Graph, list[str]]:
    """National administrative units as dct:Location concepts under the EU country IRI."""
    out = Graph()
    _bind(out)
    labels = {"co": ("Colombia: departamentos y municipios (DIVIPOLA)",
                     "Colombia: departments and municipalities (DIVIPOLA)"),
              "cl": ("Chile: regiones, provincias y comunas (CUT)", "Chile: regions, provinces and communes (CUT)"),
              "mx": ("México: entidades y municipios (INEGI)", "Mexico: states and municipalities (INEGI)"),
              "es": ("España: comunidades autónomas y provincias (INE, datos.gob.es)",
                     "Spain: autonomous communities and provinces (INE, datos.gob.es)")}
    scheme = URIRef(f"{PLACE}{country}")
    files: list[str] = []
    country_iri = COUNTRY + {"co": "COL", "cl": "CHL", "mx": "MEX", "es": "ESP"}[country]
    if country == "co":
        files = ["admin/co/divipola_departamentos.json", "admin/co/divipola_municipios.json"]
        import json
        for dep in json.loads((sources / files[0]).read_text(encoding="utf-8")):
            code = f"{int(dep['codigo']):02d}"
            _place(out, f"{PLACE}co/divipola/{code}", scheme=scheme, code=code, name=_title_case(dep["nombre"]),
                   level="departamento", broader=country_iri)
        for mun in json.loads((sources / files[1]).read_text(encoding="utf-8")):
            code, dep_code = f"{int(mun['codigo']):05d}", f"{int(mun['codigo_departamento']):02d}"
            _place(out, f"{PLACE}co/divipola/{code}", scheme=scheme, code=code, name=_title_case(mun["nombre"]),
                   level="municipio", broader=f"{PLACE}co/divipola/{dep_code}")
    elif country == "cl":
        files = ["admin/cl/cut_comuna.csv"]
        with (sources / files[0]).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                region, province = row["codigo_region"], row["codigo_provincia"]
                _place(out, f"{PLACE}cl/cut/{region}", scheme=scheme, code=region, name=row["nombre_region"],
                       level="region", broader=country_iri)
                _place(out, f"{PLACE}cl/cut/{province}", scheme=scheme, code=province, name=row["nombre_provincia"],
                       level="provincia", broader=f"{PLACE}cl/cut/{region}")
                _place(out, f"{PLACE}cl/cut/{row['codigo_comuna']}", scheme=scheme, code=row["codigo_comuna"],
                       name=row["nombre_comuna"], level="comuna", broader=f"{PLACE}cl/cut/{province}")
    elif country == "mx":
        files = ["admin/mx/cve_nom_estados.csv", "admin/mx/cve_nom_municipios.csv"]
        with (sources / files[0]).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["cve_ent"] == "00":
                    continue  # INEGI's "Nacional" row is the country, not a state
                _place(out, f"{PLACE}mx/inegi/{row['cve_ent']}", scheme=scheme, code=row["cve_ent"],
                       name=row["nombre_estado"], level="entidad", broader=country_iri)
        with (sources / files[1]).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                _place(out, f"{PLACE}mx/inegi/{row['cve_geo']}", scheme=scheme, code=row["cve_geo"],
                       name=row["nombre_municipio"], level="municipio", broader=f"{PLACE}mx/inegi/{row['cve_ent']}")
    else:
        files = ["admin/es/es_provincia_ccaa_crosswalk.csv"]
        with (sources / files[0]).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                _place(out, row["ccaa_datosgobes_uri"], scheme=scheme, code=row["ccaa_ine"],
                       name=row["ccaa_label_datosgobes"], level="comunidad-autonoma", broader=country_iri)
                _place(out, row["provincia_datosgobes_uri"], scheme=scheme, code=row["provincia_ine"],
                       name=row["provincia_label_datosgobes"], level="provincia", broader=row["ccaa_datosgobes_uri"])
    es_label, en_label = labels[country]
    _scheme_header(out, scheme=scheme, label_es=es_label, label_en=en_label, member_class=DCT.Location,
                   version="", source=", ".join(files))
    return out, files


def build_es_sectors(sources: Path) -> Graph:
    """Spain's 22 NTI-RISP sectors with the official alignment to EU data themes (Conventions, Annex 1)."""
    src = Graph()
    src.parse(sources / "es/nti-risp_vocab_sector.ttl", format="turtle")
    scheme = URIRef("http://datos.gob.es/kos/sector-publico/sector")
    out = Graph()
    _bind(out)
    _scheme_header(out, scheme=scheme, label_es="Sectores de la NTI-RISP (datos.gob.es)",
                   label_en="NTI-RISP sectors (datos.gob.es)", member_class=SKOS.Concept, version="1.0",
                   source="es/nti-risp_vocab_sector.ttl, es/sector_to_data-theme.csv")
    with (sources / "es/sector_to_data-theme.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            concept = URIRef(row["sector_uri"])
            out.add((concept, RDF.type, SKOS.Concept))
            out.add((concept, SKOS.inScheme, scheme))
            out.add((concept, SKOS.notation, Literal(row["sector_uri"].rsplit("/", 1)[-1])))
            for label in src.objects(concept, SKOS.prefLabel):
                out.add((concept, SKOS.prefLabel, label))
            out.add((concept, SKOS.exactMatch, URIRef(row["data_theme_uri"])))
    return out


def build_spdx(sources: Path) -> Graph:
    """SPDX licences, for the licences the EU table lacks (OGL-UK-3.0, MIT...): dct:LicenseDocument concepts."""
    import json

    data = json.loads((sources / "licences/spdx_licenses.json").read_text(encoding="utf-8"))
    scheme = URIRef("http://spdx.org/licenses/")
    out = Graph()
    _bind(out)
    _scheme_header(out, scheme=scheme, label_es="Licencias SPDX", label_en="SPDX licences",
                   member_class=DCT.LicenseDocument, version=str(data.get("licenseListVersion", "")),
                   source="licences/spdx_licenses.json")
    for licence in data["licenses"]:
        concept = URIRef(f"http://spdx.org/licenses/{licence['licenseId']}")
        out.add((concept, RDF.type, SKOS.Concept))
        out.add((concept, RDF.type, DCT.LicenseDocument))
        out.add((concept, SKOS.inScheme, scheme))
        out.add((concept, SKOS.notation, Literal(licence["licenseId"])))
        out.add((concept, SKOS.prefLabel, Literal(licence["name"], lang="en")))
        out.add((concept, SKOS.hiddenLabel, Literal(licence["reference"])))
        if licence.get("isDeprecatedLicenseId"):
            out.add((concept, OWL.deprecated, Literal(True)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=Path(__file__).resolve().parent / "upstream")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    sources: Path = args.sources
    out_dir: Path = args.out / "eu"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []
    outputs: list[tuple[str, Graph, str]] = [
        (t.name, build_eu_table(t, sources), t.source) for t in EU_TABLES
    ]
    outputs.append(("media-type", build_media_types(sources), "media-types/iana_media_types.DERIVED.csv"))
    outputs.append(("publisher-type", build_publisher_types(sources), SCHEMA_YAML))
    national_dir = args.out / "national"
    national_dir.mkdir(parents=True, exist_ok=True)
    sectors = "es/sector_to_data-theme.csv"
    (national_dir / "es-sectors.ttl").write_text(
        "# Puente vocabulary 'es-sectors', generated by vocabularies/regenerate.py\n"
        f"# from shared/vocabulary-sources/{sectors} (sha256 {_sha256(sources / sectors)}) and\n"
        f"# es/nti-risp_vocab_sector.ttl (sha256 {_sha256(sources / 'es/nti-risp_vocab_sector.ttl')}).\n"
        "# Do not edit by hand: change the script and regenerate.\n"
        + build_es_sectors(sources).serialize(format="turtle"), encoding="utf-8")
    rows.append(("es-sectors", "vocabularies/national/es-sectors.ttl", sectors, _sha256(sources / sectors)))
    spdx_source = "licences/spdx_licenses.json"
    (national_dir / "spdx-licences.ttl").write_text(
        "# Puente vocabulary 'spdx-licences', generated by vocabularies/regenerate.py\n"
        f"# from shared/vocabulary-sources/{spdx_source} (sha256 {_sha256(sources / spdx_source)}).\n"
        "# Do not edit by hand: change the script and regenerate.\n" + build_spdx(sources).serialize(format="turtle"),
        encoding="utf-8")
    rows.append(("spdx-licences", "vocabularies/national/spdx-licences.ttl", spdx_source,
                 _sha256(sources / spdx_source)))
    admin_dir = args.out / "admin"
    admin_dir.mkdir(parents=True, exist_ok=True)
    for country in ("co", "cl", "mx", "es"):
        graph, files = build_admin(country, sources)
        target = admin_dir / f"{country}.ttl"
        digests = ", ".join(f"{f} sha256 {_sha256(sources / f)}" for f in files)
        target.write_text(f"# Puente vocabulary 'admin/{country}', generated by vocabularies/regenerate.py\n"
                          f"# from shared/vocabulary-sources/ {digests}.\n"
                          "# Do not edit by hand: change the script and regenerate.\n"
                          + graph.serialize(format="turtle"), encoding="utf-8")
        rows.append((f"admin/{country}", f"vocabularies/admin/{country}.ttl", files[0], _sha256(sources / files[0])))
    for name, graph, source in outputs:
        target = out_dir / f"{name}.ttl"
        header = (f"# Puente vocabulary '{name}', generated by vocabularies/regenerate.py\n"
                  f"# from shared/vocabulary-sources/{source} (sha256 {_sha256(sources / source)}).\n"
                  "# Do not edit by hand: change the script and regenerate.\n")
        target.write_text(header + graph.serialize(format="turtle"), encoding="utf-8")
        rows.append((name, f"vocabularies/eu/{name}.ttl", source, _sha256(sources / source)))
    lines = [
        "# Vocabulary sources",
        "",
        f"Generated by `make vocabularies` (`python vocabularies/regenerate.py`) on {dt.date.today().isoformat()}.",
        "The upstream copies it reads are byte-identical copies of `shared/vocabulary-sources/`, kept in",
        "`vocabularies/upstream/` so the project regenerates (and tests) them on any machine; where each came from",
        "(repository, path, commit, licence) is in `vocabularies/upstream/PROVENANCE.md`. EU tables are published",
        "by the EU Publications Office",
        "(EU Vocabularies), IANA media types by IANA. Nothing here is fetched at run time.",
        "",
        "| vocabulary | file | upstream copy (vocabularies/upstream/...) | upstream sha256 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | `{f}` | `{s}` | `{h}` |" for n, f, s, h in rows]
    (args.out / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

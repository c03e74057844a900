"""Regenerate Puente's trimmed vocabularies from the upstream copies in ../shared.

Run from the repository root:

    python vocabularies/regenerate.py --sources ../shared/vocabulary-sources

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


@dataclass(frozen=True)
class EUTable:
    """One EU authority table and the DCAT-AP class its concepts stand for."""

    name: str
    source: str
    scheme: str
    member_class: URIRef
    label_es: str
    label_en: str


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
)

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


def build_eu_table(table: EUTable, sources: Path) -> Graph:
    """Trim one EU authority table to what Puente uses."""
    src = Graph()
    src.parse(sources / table.source, format="turtle" if table.source.endswith(".ttl") else "xml")
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
                out.add((concept, PUENTE.mediaType, URIRef(IANA + legacy)))
            elif source_name == "file-extension" and legacy:
                for ext in legacy.split(";"):
                    if ext.strip():
                        out.add((concept, PUENTE.fileExtension, Literal(ext.strip().lower())))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=Path("../shared/vocabulary-sources"))
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
        "Generated by `python vocabularies/regenerate.py --sources ../shared/vocabulary-sources` "
        f"on {dt.date.today().isoformat()}.",
        "The upstream copies (and where each came from: repository, path, commit, licence) are described in",
        "`shared/vocabulary-sources/PROVENANCE.md`; EU tables are published by the EU Publications Office",
        "(EU Vocabularies), IANA media types by IANA. Nothing here is fetched at run time.",
        "",
        "| vocabulary | file | upstream copy (shared/vocabulary-sources/...) | upstream sha256 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {n} | `{f}` | `{s}` | `{h}` |" for n, f, s, h in rows]
    (args.out / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""A deterministic corpus of realistic records for the benchmarks and the engine-equivalence test.

    python -m bench.corpus --records 100 --seed 7 --out /tmp/corpus

Per source (co, cl, mx, es, dcat) one catalogue document in that source's own format; about 10 % of the
records are defective in varied ways (a missing title, a date that is not a date, a bad e-mail, an unknown
frequency or theme, a literal publisher, a distribution without access URL...).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

SOURCES = ("co", "cl", "mx", "es", "dcat")
WORDS = ("presupuesto", "salud", "educación", "transporte", "agua", "energía", "población", "empleo", "clima",
         "vivienda", "seguridad", "cultura", "turismo", "comercio", "agricultura")
FREQ_ES = ("Anual", "Mensual", "Diaria", "Trimestral", "Semestral", "Quincenal", "No aplica", "Semanal")
FREQ_ISO = ("R/P1Y", "R/P1M", "R/P1D", "R/P3M", "irregular", "R/P6M")
CO_CATEGORIES = ("Educación", "Salud y Protección Social", "Transporte", "Ambiente y Desarrollo Sostenible",
                 "Economía y Finanzas", "Vivienda, Ciudad y Territorio", "Agricultura y Desarrollo Rural")
CO_PLACES = (("Antioquia", "Medellín"), ("Tolima", "Ibagué"), ("Cundinamarca", "Guatavita"),
             ("Bogotá D.C.", "Bogotá D.C."))
CL_GROUPS = ("salud", "educacion", "transporte", "medio-ambiente", "economia")
MX_SECTORS = ("Educación", "Salud", "Economía", "Infraestructura", "Geoespacial")
ES_SECTORS = ("salud", "educacion", "transporte", "medio-ambiente", "economia", "empleo")
LICENCES = ("http://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by-sa/4.0/legalcode",
            "cc-by", "CC0_10")
FORMATS = (("CSV", "text/csv"), ("JSON", "application/json"), ("XLSX",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("PDF", "application/pdf"))
DEFECT_RATE = 0.10


@dataclass(frozen=True)
class Document:
    source: str
    media_type: str
    body: bytes
    records: int


def _title(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS).capitalize()} de {rng.choice(WORDS)} {2015 + i % 10}"


def _co(rng: random.Random, n: int) -> Document:
    views = []
    for i in range(n):
        department, municipality = rng.choice(CO_PLACES)
        view: dict[str, object] = {
            "id": f"c{i:03d}-{rng.randrange(10**4):04d}", "name": _title(rng, i), "viewType": "tabular",
            "description": f"Datos de {rng.choice(WORDS)} publicados por la entidad.", "tags": rng.sample(WORDS, 3),
            "category": rng.choice(CO_CATEGORIES), "createdAt": 1420000000 + rng.randrange(3 * 10**8),
            "rowsUpdatedAt": 1600000000 + rng.randrange(10**8), "license": {"termsLink": rng.choice(LICENCES[:2])},
            "metadata": {"custom_fields": {
                "Información de la Entidad": {"Nombre de la Entidad": f"Alcaldía de {municipality}",
                                              "Departamento": department, "Municipio": municipality},
                "Información de Datos": {"Cobertura Geográfica": rng.choice(("Nacional", "Departamental", "Municipal")),
                                         "Idioma": "Español", "Frecuencia de Actualización": rng.choice(FREQ_ES)},
                "Common Core": {"Contact Email": f"datos{i}@alcaldia.gov.co"}}},
        }
        if rng.random() < DEFECT_RATE:
            defect = rng.randrange(5)
            fields = view["metadata"]["custom_fields"]  # type: ignore[index]
            if defect == 0:
                view["name"] = ""
            elif defect == 1:
                view["createdAt"] = "ayer"
            elif defect == 2:
                fields["Common Core"]["Contact Email"] = "datos(arroba)alcaldia"
            elif defect == 3:
                fields["Información de Datos"]["Frecuencia de Actualización"] = "Cada vez que se pueda"
            else:
                view["category"] = "Miscelánea"
        views.append(view)
    return Document("co", "application/json", json.dumps(views, ensure_ascii=False).encode(), n)


def _resource(rng: random.Random, i: int, j: int) -> dict[str, object]:
    name, mime = rng.choice(FORMATS)
    return {"id": f"r{i}-{j}", "name": f"{name} {j}", "url": f"https://datos.gob.cl/recurso/{i}/{j}.{name.lower()}",
            "format": name, "mimetype": mime, "size": rng.randrange(10**3, 10**8), "datastore_active": j == 0}


def _cl(rng: random.Random, n: int) -> Document:
    packages = []
    for i in range(n):
        package: dict[str, object] = {
            "id": f"cl-{i:05d}", "name": f"conjunto-{i}", "title": _title(rng, i), "notes": "Datos abiertos de Chile.",
            "license_id": rng.choice(("cc-by", "cc-zero", "odc-odbl")), "metadata_created": "2019-04-11T15:20:01",
            "metadata_modified": "2024-11-04T09:12:44", "maintainer_email": f"datos{i}@minsal.cl",
            "organization": {"name": "ministerio-de-salud", "title": "Ministerio de Salud"},
            "groups": [{"name": rng.choice(CL_GROUPS)}], "tags": [{"name": w} for w in rng.sample(WORDS, 2)],
            "extras": [{"key": "frequency", "value": rng.choice(FREQ_ES)}],
            "resources": [_resource(rng, i, j) for j in range(rng.randrange(1, 4))],
        }
        if rng.random() < DEFECT_RATE:
            defect = rng.randrange(4)
            if defect == 0:
                package["title"] = ""
                package["name"] = ""
            elif defect == 1:
                package["resources"][0]["size"] = "2 MB"  # type: ignore[index]
            elif defect == 2:
                package["groups"] = [{"name": "miscelanea"}]
            else:
                package["resources"][0]["url"] = "archivo.csv"  # type: ignore[index]
        packages.append(package)
    body = {"success": True, "result": {"count": n, "results": packages}}
    return Document("cl", "application/json", json.dumps(body, ensure_ascii=False).encode(), n)


def _mx(rng: random.Random, n: int) -> Document:
    datasets = []
    for i in range(n):
        name, mime = rng.choice(FORMATS)
        sector = rng.choice(MX_SECTORS)
        dataset: dict[str, object] = {
            "title": _title(rng, i), "description": "Datos de la dependencia.", "identifier": f"conjunto-{i}",
            "theme": sector, "keyword": [*rng.sample(WORDS, 2), "federal", sector], "language": "es",
            "issued": "2015-03-02T10:11:12-06:00", "modified": "2015-08-20T17:03:40-05:00",
            "accrualPeriodicity": rng.choice(FREQ_ISO), "govType": "federal", "spatial": "Jalisco",
            "publisher": {"name": "Secretaría de Salud", "mbox": f"datos{i}@salud.gob.mx"},
            "distribution": [{"title": f"{name} {i}", "downloadURL": f"http://www.dgis.salud.gob.mx/d/{i}.csv",
                              "mediaType": mime, "format": name.lower(), "byteSize": rng.randrange(10**6),
                              "license": "https://datos.gob.mx/libreusomx/"}],
        }
        if rng.random() < DEFECT_RATE:
            defect = rng.randrange(4)
            if defect == 0:
                dataset["modified"] = "20 de agosto de 2015"
            elif defect == 1:
                dataset["publisher"] = {"name": "Secretaría de Salud", "mbox": "transparencia@"}
            elif defect == 2:
                dataset["theme"] = "Bienestar"
            else:
                dataset["distribution"][0]["byteSize"] = "2 MB"  # type: ignore[index]
        datasets.append(dataset)
    return Document("mx", "application/json", json.dumps({"dataset": datasets}, ensure_ascii=False).encode(), n)


def _turtle_dataset(rng: random.Random, i: int, *, spanish: bool) -> str:
    base = f"http://datos.ejemplo.{'es' if spanish else 'eu'}/dataset/d{i}"
    sector = (f"<http://datos.gob.es/kos/sector-publico/sector/{rng.choice(ES_SECTORS)}>" if spanish
              else "<http://publications.europa.eu/resource/authority/data-theme/ECON>")
    publisher = ("<http://datos.gob.es/recurso/sector-publico/org/Organismo/L01280796>" if spanish
                 else f"<{base}/publisher>")
    name, mime = rng.choice(FORMATS)
    title = f'"{_title(rng, i)}"@es'
    issued = '"2020-02-01"^^xsd:date'
    access = f"dcat:accessURL <{base}/files/data.{name.lower()}> ;"
    file_type = f"<http://publications.europa.eu/resource/authority/file-type/{name}>"
    country = "ESP" if spanish else "FRA"
    mailbox = f"mailto:d{i}@x.es"
    if rng.random() < DEFECT_RATE:
        defect = rng.randrange(7)
        if defect == 0:
            title = ""
        elif defect == 1:
            issued = '"ayer"'
        elif defect == 2:
            publisher = '"Ministerio"'
        elif defect == 3:
            title = f'"{_title(rng, i)}"'  # no language tag
        elif defect == 4:
            file_type = f"<https://www.iana.org/assignments/media-types/{mime}>"  # a media type as format
        elif defect == 5:
            mailbox = "mailto:datos-en-ejemplo"  # not an address
        else:
            access = ""
    lines = [f"<{base}> a dcat:Dataset ;"]
    if title:
        lines.append(f"  dct:title {title} ;")
    lines += [f'  dct:description "Datos de {rng.choice(WORDS)}."@es ;', f"  dct:publisher {publisher} ;",
              f"  dcat:theme {sector} ;", f"  dct:issued {issued} ;",
              f'  dcat:keyword "{rng.choice(WORDS)}"@es ;',
              "  dct:language <http://publications.europa.eu/resource/authority/language/SPA> ;",
              "  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY> ;",
              f"  dct:spatial <http://publications.europa.eu/resource/authority/country/{country}> ;",
              f"  dcat:contactPoint [ a vcard:Organization ; vcard:fn \"Datos\" ; vcard:hasEmail <{mailbox}> ] ;",
              f"  dcat:distribution <{base}/dist> .",
              f"<{base}/dist> a dcat:Distribution ; {access}",
              f"  dct:format {file_type} ;",
              f"  dcat:mediaType <https://www.iana.org/assignments/media-types/{mime}> ;",
              "  dct:license <http://publications.europa.eu/resource/authority/licence/CC_BY_4_0> ."]
    if not spanish:
        lines.append(f'<{base}/publisher> a foaf:Agent ; foaf:name "Agencia {i}"@es .')
    return "\n".join(lines)


PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _rdf(rng: random.Random, n: int, *, spanish: bool) -> Document:
    body = PREFIXES + "\n".join(_turtle_dataset(rng, i, spanish=spanish) for i in range(n))
    return Document("es" if spanish else "dcat", "text/turtle", body.encode(), n)


def generate(*, records: int, seed: int = 7) -> list[Document]:
    """One catalogue per source, `records` records each."""
    rng = random.Random(seed)
    return [_co(rng, records), _cl(rng, records), _mx(rng, records), _rdf(rng, records, spanish=True),
            _rdf(rng, records, spanish=False)]


def split(document: Document) -> list[Document]:
    """The same records, one document each (what a portal posts on every save)."""
    if document.media_type == "application/json":
        data = json.loads(document.body)
        if document.source == "co":
            items = [json.dumps(view, ensure_ascii=False) for view in data]
        elif document.source == "cl":
            items = [json.dumps({"success": True, "result": package}, ensure_ascii=False)
                     for package in data["result"]["results"]]
        else:
            items = [json.dumps({"dataset": [dataset]}, ensure_ascii=False) for dataset in data["dataset"]]
        return [Document(document.source, document.media_type, item.encode(), 1) for item in items]
    text = document.body.decode()
    head, _, rest = text.partition("\n<")
    blocks: list[str] = []
    for chunk in ("<" + rest).split("\n<"):
        chunk = chunk if chunk.startswith("<") else "<" + chunk
        if " a dcat:Dataset ;" in chunk.splitlines()[0] or not blocks:
            blocks.append(chunk)
        else:
            blocks[-1] += "\n" + chunk
    return [Document(document.source, document.media_type, (PREFIXES + block).encode(), 1) for block in blocks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for document in generate(records=args.records, seed=args.seed):
        suffix = ".json" if document.media_type == "application/json" else ".ttl"
        (args.out / f"{document.source}{suffix}").write_bytes(document.body)


if __name__ == "__main__":
    main()

"""The CKAN Action API's vocabulary: its parameters read strictly (Solr's `q`, `fq`, `sort` reduced to what a
catalogue index can answer), its errors, and stored records as CKAN packages (ckanext-dcat scheming field names,
from app/pipeline/exports.py). The routes are app/api/routes/ckan.py.

What `fq` understands (clauses joined by spaces or AND, each optionally prefixed by `+`):
  metadata_modified / metadata_created: [a TO b] (inclusive) or {a TO b} (exclusive), a and b ISO 8601, `*`,
      NOW or NOW-n(DAYS|HOURS|MINUTES);
  organization / owner_org, tags, name, catalogue, res_format (EU file type code), theme / groups (EU theme code
      or IRI): one value each, bare or "quoted";
  dataset_type:dataset, type:dataset, state:active, capacity:public, *:* : what every package here is.
Anything else (negation, OR, wildcards, other fields) is a 409 Search Query Error naming the clause, not
silently a wider search.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pyoxigraph as ox
from rdflib import URIRef

from app.catalogue import ckan_index, ntriples
from app.catalogue.ckan_index import Publishers, Search, TimeRange
from app.catalogue.definitions import Catalogue
from app.catalogue.service import CatalogueService, Entry, parse_time
from app.errors import InputError, PuenteError
from app.i18n import LocalText, text
from app.pipeline.exports import dataset_package
from app.rdf.namespaces import DCT, FOAF
from app.rdf.terms import Triple, to_rdflib

MAX_ROWS = 1000  # CKAN's default ckan.search.rows_max: more is answered with 1000, as CKAN does
DEFAULT_ROWS = 10
MAX_TEXT = 2000
MAX_CLAUSES = 20
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"


class CkanError(PuenteError):
    """An action refused the CKAN way: `ckan_type` is CKAN's `__type`, which ckanapi turns back into its exception
    (NotFound, ValidationError, SearchQueryError)."""

    ckan_type: ClassVar[str] = "Bad Request"
    slug = "bad-input"
    title_key = "error.bad_input"

    def __init__(self, detail: LocalText, *, field: str | None = None) -> None:
        super().__init__(detail, field=field)


class CkanBadRequest(CkanError):
    status = 400


class CkanNotFound(CkanError):
    status = 404
    ckan_type = "Not Found Error"
    slug = "not-found"
    title_key = "error.not_found"


class CkanValidation(CkanError):
    status = 409
    ckan_type = "Validation Error"


class CkanSearchQuery(CkanError):
    status = 409
    ckan_type = "Search Query Error"


def ckan_type(error: PuenteError) -> tuple[int, str]:
    """(HTTP status, CKAN `__type`) of any error an action raised: Puente's own hierarchy, in CKAN's terms."""
    if isinstance(error, CkanError):
        return error.status, error.ckan_type
    if error.status in (404, 410):
        return 404, "Not Found Error"
    if isinstance(error, InputError):
        return 409, "Validation Error"
    return error.status, "Internal Error" if error.status >= 500 else "Bad Request"


# ---------------------------------------------------------------------------------------------- parameters


def check_keys(params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(k for k in params if k not in allowed)
    if unknown:
        raise CkanValidation(text("detail.ckan_unknown_parameter", names=", ".join(k[:40] for k in unknown[:5]),
                                  allowed=", ".join(sorted(allowed))), field=unknown[0][:40])


def string(params: Mapping[str, Any], key: str, *, limit: int = MAX_TEXT) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CkanValidation(text("detail.ckan_not_text", name=key), field=key)
    value = str(value)
    if len(value) > limit:
        raise CkanValidation(text("detail.ckan_too_long", name=key, limit=limit), field=key)
    return value


def natural(params: Mapping[str, Any], key: str, *, default: int | None, cap: int | None = None) -> int | None:
    """A natural number (an int or its digits); values over `cap` answered as `cap` (CKAN's rows_max), values past
    Solr's int range refused."""
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit()
                                                                  and len(value) <= 30)):
        raise CkanValidation(text("detail.ckan_not_natural", name=key), field=key)
    number = int(value)
    if number < 0:
        raise CkanValidation(text("detail.ckan_not_natural", name=key), field=key)
    if cap is not None:
        return min(number, cap)
    if number > ckan_index.MAX_START:
        raise CkanValidation(text("detail.ckan_too_large", name=key, limit=ckan_index.MAX_START), field=key)
    return number


def boolean(params: Mapping[str, Any], key: str, *, default: bool) -> bool:
    value = params.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        return value.lower() in ("true", "1", "yes", "on")
    raise CkanValidation(text("detail.ckan_not_boolean", name=key), field=key)


_SORT_PART = re.compile(r"\s*([a-z_]{1,40})(?:\s+(asc|desc))?\s*", re.IGNORECASE)


def parse_sort(value: str | None) -> list[tuple[str, str]]:
    """CKAN's `sort` ("metadata_modified desc, name asc"); `score` (relevance) is accepted and has no effect.
    Default: CKAN's "score desc, metadata_modified desc"."""
    if value is None or not value.strip():
        return [("metadata_modified", "desc")]
    keys: list[tuple[str, str]] = []
    for part in value.split(",")[:6]:
        found = _SORT_PART.fullmatch(part)
        key = found.group(1).lower() if found else ""
        if found is None or (key not in ckan_index.SORT_COLUMNS and key != "score"):
            raise CkanSearchQuery(text("detail.ckan_bad_sort", value=part.strip()[:60],
                                       allowed=", ".join(sorted(ckan_index.SORT_COLUMNS))), field="sort")
        if key != "score":
            keys.append((key, (found.group(2) or "asc").lower()))
    if len(value.split(",")) > 6:
        raise CkanSearchQuery(text("detail.ckan_bad_sort", value=value[:60],
                                   allowed=", ".join(sorted(ckan_index.SORT_COLUMNS))), field="sort")
    return keys


def parse_fl(value: str | None) -> list[str] | None:
    """`fl`: the package fields to answer with (None: whole packages)."""
    if value is None or value.strip() in ("", "*"):
        return None
    fields = [f for f in re.split(r"[\s,]+", value.strip()) if f]
    if len(fields) > 40 or not all(re.fullmatch(r"[a-z_]{1,40}", f) for f in fields):
        raise CkanValidation(text("detail.ckan_bad_fl", value=value[:60]), field="fl")
    return fields


_CLAUSE = re.compile(r"""\s*(?:AND\s+)?\+?(?:
    (?P<all>\*:\*) |
    (?P<field>[a-z_]{1,40}):(?:
        "(?P<quoted>(?:[^"\\]|\\.){0,500})" |
        (?P<open>[\[{])\s*(?P<low>[^\s\]}]{1,60})\s+TO\s+(?P<high>[^\s\]}]{1,60})\s*(?P<close>[\]}]) |
        (?P<bare>[^\s"\[\]{}()*?\\:]{1,500})
    ))\s*""", re.VERBOSE)
NO_OPS = {"dataset_type": "dataset", "type": "dataset", "state": "active", "capacity": "public"}
FQ_FIELDS = ("metadata_modified", "metadata_created", "organization", "owner_org", "tags", "name", "catalogue",
             "res_format", "theme", "groups", *NO_OPS)


def solr_time(value: str, *, field: str) -> str | None:
    """One end of a Solr date range, as the index writes times (None for `*`)."""
    if value == "*":
        return None
    now = re.fullmatch(r"NOW(?:-(\d{1,6})(DAY|HOUR|MINUTE)S?)?(?:/DAY)?", value)
    try:
        if now is None:
            return parse_time(value, field_name=field)
        amount = int(now.group(1) or 0)
        unit = {"DAY": timedelta(days=1), "HOUR": timedelta(hours=1), "MINUTE": timedelta(minutes=1)}[
            now.group(2) or "DAY"]
        moment = datetime.now(UTC) - amount * unit
        if value.endswith("/DAY"):
            moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except (InputError, OverflowError, ValueError):  # not a time, or one before year 1 or after 9999 in UTC
        raise CkanSearchQuery(text("detail.ckan_bad_time", value=value[:60], field=field), field="fq") from None


def parse_filters(search: Search, value: str, *, service: CatalogueService, name: str = "fq") -> Search:
    """`search` narrowed by the clauses of an `fq` (or of a `q` made of clauses)."""
    position = 0
    clauses = 0
    while position < len(value):
        found = _CLAUSE.match(value, position)
        if found is None or found.end() == position:
            raise CkanSearchQuery(text("detail.ckan_bad_fq", name=name, value=value[position:position + 60],
                                       fields=", ".join(FQ_FIELDS)), field=name)
        position = found.end()
        clauses += 1
        if clauses > MAX_CLAUSES:
            raise CkanSearchQuery(text("detail.ckan_too_many_clauses", name=name, limit=MAX_CLAUSES), field=name)
        if found.group("all"):
            continue
        search = _clause(search, found, service=service, name=name)
    return search


def _clause(search: Search, found: re.Match[str], *, service: CatalogueService, name: str) -> Search:
    field = found.group("field")
    ranged = found.group("open") is not None
    raw = found.group("quoted")
    term = re.sub(r"\\(.)", r"\1", raw) if raw is not None else (found.group("bare") or "")
    if field in ("metadata_modified", "metadata_created"):
        if not ranged:
            raise CkanSearchQuery(text("detail.ckan_range_needed", field=field), field=name)
        span = TimeRange(low=solr_time(found.group("low"), field=field), high=solr_time(found.group("high"),
                                                                                         field=field),
                         low_inclusive=found.group("open") == "[", high_inclusive=found.group("close") == "]")
        if field == "metadata_modified":
            return replace(search, modified=(*search.modified, span))
        return replace(search, created=(*search.created, span))
    if ranged or field not in FQ_FIELDS:
        raise CkanSearchQuery(text("detail.ckan_bad_fq", name=name, value=found.group(0).strip()[:60],
                                   fields=", ".join(FQ_FIELDS)), field=name)
    if field in NO_OPS:
        return search if term == NO_OPS[field] else replace(search, nothing=True)
    if field == "catalogue":
        kept = tuple(c for c in search.catalogues if c == term)
        return replace(search, catalogues=kept, nothing=search.nothing or not kept)
    if field in ("organization", "owner_org"):
        found_org = ckan_index.organization(service, search.catalogues, term)
        if found_org is None:
            return replace(search, nothing=True)
        return replace(search, organizations=(*search.organizations,
                                              Publishers(found_org.catalogue, found_org.publishers)))
    if field == "tags":
        return replace(search, tags=(*search.tags, term))
    if field == "name":
        return replace(search, records=(*search.records,
                                        tuple(ckan_index.records_named(term, search.catalogues))))
    if field == "res_format":
        return replace(search, formats=(*search.formats, FILE_TYPES + term.upper()))
    # theme, groups: an EU theme code or a theme IRI
    return replace(search, themes=(*search.themes, term if ":" in term else THEMES + term.upper()))


def parse_q(search: Search, value: str | None, *, service: CatalogueService) -> Search:
    """`q`: `*:*` or nothing for everything, `field:value` clauses as in fq, else words to look for."""
    if value is None or value.strip() in ("", "*:*", "*"):
        return search
    try:
        return parse_filters(search, value, service=service, name="q")
    except CkanSearchQuery:  # not clauses this API knows (`title:word`, plain words): words to look for
        return replace(search, text=(*search.text, re.sub(r"\b[a-z_]{1,40}:", " ", value)))


# ---------------------------------------------------------------------------------------------- packages


def _ckan_time(value: str) -> str:
    """An index time as CKAN writes metadata_modified: naive UTC, microseconds."""
    return value[:-1] if value.endswith("Z") else value


_NAME, _PUBLISHER = FOAF.name, DCT.publisher  # looked up once: rdflib namespaces resolve attributes in Python


def triples_of(lines: Sequence[str]) -> list[Triple]:
    data = "\n".join(line for line in lines if line).encode("utf-8")
    return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def organization_dict(catalogue: Catalogue, name: str, title: str, *, package_count: int | None = None,
                      created: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": name, "name": name, "title": title, "display_name": title, "type": "organization",
        "description": "", "image_url": "", "is_organization": True, "approval_status": "approved",
        "state": "active", "catalogue": catalogue.id}
    if created is not None:
        found["created"] = _ckan_time(created)
    if package_count is not None:
        found["package_count"] = package_count
    return found


def package(service: CatalogueService, entry: Entry) -> dict[str, Any]:
    """A stored record as a CKAN package: the export's ckanext-dcat scheming fields, plus the core fields a CKAN
    client relies on (name, id, metadata_created/modified from the CatalogRecord, organization, state)."""
    row = entry.row
    catalogue = service.catalogue(row.catalogue)
    iri = catalogue.dataset_iri(row.id)
    triples = triples_of(entry.lines)
    # Of the vocabulary knowledge (labels and types of EU and national IRIs) a package needs only the names of
    # publishers the record names by IRI alone (a DIR3 body): parsing the rest for every package would double
    # the cost of a page.
    named = {s for s, p, _ in triples if p == _NAME}
    unnamed = [ntriples.iri(str(o)) for _, p, o in triples if p == _PUBLISHER and isinstance(o, URIRef)
               and o not in named]
    keys = set(entry.keys)
    wanted = [key for key in unnamed if key in keys]
    if wanted:
        triples += triples_of(service.knowledge.lines(wanted))
    exported = dataset_package(triples, URIRef(iri))
    name = ckan_index.package_name(row.catalogue, row.id)
    organization = None
    if row.publisher:
        organization = organization_dict(catalogue, ckan_index.organization_name(row.catalogue, row.publisher),
                                         row.publisher)
    resources = []
    for position, resource in enumerate(exported.pop("resources", [])):
        key = resource.get("uri") or f"{iri}#resource-{position}"
        resources.append({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "package_id": name,
                          "position": position, "state": "active", **resource})
    exported.pop("name", None)
    tags = exported.get("tags", [])
    return {"id": name, "name": name, "title": exported.pop("title", row.title), "type": "dataset",
            "state": "active", "private": False, "catalogue": row.catalogue,
            "metadata_created": _ckan_time(row.issued), "metadata_modified": _ckan_time(row.modified),
            "owner_org": organization["id"] if organization else None, "organization": organization,
            "num_resources": len(resources), "num_tags": len(tags), **exported, "resources": resources}


CHEAP_FIELDS = frozenset({"id", "name", "title", "type", "state", "catalogue", "metadata_created",
                          "metadata_modified", "owner_org"})


def cheap_package(entry: Entry) -> dict[str, Any]:
    """The fields of a package the index row has (an `fl` asking only for these parses no RDF)."""
    row = entry.row
    name = ckan_index.package_name(row.catalogue, row.id)
    return {"id": name, "name": name, "title": row.title, "type": "dataset", "state": "active",
            "catalogue": row.catalogue, "metadata_created": _ckan_time(row.issued),
            "metadata_modified": _ckan_time(row.modified),
            "owner_org": ckan_index.organization_name(row.catalogue, row.publisher) if row.publisher else None}


def only(packages: list[dict[str, Any]], fields: list[str] | None) -> list[dict[str, Any]]:
    if fields is None:
        return packages
    return [{k: p[k] for k in fields if k in p} for p in packages]

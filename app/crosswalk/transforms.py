"""Named transforms: the only code a crosswalk row can call. Explicit registry (TRANSFORMS), no magic.

Each transform takes one source value and returns the RDF terms it stands for, plus the problems
met on the way (an unknown vocabulary word, a date that is not a date). A transform never raises
for bad data: bad data is a finding for the operator, not an error of the service.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from app.crosswalk.lookups import EU, IANA, Lookups
from app.findings import Problem, Severity
from app.rdf.namespaces import DCT
from app.rdf.terms import Triple, count_literal, iri_term, plain_literal, typed_literal, utc_datetime_literal

MAX_TEXT = 100_000
# Namespace attributes are Python-level lookups that make a new term on every access: read once.
_XSD_DATETIME, _XSD_DATE = XSD.dateTime, XSD.date
_RDF_TYPE, _LICENSE_DOCUMENT, _LOCATION = RDF.type, DCT.LicenseDocument, DCT.Location


@dataclass
class Emitted:
    """What one source value became."""

    terms: list[Node] = field(default_factory=list)
    extra: list[Triple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What a transform may know besides the value."""

    lookups: Lookups
    lang: str
    args: Mapping[str, Any]
    country: str | None = None


Transform = Callable[[Any, Context], Emitted]


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _wrong_type(value: Any) -> Emitted:
    return Emitted(problems=[Problem("wrong-type", Severity.VIOLATION, _shown(value))])


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip()


def _unknown(value: Any, suggestions: list[str], severity: Severity = Severity.WARNING) -> Emitted:
    return Emitted(problems=[Problem("unknown-value", severity, _shown(value), tuple(suggestions))])


# ------------------------------------------------------------------------------------------- text

def text_literal(value: Any, ctx: Context) -> Emitted:
    """A language-tagged text (the source's language, or args.lang)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    lang = str(ctx.args.get("lang", ctx.lang))
    return Emitted(terms=[plain_literal(content[:MAX_TEXT], lang=lang or None)])


_TAG = re.compile(r"<[^>]{0,2000}>")


def html_text(value: Any, ctx: Context) -> Emitted:
    """Text that may carry HTML (Socrata descriptions): tags removed, entities decoded."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    cleaned = re.sub(r"[ \t]+", " ", html.unescape(_TAG.sub(" ", content))).strip()
    return text_literal(cleaned, ctx) if cleaned else Emitted()


def plain(value: Any, ctx: Context) -> Emitted:
    """A text without language (identifiers, codes)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    return Emitted(terms=[plain_literal(content[:MAX_TEXT])] if content else [])


_WORDS: dict[tuple[str, str], Literal] = {}  # keyword literals: catalogues reuse a small vocabulary of tags


def _word(word: str, lang: str) -> Literal:
    found = _WORDS.get((word, lang))
    if found is None:
        if len(_WORDS) >= 50_000:
            _WORDS.clear()
        found = _WORDS[(word, lang)] = plain_literal(word, lang=lang or None)
    return found


def keywords(value: Any, ctx: Context) -> Emitted:
    """Keywords from a list, a comma-separated string, or CKAN tag objects; args.drop removes tokens."""
    items: list[Any] = value if isinstance(value, list) else [value]
    drop = {str(x).strip().casefold() for x in ctx.args.get("drop", [])}
    out = Emitted()
    seen: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            item = item.get("display_name") or item.get("name")
        content = _scalar_text(item)
        if content is None:
            out.problems.extend(_wrong_type(item).problems)
            continue
        for word in content.split(",") if ctx.args.get("split", True) else [content]:
            word = word.strip()
            if word and word.casefold() not in drop and word.casefold() not in seen:
                seen.add(word.casefold())
                out.terms.append(_word(word, ctx.lang))
    return out


# ------------------------------------------------------------------------------------------- IRIs

# An address urlsplit would read as http(s) with a host and nothing rdflib refuses: taken as it is, without
# urlsplit (a Python function, a tenth of the time of mapping a record).
_PLAIN_WEB_ADDRESS = re.compile(r"https?://[A-Za-z0-9.:_~%!$&'()*+,;=-]+(?:[/?#][^\s<>\"{}|\\^`]*)?")


def iri(value: Any, ctx: Context) -> Emitted:
    """A web address; anything else is a violation on the field."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if _PLAIN_WEB_ADDRESS.fullmatch(content):
        return Emitted(terms=[iri_term(content)])
    return checked_address(content)


def checked_address(content: str) -> Emitted:
    """The general case of `iri` (and what its shortcut must agree with)."""
    try:
        parts = urlsplit(content)
    except ValueError:  # "http://[x": an unclosed IPv6 host
        return Emitted(problems=[Problem("invalid-url", Severity.VIOLATION, _shown(content))])
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in content for c in ' <>"{}|\\^`'):
        candidate = quote(content, safe=":/?#[]@!$&'()*+,;=%~") if parts.scheme in ("http", "https") else ""
        if candidate and urlsplit(candidate).netloc:
            return Emitted(terms=[iri_term(candidate)])
        return Emitted(problems=[Problem("invalid-url", Severity.VIOLATION, _shown(content))])
    return Emitted(terms=[iri_term(content)])


_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+$")


def email(value: Any, ctx: Context) -> Emitted:
    """An e-mail address as a mailto: IRI."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    address = content[7:] if content.lower().startswith("mailto:") else content
    if not address:
        return Emitted()
    if not _EMAIL.match(address):
        return Emitted(problems=[Problem("invalid-email", Severity.VIOLATION, _shown(content))])
    return Emitted(terms=[iri_term("mailto:" + address)])


# ------------------------------------------------------------------------------------------- dates

def epoch_datetime(value: Any, ctx: Context) -> Emitted:
    """Unix epoch seconds (Socrata views) → xsd:dateTime in UTC; ISO 8601 text (Discovery API) as is."""
    if isinstance(value, bool):
        return _wrong_type(value)
    if isinstance(value, str) and not value.strip().isdigit():
        return date(value, ctx)
    try:
        seconds = int(str(value).strip())
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return Emitted(problems=[Problem("invalid-date", Severity.VIOLATION, _shown(value))])
    return Emitted(terms=[utc_datetime_literal(moment)])


_DATE_FORMS = (
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), XSD.gYearMonth),
)


def date(value: Any, ctx: Context) -> Emitted:
    """ISO 8601 dates and date-times, with or without zone → xsd:date / xsd:dateTime / gYear(Month)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    for pattern, datatype in _DATE_FORMS:
        if pattern.match(content):
            return Emitted(terms=[typed_literal(content, datatype=datatype)])
    candidate = content.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", content) else content
    try:
        if "T" in candidate:
            parsed = dt.datetime.fromisoformat(candidate.replace("Z", "+00:00"))
            lexical = parsed.isoformat()
            if parsed.tzinfo is not None and parsed.utcoffset() == dt.timedelta(0):
                lexical = lexical.replace("+00:00", "Z")
            return Emitted(terms=[typed_literal(lexical, datatype=_XSD_DATETIME)])
        return Emitted(terms=[typed_literal(dt.date.fromisoformat(candidate).isoformat(), datatype=_XSD_DATE)])
    except ValueError:
        return Emitted(problems=[Problem("invalid-date", Severity.VIOLATION, _shown(content))])


# ------------------------------------------------------------------------------------------- vocabularies

def _in_scheme(value: Any, ctx: Context, scheme: str) -> Emitted:
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    index = ctx.lookups.index(scheme)
    if content.startswith(scheme + "/"):
        found: URIRef | None = URIRef(content) if URIRef(content) in index.shown else None
    else:
        found = index.find(content)
    if found is None:
        return _unknown(content, index.suggestions(content))
    return Emitted(terms=[found])


def frequency(value: Any, ctx: Context) -> Emitted:
    """Frequency words in Spanish or English, ISO 8601 repeating intervals (R/P1M), irregular, realtime."""
    content = _scalar_text(value)
    if content and content.upper().startswith(("R/P", "P")) and " " not in content:
        content = content.upper()
    return _in_scheme(content if content is not None else value, ctx, f"{EU}frequency")


def language(value: Any, ctx: Context) -> Emitted:
    """Language codes (es, spa, SPA) and names (Español, Spanish) → EU language IRI."""
    return _in_scheme(value, ctx, f"{EU}language")


def country(value: Any, ctx: Context) -> Emitted:
    """An EU country code (COL, CHL, MEX, ESP) → EU country IRI."""
    return _in_scheme(value, ctx, f"{EU}country")


def licence(value: Any, ctx: Context) -> Emitted:
    """Licence ids, names and URLs (CKAN cc-by, Socrata CC_40_BY_SA, CC URLs) → EU licence IRI."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content or content.lower() in ("notspecified", "na", "n/a", "none", "sin licencia"):
        return Emitted()
    from app.crosswalk.lookups import url_key

    if content.startswith(f"{EU}licence/"):
        return _in_scheme(content, ctx, f"{EU}licence")
    if content.lower().startswith(("http://", "https://")):
        match = ctx.lookups.exact_urls.get(url_key(content))
        if match is not None:
            return Emitted(terms=[match])
    # The EU table first; then national licences; then SPDX for what the EU table lacks (MIT, OGL-UK-3.0...).
    for scheme in (f"{EU}licence", "https://w3id.org/puente/vocab/national-licences", "http://spdx.org/licenses/"):
        found = ctx.lookups.index(scheme).find(content)
        if found is not None:
            return Emitted(terms=[found])
    if content.lower().startswith(("http://", "https://")) and ctx.args.get("keep_unknown_urls", True):
        # An unknown licence document: kept and described, so the record says what it says.
        document = URIRef(content)
        return Emitted(terms=[document], extra=[(document, _RDF_TYPE, _LICENSE_DOCUMENT)],
                       problems=[Problem("unknown-licence", Severity.WARNING, _shown(content),
                                         tuple(ctx.lookups.index(f"{EU}licence").suggestions(content)))])
    return _unknown(content, ctx.lookups.index(f"{EU}licence").suggestions(content))


def file_format(value: Any, ctx: Context) -> Emitted:
    """Format names (CSV, Excel, .xlsx) or media types (text/csv) → EU file-type IRI."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if "/" in content and not content.startswith("http"):
        found = ctx.lookups.file_type_for_media(content.split(";")[0])
        if found is None:  # the EU table lacks some media types (application/json): try the subtype's name
            subtype = content.split(";")[0].split("/")[-1].removeprefix("vnd.").removeprefix("x-")
            found = ctx.lookups.index(f"{EU}file-type").find(subtype)
        if found is not None:
            return Emitted(terms=[found])
    return _in_scheme(content.lstrip("."), ctx, f"{EU}file-type")


def media_type(value: Any, ctx: Context) -> Emitted:
    """A MIME type (text/csv; charset=utf-8) → IANA media type IRI, when IANA registers it."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    bare = content.split(";")[0].strip().lower()
    if not bare:
        return Emitted()
    if bare.startswith(IANA):
        bare = bare[len(IANA):]
    if ctx.lookups.is_media_type(bare):
        return Emitted(terms=[URIRef(IANA + bare)])
    return _unknown(content, ctx.lookups.index(IANA.rstrip("/")).suggestions(bare))


def media_type_of_format(value: Any, ctx: Context) -> Emitted:
    """The IANA media type the EU file-type table gives for a format name (CSV → text/csv)."""
    found = file_format(value, ctx)
    terms: list[Node] = []
    for term in found.terms:
        media = ctx.lookups.media_type_of(term)
        if media is not None and ctx.lookups.is_media_type(str(media)[len(IANA):]):
            terms.append(media)
    return Emitted(terms=terms)


def place_iri(value: Any, ctx: Context) -> Emitted:
    """A place given by IRI (GeoNames, an authority table): kept, and stated to be a dct:Location."""
    emitted = iri(value, ctx)
    emitted.extra.extend((term, _RDF_TYPE, _LOCATION) for term in emitted.terms)
    return emitted


def theme(value: Any, ctx: Context) -> Emitted:
    """A national theme word → the national concept (kept) plus the EU data theme(s) it aligns to."""
    content = _scalar_text(value)
    if isinstance(value, dict):
        content = _scalar_text(value.get("title") or value.get("display_name") or value.get("name"))
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    eu = ctx.lookups.index(f"{EU}data-theme")
    direct = URIRef(content) if content.startswith(f"{EU}data-theme/") else eu.find(content)
    if direct is not None and direct in eu.shown:
        return Emitted(terms=[direct])
    schemes = [str(ctx.args["scheme"])] + [str(s) for s in ctx.args.get("also", [])]
    for scheme in schemes:
        concept = ctx.lookups.index(scheme).find(content)
        if concept is not None:
            terms: list[Node] = [concept]
            terms.extend(ctx.lookups.matches(concept))
            return Emitted(terms=terms)
    return _unknown(content, ctx.lookups.index(schemes[0]).suggestions(content))


def place(value: Any, ctx: Context) -> Emitted:
    """A place name or code → the national administrative unit (DIVIPOLA, CUT, INEGI, INE)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content or content.casefold() in ("no aplica", "nacional", "na"):
        return Emitted()
    scheme = str(ctx.args["scheme"])
    index = ctx.lookups.index(scheme)
    found = index.find(content)
    if found is None:
        return _unknown(content, index.suggestions(content))
    others = index.others(content)
    if others:  # "Santiago" is a province and a commune: say which one was used
        described = [_describe_place(ctx, c) for c in [found, *others]]
        return Emitted(terms=[found], problems=[Problem("ambiguous-value", Severity.INFO, content, tuple(described))])
    return Emitted(terms=[found])


def _describe_place(ctx: Context, concept: URIRef) -> str:
    from rdflib.namespace import SKOS

    from app.rdf.namespaces import PUENTE

    level = ctx.lookups.graph.value(concept, PUENTE.adminLevel)
    code = ctx.lookups.graph.value(concept, SKOS.notation)
    return f"{ctx.lookups.label(concept)} ({level or ''} {code or ''})".replace("( ", "(").replace(" )", ")")


def byte_size(value: Any, ctx: Context) -> Emitted:
    """A size in bytes → xsd:nonNegativeInteger; '51 KB' or -3 is a violation on the field."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if not re.fullmatch(r"\d{1,18}", content.replace(".0", "", 1) if content.endswith(".0") else content):
        return Emitted(problems=[Problem("invalid-number", Severity.VIOLATION, _shown(content))])
    return Emitted(terms=[count_literal(int(float(content)))])


def access_rights(value: Any, ctx: Context) -> Emitted:
    """public / restricted public / non-public (and Spanish words) → EU access-right IRI."""
    return _in_scheme(value, ctx, f"{EU}access-right")


def _interval_part(value: Any, ctx: Context, part: int) -> Emitted:
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    pieces = content.split("/")
    if len(pieces) != 2:
        return date(content, ctx) if part == 0 else Emitted()
    return date(pieces[part], ctx) if pieces[part].strip() and not pieces[part].startswith("P") else Emitted()


def interval_start(value: Any, ctx: Context) -> Emitted:
    """The start of an ISO 8601 interval ('2013-01/2014-04' → 2013-01); a single date is a start."""
    return _interval_part(value, ctx, 0)


def interval_end(value: Any, ctx: Context) -> Emitted:
    """The end of an ISO 8601 interval."""
    return _interval_part(value, ctx, 1)


def co_coverage(value: Any, ctx: Context) -> Emitted:
    """datos.gov.co: the place the data covers, from the coverage level and the entity's location.

    "Cobertura Geográfica" says only the level (Nacional, Departamental, Municipal); the place comes from
    the entity's "Departamento" / "Municipio" (DIVIPOLA), the municipality looked up inside its department.
    """
    if not isinstance(value, dict):
        return _wrong_type(value)
    data = value.get("Información de Datos") or {}
    entity = value.get("Información de la Entidad") or {}
    if not isinstance(data, dict) or not isinstance(entity, dict):
        return _wrong_type(value)
    level = _scalar_text(data.get("Cobertura Geográfica")) or ""
    department = _scalar_text(entity.get("Departamento")) or ""
    municipality = _scalar_text(entity.get("Municipio")) or ""
    index = ctx.lookups.index("https://w3id.org/puente/place/co")
    key = level.casefold()
    if not level or key == "nacional":
        return Emitted()
    if key == "internacional":
        return Emitted()
    dep = index.find(department) if department else None
    if dep is None and department:
        return _unknown(department, index.suggestions(department))
    if key == "departamental":
        return Emitted(terms=[dep] if dep is not None else [])
    if key in ("municipal", "centro poblado") and municipality:
        if dep is not None and municipality.casefold() == department.casefold():
            return Emitted(terms=[dep])  # Bogotá D.C. is both department and municipality
        for concept in index.named(municipality):
            if dep is None or ctx.lookups.broader(concept) == dep:
                return Emitted(terms=[concept])
        return _unknown(municipality, index.suggestions(municipality))
    return Emitted(terms=[dep] if dep is not None else [])


def constant_iri(value: Any, ctx: Context) -> Emitted:
    """A fixed IRI (the row's value)."""
    return iri(value, ctx)


TRANSFORMS: dict[str, Transform] = {
    "text": text_literal,
    "html_text": html_text,
    "plain": plain,
    "keywords": keywords,
    "iri": iri,
    "email": email,
    "epoch_datetime": epoch_datetime,
    "date": date,
    "frequency": frequency,
    "language": language,
    "country": country,
    "licence": licence,
    "file_format": file_format,
    "media_type": media_type,
    "media_type_of_format": media_type_of_format,
    "theme": theme,
    "place": place,
    "constant_iri": constant_iri,
    "byte_size": byte_size,
    "place_iri": place_iri,
    "access_rights": access_rights,
    "interval_start": interval_start,
    "interval_end": interval_end,
    "co_coverage": co_coverage,
}

# Transforms whose output describes itself through the vocabulary; listed for CROSSWALK.md.
# Transforms that read a whole object name the fields they read inside it, so CROSSWALK.md can list them.
READS: dict[str, tuple[str, ...]] = {
    "co_coverage": ('"Información de Datos"."Cobertura Geográfica"', '"Información de la Entidad".Departamento',
                    '"Información de la Entidad".Municipio'),
}

VOCABULARY_OF: dict[str, str] = {
    "frequency": "frequency", "language": "language", "country": "country", "licence": "licence",
    "file_format": "file-type", "media_type": "media-type", "media_type_of_format": "media-type",
}

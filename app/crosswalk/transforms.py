"""Named transforms: the only code a crosswalk row can call. Explicit registry (TRANSFORMS), no magic.

Each transform takes one source value and returns the RDF terms it stands for, plus the problems
met on the way (an unknown vocabulary word, a date that is not a date). A transform never raises
for bad data: bad data is a finding for the operator, not an error of the service.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from app.crosswalk.lookups import EU, IANA, Lookups
from app.findings import Problem, Severity
from app.rdf.namespaces import DCT, ELI, FOAF, GSP
from app.rdf.terms import Triple, count_literal, iri_term, new_bnode, plain_literal, typed_literal, utc_datetime_literal

MAX_TEXT = 100_000
# Namespace attributes are Python-level lookups that make a new term on every access: read once.
_XSD_DATETIME, _XSD_DATE = XSD.dateTime, XSD.date
_RDF_TYPE, _LICENSE_DOCUMENT, _LOCATION = RDF.type, DCT.LicenseDocument, DCT.Location
_SKOS_CONCEPT, _SKOS_PREFLABEL, _SKOS_INSCHEME = SKOS.Concept, SKOS.prefLabel, SKOS.inScheme
_WKT, _GEOJSON = str(GSP.wktLiteral), str(GSP.geoJSONLiteral)
_FOAF_DOCUMENT, _LEGAL_RESOURCE, _STANDARD = FOAF.Document, ELI.LegalResource, DCT.Standard
_RIGHTS_STATEMENT, _RDFS_LABEL, _DCT_TITLE = DCT.RightsStatement, RDFS.label, DCT.title


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
    origin: str | None = None  # the portal's address, when known (never Puente's)
    base: str = ""  # Puente's own address, for the harmonised identifiers it mints


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


_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,2000}>")
_BREAK = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?ul|/?ol|/?tr|/?h[1-6]|/?blockquote|/?table)\b[^<>]{0,2000}>", re.I)
_SPACES = re.compile(r"[ \t\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text_of(content: str) -> str:
    """Text with its HTML turned into text: line breaks for block tags, other tags removed, entities decoded.
    Text without tags is returned as it is (Markdown keeps its indentation)."""
    if not _TAG.search(content):
        return html.unescape(content) if "&" in content and ";" in content else content
    broken = _TAG.sub(" ", _BREAK.sub("\n", content.replace("\r\n", "\n")))
    lines = (_SPACES.sub(" ", line).strip() for line in html.unescape(broken).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def html_text(value: Any, ctx: Context) -> Emitted:
    """Text that may carry HTML (Socrata and data.json descriptions): HTML turned into text, entities decoded."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    cleaned = plain_text_of(content)
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
    if content.startswith('["') and content.endswith('"]'):  # one date as a JSON list (ckanext-dcat legacy extras)
        try:
            unwrapped = json.loads(content)
        except ValueError:
            unwrapped = None
        if isinstance(unwrapped, list) and len(unwrapped) == 1 and isinstance(unwrapped[0], str):
            content = unwrapped[0].strip()
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
    """Frequency words (Spanish, English, Portuguese), ISO 8601 repeating intervals (R/P1M), irregular, realtime;
    in a sentence ("Data is updated weekly") the one frequency it names."""
    content = _scalar_text(value)
    if content and content.upper().startswith(("R/P", "P")) and " " not in content:
        content = content.upper()
    found = _in_scheme(content if content is not None else value, ctx, f"{EU}frequency")
    if found.terms or not content or " " not in content.strip():
        return found
    named = ctx.lookups.index(f"{EU}frequency").mentioned(content, skip=_VAGUE_FREQUENCY_WORDS)
    return Emitted(terms=[named[0]]) if len(named) == 1 else found


# Words that name a frequency alone but not inside a sentence ("once a week" is not NEVER, "other" not OTHER).
_VAGUE_FREQUENCY_WORDS = frozenset(("once", "una vez", "uma vez", "other", "otra", "otro", "outra", "outro", "day",
                                    "unknown", "desconocida", "desconocido", "desconhecida", "variable"))


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


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "x"


def theme(value: Any, ctx: Context) -> Emitted:
    """A national theme word → the national concept (kept) plus the EU data theme(s) it aligns to; with args.keep,
    a portal's own category no table knows is kept as a concept of that portal scheme."""
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
    keep = ctx.args.get("keep")
    if keep:  # the portal's category, kept as its concept: its EU theme is then said missing, once, by the profile
        scheme_iri = str(keep).rstrip("/")
        concept_iri = URIRef(f"{scheme_iri}/{_slug(content)}")
        return Emitted(terms=[concept_iri], extra=[
            (concept_iri, _RDF_TYPE, _SKOS_CONCEPT), (concept_iri, _SKOS_PREFLABEL, plain_literal(content[:500])),
            (concept_iri, _SKOS_INSCHEME, URIRef(scheme_iri))])
    return _unknown(content, ctx.lookups.index(schemes[0]).suggestions(content))


def place(value: Any, ctx: Context) -> Emitted:
    """A place name or code → the national administrative unit (DIVIPOLA, CUT, INEGI, INE)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content or content.casefold() in ("no aplica", "nacional", "na"):
        return Emitted()
    if _geojson(content) is not None or _WKT_START.match(content) or _corners(content) is not None:
        return Emitted()  # a shape, not a name: the geometry and bbox transforms read it
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


# ------------------------------------------------------------------------------------------- texts in languages

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def translated(value: Any, ctx: Context) -> Emitted:
    """Texts by language (ckanext-scheming's *_translated: {"en": "...", "es": "..."}) → one literal per language,
    tagged; lists of words (tags_translated) give one keyword each. A plain text is read as `html_text` reads it."""
    if not isinstance(value, dict):
        return html_text(value, ctx) if not isinstance(value, list) else keywords(value, ctx)
    out = Emitted()
    for code, content in value.items():
        if not isinstance(code, str) or not _LANG_TAG.match(code):
            out.problems.append(Problem("unknown-value", Severity.WARNING, _shown(code)))
            continue
        tag = code.replace("_", "-").lower()
        for item in content if isinstance(content, list) else [content]:
            text = _scalar_text(item)
            if text is None:
                out.problems.extend(_wrong_type(item).problems)
            elif text:
                out.terms.append(plain_literal(plain_text_of(text)[:MAX_TEXT], lang=tag))
    return out


# ------------------------------------------------------------------------------------------- periods in words

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan", "enero", "ene", "janeiro"), ("february", "feb", "febrero", "fevereiro", "fev"),
    ("march", "mar", "marzo", "marco"), ("april", "apr", "abril", "abr"), ("may", "mayo", "maio"),
    ("june", "jun", "junio", "junho"), ("july", "jul", "julio", "julho"), ("august", "aug", "agosto", "ago"),
    ("september", "sep", "sept", "septiembre", "setiembre", "setembro", "set"),
    ("october", "oct", "octubre", "outubro", "out"), ("november", "nov", "noviembre", "novembro"),
    ("december", "dec", "diciembre", "dic", "dezembro", "dez")), start=1) for name in names}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WHEN = re.compile(
    r"(?P<iso>\b\d{4}-\d{2}(?:-\d{2})?\b)"
    rf"|(?P<mdy>\b(?:{_MONTH_NAMES})\.? \d{{1,2}},? \d{{4}}\b)"
    rf"|(?P<dmy>\b\d{{1,2}}(?: de)? (?:{_MONTH_NAMES})\.?,?(?: de| del)? \d{{4}}\b)"
    rf"|(?P<my>\b(?:{_MONTH_NAMES})\.?,?(?: de| del)? \d{{4}}\b)"
    r"|(?P<y>\b(?:1[6-9]|20)\d{2}\b)")
_OPEN_END = re.compile(r"\b(?:present|presente|now|today|date|fecha|actualidad|hoy|atualidade|hoje|ongoing|current)\b")
_RANGE = re.compile(r"\b(?:to|through|thru|until|till|a|al|hasta|ate|e)\b|[-–—/]")
_SINCE = re.compile(r"^(?:since|from|desde|a partir de|de)\b")


def _when(match: re.Match[str]) -> str:
    """A date expression as an ISO 8601 date, year-month or year."""
    text = match.group(0).replace(",", " ").replace(".", " ")
    if match.group("iso"):
        return match.group("iso")
    words = text.split()
    year = next(w for w in reversed(words) if w.isdigit() and len(w) == 4)
    if match.group("y"):
        return year
    month = next(_MONTHS[w] for w in words if w in _MONTHS)
    day = next((w for w in words if w.isdigit() and len(w) <= 2), None)
    return f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"


def _period_words(content: str) -> str:
    """Lower case, no accents, punctuation but dashes turned into spaces ("Enero–2010" → "enero - 2010")."""
    decomposed = unicodedata.normalize("NFKD", content.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = re.sub(r"(?<=\d)-(?=\d{2}\b)", "\u01c2", bare)  # keep ISO dates (2019-01-31) whole: ǂ is a letter
    spaced = re.sub(r"[–—-]", " - ", re.sub(r"[^\w\s–—/-]+", " ", bare)).replace("\u01c2", "-")
    return re.sub(r"\s+", " ", spaced).strip()


def period_of(content: str) -> tuple[str | None, str | None] | None:
    """The start and end an English, Spanish or Portuguese description of a period states ("June 2011 to present",
    "2006 - 2010", "desde enero de 2015"), or None when it states no period Puente can tell for sure."""
    text = _period_words(content)
    plain = text
    dates = [_when(m) for m in _WHEN.finditer(text)]
    if not dates:
        return None
    between = _WHEN.split(text)  # the words between the dates
    if len(dates) >= 2 and _RANGE.search(" ".join(p for p in between[1:-1] if p) or " "):
        return dates[0], dates[-1]
    if len(dates) == 1:
        if _OPEN_END.search(plain) and _RANGE.search(plain) or _SINCE.match(plain):
            return dates[0], None
        if _WHEN.fullmatch(text.strip()):  # the text is one date: that day, month or year
            return dates[0], dates[0]
    return None


def _period_part(value: Any, ctx: Context, part: int) -> Emitted:
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if "/" in content and re.match(r"^\s*\d{4}", content):  # an ISO 8601 interval
        return _interval_part(content, ctx, part)
    found = period_of(content)
    if found is None:  # reported once, by the start
        return Emitted(problems=[Problem("unread-text", Severity.WARNING, _shown(content))]) if part == 0 \
            else Emitted()
    chosen = found[part]
    return date(chosen, ctx) if chosen else Emitted()


def period_start(value: Any, ctx: Context) -> Emitted:
    """The start of a period written in words ("June 2011 to present" → 2011-06) or as an ISO 8601 interval."""
    return _period_part(value, ctx, 0)


def period_end(value: Any, ctx: Context) -> Emitted:
    """The end of a period written in words ("2006 to 2010" → 2010); none for "to present"."""
    return _period_part(value, ctx, 1)


# ------------------------------------------------------------------------------------------- places as shapes

_NUMBER = r"\s*(-?\d{1,3}(?:\.\d+)?)\s*"
_BBOX = re.compile(rf"^\[?{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}\]?$")
_GEOJSON_TYPES = frozenset(("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                            "GeometryCollection"))
_WKT_START = re.compile(r"^\s*(?:SRID=\d+;)?\s*(?:MULTI)?(?:POINT|LINESTRING|POLYGON)\s*\(", re.I)


def _corners(value: Any) -> tuple[float, float, float, float] | None:
    """West, south, east, north from "W,S,E,N" text or a list of four numbers, when they are coordinates."""
    numbers: list[float]
    if isinstance(value, list) and len(value) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                             for v in value):
        numbers = [float(v) for v in value]
    elif isinstance(value, str) and (match := _BBOX.match(value.strip())):
        numbers = [float(g) for g in match.groups()]
    else:
        return None
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


def _geojson(value: Any) -> dict[str, Any] | None:
    document = value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            document = json.loads(value)
        except ValueError:
            return None
    if isinstance(document, dict) and document.get("type") in _GEOJSON_TYPES \
            and ("coordinates" in document or "geometries" in document):
        return document
    return None


def bbox(value: Any, ctx: Context) -> Emitted:
    """A bounding box ("W,S,E,N", four numbers, or a GeoJSON polygon) → dcat:bbox as a WKT polygon; anything else
    gives nothing (args.strict: a finding)."""
    corners = _corners(value)
    if corners is None:
        shape = _geojson(value)
        if shape is not None and shape.get("type") == "Polygon":
            ring = shape.get("coordinates", [[]])[0]
            points = ", ".join(f"{x} {y}" for x, y, *_ in ring) if all(isinstance(p, list) and len(p) >= 2
                                                                         for p in ring) else ""
            if points:
                return Emitted(terms=[typed_literal(f"POLYGON(({points}))", datatype=_WKT)])
        if ctx.args.get("strict") and value not in ("", None):
            return Emitted(problems=[Problem("unread-text", Severity.WARNING, _shown(value))])
        return Emitted()
    west, south, east, north = corners
    ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
    return Emitted(terms=[typed_literal(f"POLYGON(({ring}))", datatype=_WKT)])


def geometry(value: Any, ctx: Context) -> Emitted:
    """A GeoJSON geometry (object or text) or a WKT text → locn:geometry, typed as such; anything else, nothing."""
    shape = _geojson(value)
    if shape is not None:
        return Emitted(terms=[typed_literal(json.dumps(shape, separators=(",", ":")), datatype=_GEOJSON)])
    if isinstance(value, str) and _WKT_START.match(value):
        return Emitted(terms=[typed_literal(value.strip(), datatype=_WKT)])
    return Emitted()


_CODE = re.compile(r"^(?:[A-Z]{3}|\d{2,9})$")


def place_label(value: Any, ctx: Context) -> Emitted:
    """A place named in words ("Washington, DC") → its label; codes, addresses, boxes and shapes are read elsewhere."""
    content = _scalar_text(value)
    if not content or _CODE.match(content) or content.startswith(("http://", "https://")) \
            or _corners(content) is not None or _geojson(content) is not None or _WKT_START.match(content):
        return Emitted()
    return Emitted(terms=[plain_literal(content[:500], lang=ctx.lang or None)])


def spatial_code(value: Any, ctx: Context) -> Emitted:
    """A country code (ARG, COL) → EU country IRI; a place IRI (GeoNames) kept; anything else is read elsewhere."""
    content = _scalar_text(value)
    if not content:
        return Emitted()
    if content.startswith(("http://", "https://")):
        return place_iri(content, ctx)
    if re.fullmatch(r"[A-Z]{3}", content):
        found = ctx.lookups.index(f"{EU}country").find(content)
        return Emitted(terms=[found]) if found is not None else _unknown(content, [])
    return Emitted()


# ------------------------------------------------------------------------------------------- links and nodes

def iri_template(value: Any, ctx: Context) -> Emitted:
    """An identifier made into an IRI by the first of args.templates whose parts are known ({origin}: the portal's
    address; {base}: Puente's, for its harmonised identifiers; {value}: the identifier)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    pattern = ctx.args.get("pattern")
    if pattern and not re.fullmatch(str(pattern), content):
        return Emitted(problems=[Problem("unknown-value", Severity.WARNING, _shown(content))])
    for template in ctx.args.get("templates", []):
        if "{origin}" in template and not ctx.origin:
            continue
        rendered = str(template).replace("{origin}", ctx.origin or "").replace("{base}", ctx.base) \
            .replace("{value}", quote(content, safe="-._~"))
        return iri(rendered, ctx)
    return Emitted()


def portal_url(value: Any, ctx: Context) -> Emitted:
    """A link the portal gives relative to itself (/api/geospatial/abcd-1234) made absolute with its address;
    absolute links as they are."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if content.startswith("/") and not content.startswith("//"):
        return iri(ctx.origin + content, ctx) if ctx.origin else Emitted()
    return iri(content, ctx)


def _typed_iri(value: Any, ctx: Context, cls: URIRef) -> Emitted:
    emitted = iri(value, ctx)
    emitted.extra.extend((term, _RDF_TYPE, cls) for term in emitted.terms)
    return emitted


def document_page(value: Any, ctx: Context) -> Emitted:
    """A web page about the dataset or distribution (documentation) → foaf:page, a foaf:Document."""
    return _typed_iri(value, ctx, _FOAF_DOCUMENT)


def legal_resource(value: Any, ctx: Context) -> Emitted:
    """A law (an ELI address) → dcatap:applicableLegislation, an eli:LegalResource."""
    return _typed_iri(value, ctx, _LEGAL_RESOURCE)


def standard(value: Any, ctx: Context) -> Emitted:
    """A standard or schema the data conforms to: by address (a dct:Standard), or by name (a new dct:Standard
    with that title)."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if content.startswith(("http://", "https://")):
        return _typed_iri(content, ctx, _STANDARD)
    node = new_bnode()
    return Emitted(terms=[node], extra=[(node, _RDF_TYPE, _STANDARD),
                                        (node, _DCT_TITLE, plain_literal(content[:500], lang=ctx.lang or None))])


def rights_statement(value: Any, ctx: Context) -> Emitted:
    """A statement of rights or of access rights: an EU access-right code, an address (a dct:RightsStatement), or
    words, in one or several languages (a new dct:RightsStatement labelled with them)."""
    if isinstance(value, str) and value.strip():
        content = value.strip()
        if ctx.args.get("scheme"):
            found = ctx.lookups.index(str(ctx.args["scheme"])).find(content)
            if found is not None or content.startswith(f"{EU}access-right/"):
                return _in_scheme(content, ctx, str(ctx.args["scheme"]))
        if content.startswith(("http://", "https://")):
            return _typed_iri(content, ctx, _RIGHTS_STATEMENT)
    labels = translated(value, ctx)
    if not labels.terms:
        return labels
    node = new_bnode()
    return Emitted(terms=[node], extra=[(node, _RDF_TYPE, _RIGHTS_STATEMENT),
                                        *((node, _RDFS_LABEL, label) for label in labels.terms)],
                   problems=labels.problems)


_DURATION = re.compile(r"^-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
                       r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")


def duration(value: Any, ctx: Context) -> Emitted:
    """An ISO 8601 duration (PT15M, P1D) → xsd:duration."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not content:
        return Emitted()
    if not _DURATION.match(content.upper()):
        return Emitted(problems=[Problem("unread-text", Severity.WARNING, _shown(content))])
    return Emitted(terms=[typed_literal(content.upper(), datatype=str(XSD.duration))])


def decimal(value: Any, ctx: Context) -> Emitted:
    """A number (1.5, "20") → xsd:decimal."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    if not re.fullmatch(r"\d{1,15}(?:\.\d{1,12})?", content):
        return Emitted(problems=[Problem("invalid-number", Severity.WARNING, _shown(content))]) if content \
            else Emitted()
    return Emitted(terms=[typed_literal(content, datatype=str(XSD.decimal))])


def checksum_value(value: Any, ctx: Context) -> Emitted:
    """A hexadecimal digest (CKAN resources' hash) → spdx:checksumValue, xsd:hexBinary."""
    content = _scalar_text(value)
    if content is None:
        return _wrong_type(value)
    bare = content.split(":", 1)[-1].strip().lower()  # "sha256:ab12..." as some portals write it
    if not re.fullmatch(r"(?:[0-9a-f]{2}){8,64}", bare):
        return Emitted(problems=[Problem("unread-text", Severity.WARNING, _shown(content))]) if content \
            else Emitted()
    return Emitted(terms=[typed_literal(bare, datatype=str(XSD.hexBinary))])


_ALGORITHMS = {32: "md5", 40: "sha1", 56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def checksum_algorithm(value: Any, ctx: Context) -> Emitted:
    """The digest's algorithm: an SPDX algorithm IRI as given, or the one its length says (40 hex digits: SHA-1)."""
    content = _scalar_text(value)
    if not content:
        return Emitted()
    if content.startswith(("http://", "https://")):
        return iri(content, ctx)
    named = content.split(":", 1)[0].lower().replace("-", "") if ":" in content else ""
    bare = content.split(":", 1)[-1].strip().lower()
    name = named if named in _ALGORITHMS.values() else _ALGORITHMS.get(len(bare)) if re.fullmatch(
        "[0-9a-f]+", bare) else content.lower().replace("-", "")
    if name not in _ALGORITHMS.values():
        return _unknown(content, list(_ALGORITHMS.values()))
    return Emitted(terms=[iri_term(f"http://spdx.org/rdf/terms#checksumAlgorithm_{name}")])


def concept(value: Any, ctx: Context) -> Emitted:
    """A code, label or IRI of the vocabulary args.scheme (planned availability, access rights...)."""
    return _in_scheme(value, ctx, str(ctx.args["scheme"]))


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
    "translated": translated,
    "period_start": period_start,
    "period_end": period_end,
    "bbox": bbox,
    "geometry": geometry,
    "place_label": place_label,
    "spatial_code": spatial_code,
    "iri_template": iri_template,
    "portal_url": portal_url,
    "document_page": document_page,
    "legal_resource": legal_resource,
    "standard": standard,
    "rights_statement": rights_statement,
    "duration": duration,
    "decimal": decimal,
    "checksum_value": checksum_value,
    "checksum_algorithm": checksum_algorithm,
    "concept": concept,
}

# Transforms that make a new blank node for each value: never remembered between values (two records must not
# share a node; see Mapper._transformed).
FRESH: frozenset[Transform] = frozenset((standard, rights_statement))

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

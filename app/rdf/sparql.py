"""SPARQL safety: inspect a user's query before anything runs it, and write terms into Puente's own queries safely.

A query is refused (InputError, 400) when it is too long, is an update, reaches outside the machine (SERVICE, LOAD,
Virtuoso's DEFINE pragmas such as `get:soft` that make it fetch URLs) or cannot be read. Two independent checks:
the parsed query tree (rdflib's SPARQL parser), and a scan of its keywords outside strings, IRIs and comments, so a
parser quirk can never let one through. Puente's own queries never concatenate request values: terms go in through
`iri_ref` and `literal_ref`, which refuse or escape everything N-Triples does not allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.errors import InputError
from app.i18n import text


class QueryForm(StrEnum):
    SELECT = "select"
    ASK = "ask"
    CONSTRUCT = "construct"
    DESCRIBE = "describe"

    @property
    def makes_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed inspection, and its form (which decides the answer's media types)."""

    text: str
    form: QueryForm


_FORMS = {"SelectQuery": QueryForm.SELECT, "AskQuery": QueryForm.ASK, "ConstructQuery": QueryForm.CONSTRUCT,
          "DescribeQuery": QueryForm.DESCRIBE}
# Keywords of updates, federation and Virtuoso pragmas; matched outside strings, IRIs and comments.
_REFUSED_WORDS = ("SERVICE", "LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
                  "DEFINE", "SPARQL")
# Strings (long and short, both quotes), IRIs and comments, in the order SPARQL's grammar gives them precedence.
_OPAQUE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                     r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|<[^<>\"{}|^`\\\s]*>" r"|#[^\n]*")
_WORD = re.compile(r"(?<![\w:?$])[A-Za-z]+(?![\w:])")


# Virtuoso runs `bif:` names as its built-in SQL functions (bif:http_get fetches a URL) and `sql:` names as stored
# procedures, from any query: refused as prefixed names and as IRIs, wherever they appear.
_VIRTUOSO_NAMES = re.compile(r"(?i)(?<![\w.\-:])(?:bif|sql):")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _virtuoso_names(query: str) -> bool:
    """True when the query names a `bif:` or `sql:` function or procedure: a prefixed name, or an IRI."""
    if _VIRTUOSO_NAMES.search(_OPAQUE.sub(" ", query)):
        return True
    return any(found.group(0)[1:].lstrip().lower().startswith(("bif:", "sql:")) for found in _OPAQUE.finditer(query)
               if found.group(0).startswith("<"))


def _unescaped(query: str) -> str:
    """The query with SPARQL's \\u and \\U code point escapes undone (a server may undo them before parsing)."""
    return _ESCAPE.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), query)


def _functions(tree: object) -> list[str]:
    """The IRIs of every function a query calls by IRI (extension functions and XSD casts), prefixes resolved."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    prefixes: dict[str, str] = {}
    found: list[str] = []
    stack: list[object] = [tree]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            if current.name == "PrefixDecl":
                prefixes[str(current.get("prefix") or "")] = str(current.get("iri"))
            elif current.name == "Function":
                name = current.get("iri")
                if isinstance(name, CompValue) and name.name == "pname":
                    prefix = str(name.get("prefix") or "")
                    found.append(prefixes.get(prefix, prefix + ":") + str(name.get("localname") or ""))
                else:
                    found.append(str(name))
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(reversed(list(current)))
    return found


def _words(query: str) -> set[str]:
    """The bare keywords of a query (prefixed names, variables, strings, IRIs and comments left out)."""
    return {w.upper() for w in _WORD.findall(_OPAQUE.sub(" ", query))}


def _tree_names(node: object) -> set[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack: list[object] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            names.add(current.name)
            stack.extend(current.values())
        elif isinstance(current, (list, tuple, ParseResults)):
            stack.extend(current)
    return names


def inspect_query(query: str, *, max_chars: int) -> CheckedQuery:
    """The query and its form, or InputError naming why it will not run."""
    if not query.strip():
        raise InputError(text("detail.sparql_empty"), field="query")
    if len(query) > max_chars:
        raise InputError(text("detail.sparql_too_long", limit=max_chars), field="query")
    if any(_virtuoso_names(text_) for text_ in (query, _unescaped(query))):
        raise InputError(text("detail.sparql_refused", keywords="bif:, sql:"), field="query")
    refused = sorted(_words(query) & set(_REFUSED_WORDS))
    if refused:
        raise InputError(text("detail.sparql_refused", keywords=", ".join(refused)), field="query")
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(query)
    except Exception as broken:  # pyparsing raises its own hierarchy; every failure is a syntax error for the client
        line, column = getattr(broken, "lineno", None), getattr(broken, "col", None)  # pyparsing's position
        raise InputError(text("detail.sparql_syntax", message=str(broken)[:300]), field="query",
                         line=line if isinstance(line, int) else None,
                         column=column if isinstance(column, int) else None) from broken
    names = _tree_names(tree)
    if names & {"ServiceGraphPattern", "Load"}:
        raise InputError(text("detail.sparql_refused", keywords="SERVICE"), field="query")
    for function in _functions(tree):
        if not function.startswith(_XSD):
            raise InputError(text("detail.sparql_function", function=function[:120]), field="query")
    forms = [form for name, form in _FORMS.items() if name in names]
    if len(forms) != 1:
        raise InputError(text("detail.sparql_syntax", message="not a SELECT, ASK, CONSTRUCT or DESCRIBE query"),
                         field="query")
    return CheckedQuery(text=query, form=forms[0])


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def iri_ref(iri: str) -> str:
    """`<iri>` for a SPARQL query, or ValueError: an IRI may hold none of the characters that could end it."""
    if not iri or _IRI_FORBIDDEN.search(iri) or ":" not in iri:
        raise ValueError(f"not an absolute IRI Puente writes into a query: {iri[:80]!r}")
    return f"<{iri}>"


def literal_ref(value: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A quoted literal for a SPARQL query, every character that could end it escaped."""
    escaped = "".join(_ECHAR.get(c, c if c >= " " else f"\\u{ord(c):04X}") for c in value)
    if lang is not None:
        if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", lang):
            raise ValueError(f"not a language tag: {lang[:20]!r}")
        return f'"{escaped}"@{lang}'
    if datatype is not None:
        return f'"{escaped}"^^{iri_ref(datatype)}'
    return f'"{escaped}"'

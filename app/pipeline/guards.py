"""Checks that run before any parser sees untrusted input (see docs/reference/security.md).

- JSON: duplicate keys, NaN/Infinity, huge numbers and deep nesting are refused; so are documents with more
  values than RDF may have triples, or strings longer than RDF literals may be (413, before any mapping).
- JSON-LD: no remote or file contexts are ever fetched; the profile's own context is inlined.
- RDF/XML: see xml_guard.py.
"""

from __future__ import annotations

import json
from typing import Any

from app.errors import ParseError, PayloadTooLargeError, UnsafeInputError
from app.i18n import text

MAX_NUMBER_CHARS = 40


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadConstantError(ValueError):
    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


class _LastWins:
    """Keep the last value of a repeated key, as every JSON parser does, and remember the key."""

    def __init__(self) -> None:
        self.repeated: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.repeated.append(key)
            result[key] = value
        return result


def _reject_constant(value: str) -> Any:
    raise _BadConstantError(value)


def _bounded_int(value: str) -> int:
    if len(value) > MAX_NUMBER_CHARS:
        raise _BadConstantError(value[:20] + "…")
    return int(value)


def _bounded_float(value: str) -> float:
    if len(value) > MAX_NUMBER_CHARS:
        raise _BadConstantError(value[:20] + "…")
    number = float(value)
    if number in (float("inf"), float("-inf")):
        raise _BadConstantError(value)
    return number


def _check_document(document: Any, *, limit: int, max_items: int | None, max_string: int | None) -> None:
    """Depth, number of values and length of strings (keys included), in one walk."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        items += 1
        if depth > limit:
            raise ParseError(text("detail.json_depth", limit=limit))
        if max_items is not None and items > max_items:
            raise PayloadTooLargeError(text("detail.too_many_items", limit=max_items))
        if isinstance(node, dict):
            if max_string is not None and any(len(key) > max_string for key in node):
                raise PayloadTooLargeError(text("detail.literal_too_long", limit=max_string))
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif max_string is not None and isinstance(node, str) and len(node) > max_string:
            raise PayloadTooLargeError(text("detail.literal_too_long", limit=max_string))


def decode_utf8(body: bytes) -> str:
    """The body as text; invalid UTF-8 is a 400 naming the byte, not a crash later on."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(text("detail.encoding", position=exc.start)) from exc


def strict_json_loads(body: bytes, *, max_depth: int, repeated: list[str] | None = None, max_items: int | None = None,
                      max_string: int | None = None) -> Any:
    """Parse JSON refusing what makes two parsers disagree or a server fall over.

    Repeated keys are refused, unless `repeated` is given: then the last value wins and the keys are
    appended to it (for plain JSON records, where Puente is the only reader and can report them).
    `max_items` (values, containers included) and `max_string` (characters) are the caps RDF has for triples and
    literals: a 413 beyond them.
    """
    source = decode_utf8(body)
    hook: Any = _no_duplicates
    if repeated is not None:
        hook = _LastWins()
    try:
        document = json.loads(source, object_pairs_hook=hook, parse_constant=_reject_constant,
                              parse_int=_bounded_int, parse_float=_bounded_float)
        if isinstance(hook, _LastWins) and repeated is not None:
            repeated.extend(hook.repeated)
    except _DuplicateKeyError as duplicate:  # one name per clause: compiled code types each
        raise ParseError(text("detail.json_duplicate_key", key=duplicate.key)) from duplicate
    except _BadConstantError as constant:
        first = constant.value[:1]
        key = "detail.json_number" if first.isdigit() or first == "-" else "detail.json_constant"
        raise ParseError(text(key, value=constant.value)) from constant
    except json.JSONDecodeError as broken:
        raise ParseError(text("detail.syntax", syntax="JSON", message=broken.msg), line=broken.lineno,
                         column=broken.colno) from broken
    except RecursionError as deep:
        raise ParseError(text("detail.json_depth", limit=max_depth)) from deep
    _check_document(document, limit=max_depth, max_items=max_items, max_string=max_string)
    return document


def inline_jsonld_contexts(document: Any, *, own_contexts: dict[str, Any], own_iri: str) -> Any:
    """Replace references to the profile's own context by its content; refuse any other remote context.

    Walks iteratively, so deep documents cannot exhaust the stack. Returns the same object, changed in place.
    """
    stack: list[Any] = [document]
    root: dict[str, Any] = {}  # the document's top-level context, once resolved (its type-scoped contexts)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "@import" in node:
            raise UnsafeInputError(text("detail.context_import"), field="@import")
        if "@context" in node:
            node["@context"] = _resolve_context(node["@context"], own_contexts=own_contexts, own_iri=own_iri)
            # scoped contexts inside term definitions are walked like any other node
            if node is document and isinstance(node["@context"], dict):
                root = node["@context"]
        elif root:
            _merge_type_scoped(node, root)
        stack.extend(node.values())
    return document


def _merge_type_scoped(node: dict[str, Any], context: dict[str, Any]) -> None:
    """A node of several types that each bring a type-scoped context (the DCAT-AP examples' "Dataset" and
    "DatasetMemberOfADatasetSeries"): pyoxigraph applies only one of them and drops the other's terms (titles, dates).
    JSON-LD 1.1 applies them all, in the order of the types: their definitions are written on the node itself, in
    that order and not propagated to nested nodes, which is what the specification's processing gives."""
    types = node.get("@type")
    if not isinstance(types, list) or len(types) < 2:
        return
    scoped: list[dict[str, Any]] = []
    for name in sorted(t for t in types if isinstance(t, str)):
        definition = context.get(name)
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            scoped.append(definition["@context"])
    if len(scoped) < 2:
        return
    merged: dict[str, Any] = {"@propagate": False}
    for part in scoped:
        merged.update(part)
    node["@context"] = json.loads(json.dumps(merged))


def _resolve_context(value: Any, *, own_contexts: dict[str, Any], own_iri: str) -> Any:
    if isinstance(value, str):
        if value in own_contexts:
            document = own_contexts[value]
            inner = document.get("@context", document) if isinstance(document, dict) else document
            return json.loads(json.dumps(inner))  # a private copy: the walk may change it
        raise UnsafeInputError(text("detail.remote_context", context=value[:200], own=own_iri), field="@context")
    if isinstance(value, list):
        return [_resolve_context(v, own_contexts=own_contexts, own_iri=own_iri) for v in value]
    return value

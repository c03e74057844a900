"""What validation and mapping find: Severity, Finding (one result) and Problem (a value that could not be read).

Every layer uses these: the SHACL engines make Findings, crosswalk transforms and RDF normalisation steps report
Problems, and `Problem.at` turns a Problem into the Finding that reports show, with its message in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from rdflib import Literal, URIRef
from rdflib.term import Node

from app.i18n import LocalText, compose, has_message, text
from app.rdf.namespaces import curie


class Severity(StrEnum):
    """SHACL severities, named the way reports show them."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"


class Finding(NamedTuple):
    """One result: which node, which property, which value broke which shape (or which mapping rule).

    A named tuple: engines make one per result, and a frozen dataclass's __init__ costs eight Python-level calls."""

    focus: Node
    path: URIRef | None
    value: Node | None
    component: str
    shape: str
    severity: Severity
    message: LocalText | None = None       # set for problems found while mapping (no profile shape)
    source_field: str | None = None        # set when the finding's field is known where it is made
    source_gap: bool = False               # the format has no field for this: the message says how to supply it

    def key(self) -> tuple[str, str, str, str, str]:
        """What makes two findings the same, whichever engine produced them."""
        return (str(self.focus), str(self.path or ""), self.component, self.shape, self.severity.value)


# Problems found while mapping are results with their own constraint names (docs/DESIGN.md §5), never silent drops.
PROBLEMS = "https://w3id.org/puente/problems/mapping#"
COMPONENTS = {
    "unknown-value": "puente:UnknownValue", "unknown-licence": "puente:UnknownLicence",
    "invalid-date": "puente:InvalidDate", "invalid-email": "puente:InvalidEmail", "invalid-url": "puente:InvalidURL",
    "invalid-number": "puente:InvalidNumber", "wrong-type": "puente:WrongType", "duplicate-key": "puente:DuplicateKey",
    "ambiguous-value": "puente:AmbiguousValue", "no-origin": "puente:NoOrigin", "unread-text": "puente:UnreadText",
}


@dataclass(frozen=True)
class Problem:
    """A value of the source record Puente could not read as the profile wants (an unknown word, a date that is
    not a date): something the operator must fix or check."""

    kind: str
    severity: Severity
    value: str
    suggestions: tuple[str, ...] = ()
    count: int = 1  # values of one field with the same problem, reported together (`value` lists them)

    def at(self, *, focus: Node, target: URIRef | None, source_field: str | None) -> Finding:
        """The finding reports show for this problem, on `target` of `focus`, read from `source_field` (None: the
        format has no field for it, a source gap)."""
        shown = source_field or ""
        return Finding(focus=focus, path=target, value=Literal(self.value) if self.value else None,
                       component=COMPONENTS[self.kind], shape=PROBLEMS + self.kind, severity=self.severity,
                       message=self.message(shown, target), source_field=source_field,
                       source_gap=source_field is None)

    def message(self, source_field: str, target: URIRef | None) -> LocalText:
        if self.kind == "duplicate-key":
            return text("mapping.duplicate-key", value=self.value)
        if self.kind == "no-origin":
            return text("mapping.no-origin", target=curie(str(target)) if target is not None else "")
        if self.kind == "ambiguous-value":
            return text("mapping.ambiguous-value", value=self.value, field=source_field, used=self.suggestions[0],
                        others=", ".join(self.suggestions[1:]))
        hint: LocalText = text("mapping.hint", suggestions=", ".join(self.suggestions)) if self.suggestions else {}
        key = f"mapping.{self.kind}.many" if self.count > 1 and has_message(f"mapping.{self.kind}.many") \
            else f"mapping.{self.kind}"
        return compose(key, localized={"hint": hint}, value=self.value, field=source_field,
                       target=curie(str(target)) if target is not None else "")


def merged(problems: list[Problem]) -> Problem:
    """Problems of one kind met on several values of one field, as one (its value lists the values)."""
    first = problems[0]
    if len(problems) == 1:
        return first
    values = list(dict.fromkeys(p.value for p in problems))
    suggestions = tuple(dict.fromkeys(s for p in problems for s in p.suggestions))[:6]
    return Problem(first.kind, max((p.severity for p in problems), key=_SEVERITY_RANK.__getitem__),
                   " · ".join(values), suggestions, count=len(values))


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.VIOLATION: 2}


class FindingLimitReached(Exception):
    """An engine stopped after finding more than it was allowed to (a report of them would pass its cap); the
    caller turns it into the answer that names the cap."""

    def __init__(self, found: int) -> None:
        super().__init__(f"more than {found - 1} findings")
        self.found = found

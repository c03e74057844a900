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

from app.i18n import LocalText, compose, text
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

    def key(self) -> tuple[str, str, str, str, str]:
        """What makes two findings the same, whichever engine produced them."""
        return (str(self.focus), str(self.path or ""), self.component, self.shape, self.severity.value)


# Problems found while mapping are results with their own constraint names (docs/DESIGN.md §5), never silent drops.
PROBLEMS = "https://w3id.org/puente/problems/mapping#"
COMPONENTS = {
    "unknown-value": "puente:UnknownValue", "unknown-licence": "puente:UnknownLicence",
    "invalid-date": "puente:InvalidDate", "invalid-email": "puente:InvalidEmail", "invalid-url": "puente:InvalidURL",
    "invalid-number": "puente:InvalidNumber", "wrong-type": "puente:WrongType", "duplicate-key": "puente:DuplicateKey",
    "ambiguous-value": "puente:AmbiguousValue",
}


@dataclass(frozen=True)
class Problem:
    """A value of the source record Puente could not read as the profile wants (an unknown word, a date that is
    not a date): something the operator must fix or check."""

    kind: str
    severity: Severity
    value: str
    suggestions: tuple[str, ...] = ()

    def at(self, *, focus: Node, target: URIRef | None, source_field: str) -> Finding:
        """The finding reports show for this problem, on `target` of `focus`, read from `source_field`."""
        return Finding(focus=focus, path=target, value=Literal(self.value), component=COMPONENTS[self.kind],
                       shape=PROBLEMS + self.kind, severity=self.severity, message=self.message(source_field, target),
                       source_field=source_field)

    def message(self, source_field: str, target: URIRef | None) -> LocalText:
        if self.kind == "duplicate-key":
            return text("mapping.duplicate-key", value=self.value)
        if self.kind == "ambiguous-value":
            return text("mapping.ambiguous-value", value=self.value, field=source_field, used=self.suggestions[0],
                        others=", ".join(self.suggestions[1:]))
        hint: LocalText = text("mapping.hint", suggestions=", ".join(self.suggestions)) if self.suggestions else {}
        return compose(f"mapping.{self.kind}", localized={"hint": hint}, value=self.value, field=source_field,
                       target=curie(str(target)) if target is not None else "")

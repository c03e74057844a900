"""The JSON report of DESIGN §5 as pydantic models: the API's response schema.

Kept apart from the code that builds reports, which is compiled with mypyc (app/native.py) and may not
define pydantic models itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal as TypingLiteral

from pydantic import BaseModel, Field

from app.pipeline.validation import Finding

RecordType = TypingLiteral["dataset", "dataservice", "datasetseries", "catalog", "other"]
# Given a finding, name the input field it is about (crosswalk provenance), or None.
SourceFieldResolver = Callable[[Finding, str | None], str | None]


class ReportResult(BaseModel):
    severity: TypingLiteral["violation", "warning", "info"]
    path: str | None = Field(description="The profile property, as a CURIE.")
    focus: str = Field(description="The node the constraint applies to.")
    value: str | None = Field(description="The offending value, when there is one.")
    message: str = Field(description="What is wrong and how to fix it, in the language asked for.")
    constraint: str = Field(description="The SHACL constraint component, e.g. sh:MinCountConstraintComponent.")
    shape: str = Field(description="IRI of the profile shape; see /profile.")
    shape_name: str = Field(description="Short name of the shape, in the language asked for.")
    source_field: str | None = Field(description="The field of the input format this is about.")


class RecordReport(BaseModel):
    id: str
    iri: str | None
    title: str | None
    type: RecordType
    conforms: bool
    violations: int
    warnings: int
    infos: int
    results: list[ReportResult]


class Summary(BaseModel):
    records: int = Field(description="Datasets, data services and dataset series in the input.")
    conforming: int = Field(description="Of those, how many have no violation.")
    violations: int
    warnings: int
    infos: int


class ProfileRef(BaseModel):
    iri: str
    version: str


class ValidationReport(BaseModel):
    """The answer of POST /validate. `conforms` means: no violation (warnings and hints allowed)."""

    conforms: bool
    source: str
    source_detected: bool = Field(description="True when Puente chose the source itself.")
    lang: str
    profile: ProfileRef
    summary: Summary
    records: list[RecordReport]

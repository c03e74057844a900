"""The JSON report of docs/DESIGN.md §5, defined once: TypedDicts that report.py fills and clients read.

Reports are built as plain dictionaries (a pydantic model per result would cost more than finding the result);
these types give their fields, in order, to mypy (every literal that builds one is checked), to the OpenAPI
schema (FastAPI reads TypedDicts through pydantic) and to readers (REPORT_ADAPTER validates JSON back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

from app.findings import Finding

RecordType = Literal["dataset", "dataservice", "datasetseries", "catalog", "other"]
SeverityName = Literal["violation", "warning", "info"]
# Given a finding, name the input field it is about (crosswalk provenance), or None.
SourceFieldResolver = Callable[[Finding, str | None], str | None]


class ReportResult(TypedDict):
    severity: SeverityName
    path: Annotated[str | None, Field(description="The profile property, as a CURIE.")]
    focus: Annotated[str, Field(description="The node the constraint applies to.")]
    value: Annotated[str | None, Field(description="The offending value, when there is one.")]
    message: Annotated[str, Field(description="What is wrong and how to fix it, in the language asked for.")]
    constraint: Annotated[str, Field(description="The SHACL constraint component (sh:MinCountConstraintComponent).")]
    shape: Annotated[str, Field(description="IRI of the profile shape; see /profile.")]
    shape_name: Annotated[str, Field(description="Short name of the shape, in the language asked for.")]
    source_field: Annotated[str | None, Field(description="The field of the input format this is about.")]
    source_gap: Annotated[bool, Field(description=(
        "True when the input format has no field for this (source_field is null): the message says how to supply "
        "the value on that platform anyway."))]
    element: Annotated[str | None, Field(description=(
        "The part of the record this is about, named for people (\"contact point\", \"distribution 2: CSV\"); "
        "null for the record itself."))]


class RecordReport(TypedDict):
    id: str
    iri: str | None
    title: str | None
    type: RecordType
    conforms: bool
    violations: int
    warnings: int
    infos: int
    results: Annotated[list[ReportResult], Field(description="The results on this record and on the nodes only it "
                                                             "reaches (its distributions, contact point...).")]
    shared: Annotated[list[int], Field(description=(
        "Indexes, in the report's `shared` list, of the results on nodes this record shares with other records; "
        "the record's counts and `conforms` include them."))]


class SharedResults(TypedDict):
    """Results on nodes several records reach (a distribution or a publisher they share), reported once."""

    records: Annotated[list[str], Field(description="The ids of the records that reach these nodes.")]
    results: list[ReportResult]


class Summary(TypedDict):
    records: Annotated[int, Field(description="Datasets, data services and dataset series in the input.")]
    conforming: Annotated[int, Field(description="Of those, how many have no violation.")]
    violations: int
    warnings: int
    infos: int


class ProfileRef(TypedDict):
    iri: str
    version: str


class ValidationReport(TypedDict):
    """The answer of POST /validate. `conforms` means: no violation (warnings and hints allowed)."""

    conforms: bool
    source: str
    source_detected: Annotated[bool, Field(description="True when Puente chose the source itself.")]
    lang: str
    profile: ProfileRef
    summary: Summary
    records: list[RecordReport]
    shared: Annotated[list[SharedResults], Field(description=(
        "Results on nodes several records share, once each, with the records concerned (a finding on a shared "
        "distribution is not repeated under every dataset that has it)."))]
    quality: NotRequired[Annotated[dict[str, Any], Field(
        description="Only with ?quality=true: each dataset's MQA score and freshness (see /dashboard).")]]


REPORT_ADAPTER: TypeAdapter[ValidationReport] = TypeAdapter(ValidationReport)

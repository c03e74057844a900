"""The crosswalk file format (mappings/<source>/crosswalk.yaml), as pydantic models.

One row per target property: where the value comes from (path, then fallbacks, or a constant),
the named transform that turns it into RDF, and a note for reviewers. Anything conditional
lives in a named transform, never in the file.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Fallback(BaseModel):
    """A fallback read with its own transform (e.g. the media type from the format name)."""

    model_config = ConfigDict(extra="forbid")

    path: str
    transform: str


class RowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(description="Profile property, as a CURIE (dct:title).")
    path: str | None = Field(default=None, description="Where the value is, in the path grammar.")
    fallbacks: list[str | Fallback] = Field(default_factory=list,
                                            description="Paths tried in order when `path` is empty.")
    value: str | None = Field(default=None, description="A constant or a {template}, instead of a path.")
    transform: str = Field(default="text", description="Named transform (app/crosswalk/transforms.py).")
    args: dict[str, Any] = Field(default_factory=dict, description="Options of the transform.")
    node: NodeSpec | None = Field(default=None, description="Build a described node (publisher, distribution...).")
    note: str | None = Field(default=None, description="Why this row is as it is; shown in CROSSWALK.md.")

    @model_validator(mode="after")
    def _one_source(self) -> RowSpec:
        given = [x for x in (self.path, self.value, self.node) if x is not None]
        if len(given) != 1:
            raise ValueError(f"row {self.target}: give exactly one of path, value or node")
        if self.fallbacks and self.path is None:
            raise ValueError(f"row {self.target}: fallbacks need a path")
        return self


class NodeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    class_: str = Field(alias="class", description="Class of the node, as a CURIE.")
    iri: str | None = Field(default=None, description="IRI template; omitted = blank node.")
    iri_fallbacks: list[str] = Field(default_factory=list, description="Templates tried when `iri` lacks a value.")
    each: str | None = Field(default=None, description="Make one node per item this path reaches.")
    when: str | None = Field(default=None, description="Make the node only when this path has a true value.")
    require: list[str] = Field(default_factory=list,
                               description="Make the node only when one of these paths has a value.")
    rows: list[RowSpec]


class Detect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    all_of: list[str] = Field(default_factory=list, description="Paths that must all have a value.")
    any_of: list[str] = Field(default_factory=list, description="Paths of which one must have a value.")
    none_of: list[str] = Field(default_factory=list, description="Paths that must have no value.")
    text_contains: list[str] = Field(default_factory=list,
                                     description="Text of which one must appear in the document (a portal's domain).")
    contexts: list[str] = Field(default_factory=list,
                                description="JSON-LD @context addresses the format carries (data.json's POD context): "
                                            "a document with one of them is this format's, not generic JSON-LD.")
    priority: int = Field(default=0, description="Higher wins when several sources match.")


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    title: dict[str, str]
    description: dict[str, str]
    country: str | None = Field(default=None, description="EU country code when the source is national.")
    lang: str = Field(default="es", description="Language tag of the source's texts; empty when unknown.")
    origin: str | None = Field(default=None, description="Base URL of the portal, for {origin} in templates.")
    records: list[str] = Field(default_factory=lambda: ["$"], description="Where records are in a document.")
    detect: Detect
    dataset: NodeSpec


RowSpec.model_rebuild()

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
    text: dict[str, str] | None = Field(default=None,
                                        description="A text Puente writes itself, in each language (templates "
                                                    "allowed): titles and descriptions of what it generates.")
    transform: str = Field(default="text", description="Named transform (app/crosswalk/transforms.py).")
    args: dict[str, Any] = Field(default_factory=dict, description="Options of the transform.")
    node: NodeSpec | None = Field(default=None, description="Build a described node (publisher, distribution...).")
    not_after: str | None = Field(default=None,
                                  description="A path: a value later than this one's is skipped for the next "
                                              "fallback (a publication date after the last change of the data).")
    note: str | None = Field(default=None, description="Why this row is as it is; shown in CROSSWALK.md.")

    @model_validator(mode="after")
    def _one_source(self) -> RowSpec:
        given = [x for x in (self.path, self.value, self.node, self.text) if x is not None]
        if len(given) != 1:
            raise ValueError(f"row {self.target}: give exactly one of path, value, text or node")
        if self.fallbacks and self.path is None:
            raise ValueError(f"row {self.target}: fallbacks need a path")
        if self.not_after is not None and self.path is None:
            raise ValueError(f"row {self.target}: not_after needs a path")
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
    when_in: list[str] = Field(default_factory=list,
                               description="With `when`: the values of that path that count (compared ignoring case).")
    unless: str | None = Field(default=None, description="Make the node only when this path has no value.")
    needs_origin: bool = Field(default=False,
                               description="The node is made of links on the portal (exports, APIs): made only when "
                                           "the portal's address is known, else a finding says how to give it.")
    drop_empty: bool = Field(default=False,
                             description="Leave the node out when none of its rows gave a value (its problems are "
                                         "then reported on the property that points at it).")
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


class Ignored(BaseModel):
    """A field of the format Puente deliberately leaves out, and why (listed in CROSSWALK.md)."""

    model_config = ConfigDict(extra="forbid")

    field: str
    reason: str


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    title: dict[str, str]
    description: dict[str, str]
    country: str | None = Field(default=None, description="EU country code when the source is national.")
    lang: str = Field(default="es", description="Language tag of the source's texts; empty when unknown.")
    lang_from: list[str] = Field(default_factory=list,
                                 description="Paths where a record states its language: when it states exactly one, "
                                             "its texts are tagged with it (never guessed from the format).")
    origin: str | None = Field(default=None, description="Base URL of the portal, for {origin} in templates.")
    origin_from: list[str] = Field(default_factory=list,
                                   description="Paths in a record that give its portal's address (a URL or a "
                                               "domain); ?origin= and --origin override them.")
    records: list[str] = Field(default_factory=lambda: ["$"], description="Where records are in a document.")
    minted: str | None = Field(default=None,
                               description="Why the IRIs this crosswalk mints under Puente's address are minted.")
    detect: Detect
    dataset: NodeSpec
    ignored: list[Ignored] = Field(default_factory=list,
                                   description="Fields deliberately left out, with the reason (CROSSWALK.md).")


RowSpec.model_rebuild()

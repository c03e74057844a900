"""Validate: the profile's triples in, findings out, with the engine the settings choose.

Both engines get Puente's background knowledge (types, schemes and labels of the vocabulary IRIs a record
uses, subclass axioms), so a record that uses EU authority IRIs correctly does not get false range
violations (SEMICeu/DCAT-AP#125, #248).
"""

from __future__ import annotations

from typing import Literal

from rdflib import Graph

from app.profile.model import Profile
from app.shacl.fast import FastEngine
from app.shacl.reference import PyshaclEngine
from app.shacl.reference import with_background as shacl_with_background

Engine = FastEngine | PyshaclEngine


def reference_engine(profile: Profile) -> PyshaclEngine:
    """pyshacl over the profile's shapes, with the profile's background."""
    return PyshaclEngine(profile.shapes_graph, background=profile.background.triples_for)


def fast_engine(profile: Profile) -> FastEngine:
    return FastEngine(list(profile.shapes.values()), background=profile.background)


def engine_for(profile: Profile, *, name: Literal["fast", "pyshacl"]) -> Engine:
    """The engine a setting names: `fast` (the default) or `pyshacl` (the reference)."""
    return reference_engine(profile) if name == "pyshacl" else fast_engine(profile)


def with_background(data: Graph, *, profile: Profile) -> Graph:
    """A copy of `data` plus the background triples it needs (what pyshacl validates)."""
    return shacl_with_background(data, background=profile.background.triples_for)

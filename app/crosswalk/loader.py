"""Load mappings/<source>/crosswalk.yaml, check it, and compile it for the engine.

Every path is parsed, every CURIE expanded and every transform looked up when the file loads,
so a typo stops the service at start-up instead of silently dropping a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rdflib import URIRef

from app.crosswalk.model import Crosswalk, NodeSpec, RowSpec
from app.crosswalk.paths import FieldPath, PathSyntaxError, parse_path
from app.crosswalk.transforms import TRANSFORMS, Transform
from app.errors import ConfigurationError
from app.rdf.namespaces import PREFIXES

_TEMPLATE_FIELD = "{"


@dataclass(frozen=True)
class RowPlan:
    row: RowSpec
    target: URIRef
    paths: tuple[FieldPath, ...]
    transform: Transform
    node: NodePlan | None
    transforms: tuple[Transform, ...] = ()  # one per path: the row's, or a fallback's own
    not_after: FieldPath | None = None


@dataclass(frozen=True)
class NodePlan:
    spec: NodeSpec
    cls: URIRef
    each: FieldPath | None
    when: FieldPath | None
    require: tuple[FieldPath, ...]
    rows: tuple[RowPlan, ...]
    unless: FieldPath | None = None
    when_in: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LoadedCrosswalk:
    spec: Crosswalk
    path: Path
    records: tuple[FieldPath, ...]
    dataset: NodePlan
    origin_from: tuple[FieldPath, ...] = ()
    lang_from: tuple[FieldPath, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.source


def _fail(where: str, message: str) -> ConfigurationError:
    text = f"{where}: {message}"
    return ConfigurationError({"es": text, "en": text})


def expand(curie: str, *, where: str) -> URIRef:
    """dct:title → http://purl.org/dc/terms/title; an unknown prefix is a load error."""
    if curie.startswith(("http://", "https://")):
        return URIRef(curie)
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES or not local:
        raise _fail(where, f"{curie!r} is not a CURIE with a known prefix ({', '.join(PREFIXES)})")
    return URIRef(PREFIXES[prefix] + local)


def _path(text: str, *, where: str) -> FieldPath:
    try:
        return parse_path(text)
    except PathSyntaxError as exc:
        raise _fail(where, str(exc)) from exc


def _plan_node(node: NodeSpec, *, where: str) -> NodePlan:
    rows = tuple(_plan_row(row, where=f"{where} > {row.target}") for row in node.rows)
    return NodePlan(
        spec=node, cls=expand(node.class_, where=where),
        each=_path(node.each, where=where) if node.each else None,
        when=_path(node.when, where=where) if node.when else None,
        require=tuple(_path(p, where=where) for p in node.require),
        rows=rows,
        unless=_path(node.unless, where=where) if node.unless else None,
        when_in=frozenset(v.casefold() for v in node.when_in),
    )


def _plan_row(row: RowSpec, *, where: str) -> RowPlan:
    transform = TRANSFORMS.get(row.transform)
    if transform is None:
        raise _fail(where, f"unknown transform {row.transform!r}; known: {', '.join(sorted(TRANSFORMS))}")
    sources: list[tuple[str, Transform]] = [(row.path, transform)] if row.path else []
    for fallback in row.fallbacks:
        if isinstance(fallback, str):
            sources.append((fallback, transform))
        else:
            own = TRANSFORMS.get(fallback.transform)
            if own is None:
                raise _fail(where, f"unknown transform {fallback.transform!r}; known: {', '.join(sorted(TRANSFORMS))}")
            sources.append((fallback.path, own))
    paths = tuple(_path(p, where=where) for p, _ in sources)
    if row.transform in ("theme", "place", "concept") and "scheme" not in row.args:
        raise _fail(where, f"transform {row.transform} needs args.scheme")
    node = _plan_node(row.node, where=where) if row.node else None
    if row.text is not None and not row.text:
        raise _fail(where, "text needs at least one language")
    return RowPlan(row=row, target=expand(row.target, where=where), paths=paths, transform=transform, node=node,
                   transforms=tuple(t for _, t in sources),
                   not_after=_path(row.not_after, where=where) if row.not_after else None)


def load_crosswalk(path: Path) -> LoadedCrosswalk:
    """Read and compile one crosswalk file."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(str(path), f"cannot read YAML: {exc}") from exc
    try:
        spec = Crosswalk.model_validate(raw)
    except ValidationError as exc:
        raise _fail(str(path), str(exc)) from exc
    if spec.source != path.parent.name:
        raise _fail(str(path), f"source {spec.source!r} must match its folder {path.parent.name!r}")
    return LoadedCrosswalk(spec=spec, path=path,
                           records=tuple(_path(p, where=f"{path} records") for p in spec.records),
                           dataset=_plan_node(spec.dataset, where=f"{path} dataset"),
                           origin_from=tuple(_path(p, where=f"{path} origin_from") for p in spec.origin_from),
                           lang_from=tuple(_path(p, where=f"{path} lang_from") for p in spec.lang_from))


def load_crosswalks(mappings_dir: Path) -> dict[str, LoadedCrosswalk]:
    """Every mappings/<source>/crosswalk.yaml, keyed by source name."""
    loaded: dict[str, LoadedCrosswalk] = {}
    for path in sorted(mappings_dir.glob("*/crosswalk.yaml")):
        crosswalk = load_crosswalk(path)
        loaded[crosswalk.name] = crosswalk
    return loaded

"""A crosswalk as a table people can review: the rows of CROSSWALK.md and of GET /sources/{source}."""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.crosswalk.loader import LoadedCrosswalk, NodePlan
from app.crosswalk.rdf_source import LoadedRdfSource
from app.crosswalk.transforms import READS, TRANSFORMS, VOCABULARY_OF

_WRITTEN = "(Puente's text)"  # the transform column of a row whose text Puente writes itself


@dataclass(frozen=True)
class TableRow:
    """One target property: where its value comes from and how it is turned into RDF."""

    node: str
    target: str
    source: str
    fallbacks: list[str]
    transform: str
    transform_doc: str
    vocabulary: str | None
    note: str | None


@functools.cache
def _docstrings(module: str) -> dict[str, str]:
    """The first line of each function's docstring, read from the module's source: compiled functions
    (app/native.py) keep no docstring."""
    source = importlib.import_module(module).__file__ or ""
    path = Path(source).with_name(Path(source).name.split(".", 1)[0] + ".py")
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            doc = (ast.get_docstring(node) or "").strip()
            found[node.name] = doc.splitlines()[0] if doc else ""
    return found


def _first_line(function: Callable[..., Any]) -> str:
    return _docstrings(function.__module__).get(function.__name__, "")


def _doc(name: str) -> str:
    return _first_line(TRANSFORMS[name])


def _walk(node: NodePlan, *, label: str, prefix: str, rows: list[TableRow]) -> None:
    for compiled in node.rows:
        row = compiled.row
        if compiled.node is not None:
            child = compiled.node
            child_label = f"{child.spec.class_} ({row.target})"
            child_prefix = (child.spec.each + " → ") if child.spec.each else prefix
            condition = f" when {child.spec.when}" if child.spec.when else ""
            if child.spec.when_in:
                condition += " in " + ", ".join(child.spec.when_in)
            if child.spec.unless:
                condition += f" unless {child.spec.unless}"
            if child.spec.needs_origin:
                condition += " (portal address known)"
            rows.append(TableRow(node=label, target=row.target,
                                 source=(child.spec.each or ", ".join(child.spec.require) or "(built)") + condition,
                                 fallbacks=[], transform="node", transform_doc=f"builds a {child.spec.class_}",
                                 vocabulary=None, note=row.note))
            _walk(child, label=child_label, prefix=child_prefix, rows=rows)
            continue
        if row.text is not None:
            source = "= " + " / ".join(f"{text} ({lang})" for lang, text in row.text.items())
        else:
            source = row.path if row.path is not None else f"= {row.value}"
        if row.path is not None and row.transform in READS:  # a transform that reads fields inside the object
            source += " → " + ", ".join(READS[row.transform])
        scheme = row.args.get("scheme")
        vocabulary = str(scheme) if scheme else VOCABULARY_OF.get(row.transform)
        if row.not_after:
            source += f" (not after `{row.not_after}`)"
        rows.append(TableRow(node=label, target=row.target,
                             source=(prefix + source) if row.path and not row.path.startswith("$") else source,
                             fallbacks=[f if isinstance(f, str) else f"{f.path} ({f.transform})"
                                        for f in row.fallbacks],
                             transform=_WRITTEN if row.text is not None else row.transform,
                             transform_doc="a text Puente writes, in each language" if row.text is not None
                             else _doc(row.transform), vocabulary=vocabulary, note=row.note))


def crosswalk_table(crosswalk: LoadedCrosswalk) -> list[TableRow]:
    """Every row of the crosswalk, nested nodes flattened in reading order."""
    rows: list[TableRow] = []
    _walk(crosswalk.dataset, label=crosswalk.spec.dataset.class_, prefix="", rows=rows)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(crosswalk: LoadedCrosswalk) -> str:
    """CROSSWALK.md: generated from the crosswalk file; a test fails when it is stale."""
    spec = crosswalk.spec
    lines = [
        f"# Crosswalk `{spec.source}`: {spec.title.get('en', '')}",
        "",
        "<!-- Generated from crosswalk.yaml by `make crosswalks`. Do not edit by hand. -->",
        "",
        f"{spec.description.get('es', '')}",
        "",
        f"{spec.description.get('en', '')}",
        "",
        f"- Records are read from: {', '.join(f'`{r}`' for r in spec.records)}",
        f"- Language of texts: `{spec.lang or '(not stated)'}`"
        + (f", else the one a record states in {', '.join(f'`{p}`' for p in spec.lang_from)}"
           if spec.lang_from and not spec.lang else "")
        + (f"; country: `{spec.country}`" if spec.country else ""),
        f"- Portal address (`{{origin}}`): {spec.origin or 'not fixed'}"
        + (f"; a record's own from {', '.join(f'`{p}`' for p in spec.origin_from)}" if spec.origin_from else "")
        + "; `?origin=` (`--origin`) overrides it. Links on the portal are written only when it is known, never "
          "under Puente's address.",
        "",
        "| node | profile property | source field | fallbacks | transform | vocabulary | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in crosswalk_table(crosswalk):
        lines.append("| " + " | ".join(_cell(x) for x in (
            row.node, f"`{row.target}`", f"`{row.source}`", ", ".join(f"`{f}`" for f in row.fallbacks),
            f"{row.transform}", row.vocabulary or "", row.note or "")) + " |")
    lines += ["", "Transforms:", ""]
    used = sorted({r.transform for r in crosswalk_table(crosswalk) if r.transform not in ("node", _WRITTEN)})
    lines += [f"- `{name}`: {_doc(name)}" for name in used]
    lines += ["", "## IRIs Puente mints", ""]
    minted = minted_templates(crosswalk)
    if minted:
        lines += [f"- `{template}` ({where})" for template, where in minted]
        lines += ["", spec.minted or "(no explanation given)"]
    else:
        lines += ["None: every IRI comes from the record or from the portal's address."]
    lines += ["", "## Fields deliberately left out", ""]
    if spec.ignored:
        lines += ["| field | why |", "|---|---|"]
        lines += [f"| `{_cell(item.field)}` | {_cell(item.reason)} |" for item in spec.ignored]
    else:
        lines += ["None: every field of the format with a home in the profile is read."]
    return "\n".join(lines) + "\n"


def minted_templates(crosswalk: LoadedCrosswalk) -> list[tuple[str, str]]:
    """The IRI templates under Puente's own address ({base}), with the node they name: identifiers Puente mints,
    never links (a test checks that no link row uses {base})."""
    found: list[tuple[str, str]] = []

    def walk(node: NodePlan, label: str) -> None:
        for template in [node.spec.iri or "", *node.spec.iri_fallbacks]:
            if "{base}" in template:
                found.append((template, label))
        for plan in node.rows:
            if plan.node is not None:
                walk(plan.node, f"{plan.node.spec.class_} ({plan.row.target})")
            for template in plan.row.args.get("templates", []):
                if "{base}" in str(template):
                    found.append((str(template), f"{plan.row.target} values"))

    walk(crosswalk.dataset, crosswalk.spec.dataset.class_)
    return found


def steps_table(source: LoadedRdfSource) -> list[TableRow]:
    """An RDF source's normalisation steps as table rows."""
    return [TableRow(node="(RDF)", target=spec.target, source=spec.field, fallbacks=[], transform=spec.step,
                     transform_doc=_first_line(step), vocabulary=None,
                     note=spec.note) for spec, step in source.steps]


def render_steps_markdown(source: LoadedRdfSource) -> str:
    """CROSSWALK.md of an RDF source: the steps that rewrite national habits, in order."""
    spec = source.spec
    lines = [f"# Crosswalk `{spec.source}`: {spec.title.get('en', '')}", "",
             "<!-- Generated from steps.yaml by `make crosswalks`. Do not edit by hand. -->", "",
             spec.description.get("es", ""), "", spec.description.get("en", ""), "",
             "The record is read as RDF and kept as published; these steps run in this order:", "",
             "| step | source property | profile property | what it does | note |", "|---|---|---|---|---|"]
    for row in steps_table(source):
        lines.append("| " + " | ".join(_cell(x) for x in (f"`{row.transform}`", f"`{row.source}`", f"`{row.target}`",
                                                         row.transform_doc, row.note or "")) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Regenerate every mappings/<source>/CROSSWALK.md."""
    from app.crosswalk.loader import load_crosswalks
    from app.crosswalk.rdf_source import load_rdf_sources
    from app.settings import REPO_ROOT

    for crosswalk in load_crosswalks(REPO_ROOT / "mappings").values():
        (crosswalk.path.parent / "CROSSWALK.md").write_text(render_markdown(crosswalk), encoding="utf-8")
    for rdf in load_rdf_sources(REPO_ROOT / "mappings").values():
        (rdf.path.parent / "CROSSWALK.md").write_text(render_steps_markdown(rdf), encoding="utf-8")


if __name__ == "__main__":
    main()

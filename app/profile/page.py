"""The profile as a table a portal operator can read: class → properties → level, cardinality, values."""

from __future__ import annotations

from dataclasses import dataclass

from app.findings import Severity
from app.i18n import render
from app.profile.model import Level, Profile, ShapeInfo
from app.rdf.namespaces import curie

_LEVEL_RANK = {"mandatory": 0, "recommended": 1, "optional": 2}
_LEVEL_LABEL = {
    "mandatory": {"es": "Obligatorio", "en": "Mandatory", "pt": "Obrigatório"},
    "recommended": {"es": "Recomendado", "en": "Recommended", "pt": "Recomendado"},
    "optional": {"es": "Opcional", "en": "Optional", "pt": "Opcional"},
}
_SEVERITY_LABEL = {
    "violation": {"es": "Error", "en": "Violation", "pt": "Erro"},
    "warning": {"es": "Aviso", "en": "Warning", "pt": "Aviso"},
    "info": {"es": "Sugerencia", "en": "Hint", "pt": "Sugestão"},
}
_KIND_LABEL = {
    "sh:IRI": {"es": "URL", "en": "URL"},
    "sh:Literal": {"es": "texto", "en": "text"},
    "sh:BlankNodeOrIRI": {"es": "recurso", "en": "resource"},
}


@dataclass(frozen=True)
class ConstraintRow:
    iri: str
    anchor: str
    severity: str
    severity_label: str
    name: str
    message: str
    component: str


@dataclass(frozen=True)
class PropertyRow:
    path: str
    path_iri: str
    level: str
    level_label: str
    cardinality: str
    expected: str
    vocabulary: str | None
    description: str
    constraints: list[ConstraintRow]


@dataclass(frozen=True)
class ClassSection:
    anchor: str
    target: str
    label: str
    comment: str
    properties: list[PropertyRow]


def _level(shapes: list[ShapeInfo]) -> str:
    if any(s.level is Level.MANDATORY for s in shapes):
        return "mandatory"
    if any(s.severity is Severity.WARNING for s in shapes):
        return "recommended"
    return "optional"


def _expected(shapes: list[ShapeInfo], lang: str, member_vocab: dict[str, str]) -> tuple[str, str | None]:
    parts: list[str] = []
    vocabulary: str | None = None
    for shape in shapes:
        params = shape.parameters
        if "sh:class" in params:
            parts.append(params["sh:class"])
            vocabulary = vocabulary or member_vocab.get(params["sh:class"])
        elif "sh:datatype" in params:
            parts.append(params["sh:datatype"])
        elif "sh:nodeKind" in params:
            parts.append(render(_KIND_LABEL.get(params["sh:nodeKind"], {"es": params["sh:nodeKind"]}), lang))
        elif "or" in params:
            parts.append(params["or"])
        elif "qualifiedValueShape" in params:
            vocabulary = vocabulary or member_vocab.get(params["qualifiedValueShape"])
        elif "node" in params:
            vocabulary = vocabulary or member_vocab.get(params["node"])
        elif "sh:pattern" in params:
            parts.append("mailto:…" if "mailto" in params["sh:pattern"] else params["sh:pattern"])
    return " · ".join(dict.fromkeys(parts)) or "—", vocabulary


def build_page(profile: Profile, *, lang: str) -> list[ClassSection]:
    """One section per class, one row per property, constraints listed under each row."""
    by_scheme = {curie(v.iri): name for name, v in profile.vocabularies.items()}
    member_vocab: dict[str, str] = {}
    for name, vocab in profile.vocabularies.items():
        member_vocab.setdefault(curie(vocab.member_class), name)
    member_vocab.update(by_scheme)
    member_vocab["skos:Concept"] = "data-theme"
    sections: list[ClassSection] = []
    for cls in profile.classes:
        grouped: dict[str, list[ShapeInfo]] = {}
        for shape in profile.shapes_for_class(cls.target_class):
            grouped.setdefault(shape.path, []).append(shape)
        rows: list[PropertyRow] = []
        for path, shapes in grouped.items():
            level = _level(shapes)
            minimum = 1 if level == "mandatory" else 0
            maxima = [int(s.parameters["sh:maxCount"]) for s in shapes if "sh:maxCount" in s.parameters]
            cardinality = f"{minimum}..{min(maxima) if maxima else 'n'}"
            expected, vocabulary = _expected(shapes, lang, member_vocab)
            description = next((render(s.description, lang) for s in shapes if s.description), "")
            constraints = [ConstraintRow(iri=s.iri, anchor=s.iri.rsplit("#", 1)[-1], severity=s.severity.value,
                                         severity_label=render(_SEVERITY_LABEL[s.severity.value], lang),
                                         name=render(s.name, lang), message=render(s.message, lang),
                                         component=s.component) for s in shapes]
            rows.append(PropertyRow(path=curie(path), path_iri=path, level=level,
                                    level_label=render(_LEVEL_LABEL[level], lang), cardinality=cardinality,
                                    expected=expected, vocabulary=vocabulary, description=description,
                                    constraints=constraints))
        rows.sort(key=lambda r: (_LEVEL_RANK[r.level], r.path))
        sections.append(ClassSection(anchor=curie(cls.target_class).replace(":", "-"), target=curie(cls.target_class),
                                     label=render(cls.label, lang), comment=render(cls.comment, lang),
                                     properties=rows))
    return sections

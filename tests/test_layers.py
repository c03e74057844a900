"""Dependencies point one way: a package imports only packages below it in LAYERS (README "For developers").

A package-level import cycle (pipeline ↔ crosswalk, say) fails here, function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

from app.settings import REPO_ROOT

# Top to bottom. Modules of one entry may import each other; an entry may import any entry below it.
LAYERS: list[set[str]] = [
    {"app.main", "app.cli"},
    {"app.api"},
    {"app.harvest"},
    {"app.quality"},
    {"app.catalogue"},
    {"app.runtime"},
    {"app.pipeline"},
    {"app.crosswalk"},
    {"app.profile"},
    {"app.shacl"},
    {"app.net"},
    {"app.findings"},
    {"app.rdf"},
    {"app.errors", "app.i18n", "app.settings", "app.logs", "app.native", "app"},
]


def _unit(module: str) -> str:
    """The LAYERS entry a module belongs to: its package under app, or the top-level module itself."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _rank(module: str) -> int:
    unit = _unit(module)
    for rank, layer in enumerate(LAYERS):
        if unit in layer:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app") and node.level == 0:
            found.add(node.module)
            found.update(f"app.{a.name}" for a in node.names if node.module == "app" and not a.name.startswith("_"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("app."))
    return found


def _modules() -> dict[str, Path]:
    root = REPO_ROOT / "app"
    return {".".join(("app", *p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__"): p
            for p in root.rglob("*.py")}


def upward_imports() -> list[str]:
    wrong = []
    for module, path in sorted(_modules().items()):
        for imported in sorted(_imports(path)):
            if _unit(imported) != _unit(module) and _rank(imported) < _rank(module):
                wrong.append(f"{module} imports {imported}")
    return wrong


def test_every_module_belongs_to_a_layer() -> None:
    for module in _modules():
        _rank(module)


def test_no_import_runs_back_up() -> None:
    assert upward_imports() == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule is not vacuous: the pipeline importing the service's workers is caught."""
    module = tmp_path / "probe.py"
    module.write_text("from app.runtime.workers import Runner\n", encoding="utf-8")
    imported = _imports(module)
    assert imported == {"app.runtime.workers"}
    assert _rank("app.runtime.workers") < _rank("app.pipeline.run")


def test_every_module_says_what_it_is_for() -> None:
    """The first line of every module's docstring says what it is for."""
    for module, path in _modules().items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 15, f"{module} has no docstring saying what it is for"

"""The hot modules of the pipeline compiled to C with mypyc (the compiler mypy and black ship with).

    python -m app.native ensure    # build when a module is missing or stale (what `make native` runs)
    python -m app.native build     # build whatever the state
    python -m app.native status    # which modules run compiled; exit 1 when one is missing or stale
    python -m app.native clean     # back to plain Python

mapping, validation and report building is plain Python: a generic interpreter of crosswalks and shapes that
creates many small objects per record. Compiled, the same source runs about a third faster (README
"Performance"), with no change of behaviour: mypyc compiles the typed code `mypy --strict` already checks.
Each compiled module is a `.so` file beside its `.py`; Python imports the `.so` first, so a `.so` older than
its source would run old code: `status` reports it, and importing the package refuses to start (app/__init__.py).
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Kept where compiling pays: each module's share of the batch path's CPU time as plain Python (cProfile over the
# 10,000-record benchmark corpus, one process, 2026-11-30): crosswalk/engine 25 %, pipeline/report 9 %, rdf/terms 8 %,
# shacl/checks 8 %, shacl/fast 6 %, pipeline/parsing 4 %, crosswalk/paths 3 %, crosswalk/transforms 3 %,
# rdf/triple_index 2 % (Spain's reading). Left as plain Python, each under 2 %: guards, mapping, runtime/batch,
# lookups, rdf_steps (compiling them could save at most about 1 % together, and their code is easier to change).
HOT_MODULES = (
    "app/crosswalk/paths.py",
    "app/crosswalk/transforms.py",
    "app/crosswalk/engine.py",
    "app/rdf/terms.py",
    "app/rdf/triple_index.py",
    "app/shacl/checks.py",
    "app/shacl/fast.py",
    "app/pipeline/report.py",
    "app/pipeline/parsing.py",
)
GROUP = "app.native"  # the shared runtime library: app/native__mypyc.*.so


@dataclass(frozen=True)
class ModuleState:
    source: str
    compiled: Path | None  # the extension module beside the source, when there is one
    stale: bool  # the source changed after it was compiled


def _extension_of(source: Path) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_name(source.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def states(*, root: Path = ROOT) -> list[ModuleState]:
    """Each hot module: compiled or not, and whether its compiled form is older than its source (or than this
    file, which lists the modules compiled together)."""
    found = []
    listed = (root / "app" / "native.py").stat().st_mtime
    for relative in HOT_MODULES:
        source = root / relative
        extension = _extension_of(source)
        stale = extension is not None and extension.stat().st_mtime < max(source.stat().st_mtime, listed)
        found.append(ModuleState(source=relative, compiled=extension, stale=stale))
    return found


def strays(*, root: Path = ROOT) -> list[Path]:
    """Compiled modules whose source is no longer in HOT_MODULES: Python would still import them."""
    listed = {(root / m).with_suffix("") for m in HOT_MODULES}
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)  # longest first
    found = []
    for extension in sorted((root / "app").rglob("*.so")):
        suffix = next((s for s in suffixes if extension.name.endswith(s)), None)
        if suffix is None or extension.name.startswith("native__mypyc"):
            continue
        if extension.with_name(extension.name.removesuffix(suffix)) not in listed:
            found.append(extension)
    return found


def stale_message(*, root: Path = ROOT) -> str | None:
    """What to tell someone starting Puente on compiled modules older than their sources (None when fresh)."""
    stale = [s.source for s in states(root=root) if s.stale] + [str(p.relative_to(root)) for p in strays(root=root)]
    if not stale:
        return None
    return (f"Puente will not start: its compiled modules are older than their sources ({', '.join(stale)}), so "
            "they would run old code. Run `make native` to compile them again, or `make native-clean` to run Puente "
            "as plain Python.")


def running_compiled() -> bool:
    """True when every hot module this process imported is the compiled one (shown by /health)."""
    names = [relative.removesuffix(".py").replace("/", ".") for relative in HOT_MODULES]
    loaded = [sys.modules[name] for name in names if name in sys.modules]
    return bool(loaded) and all(str(getattr(module, "__file__", "")).endswith(".so") for module in loaded)


def build(*, root: Path = ROOT) -> None:
    """Compile the hot modules in place (needs a C compiler and Python's headers: gcc, python3-dev)."""
    from mypyc.build import mypycify  # build-time only: mypy comes with the test extra
    from setuptools import setup  # type: ignore[import-untyped]  # no stubs needed for one call

    os.chdir(root)  # setuptools places in-place builds relative to the working directory
    for stray in strays(root=root):
        stray.unlink()
    extensions = mypycify([str(root / m) for m in HOT_MODULES], group_name=GROUP,
                          target_dir=str(root / "build" / "native"))
    setup(name="puente-native", ext_modules=extensions, script_name="app/native.py",
          script_args=["build_ext", "--inplace", "--build-temp", str(root / "build" / "native-temp")])
    for state in states(root=root):  # setuptools keeps the time of an unchanged build: these match the sources now
        if state.compiled is not None:
            os.utime(state.compiled)


def clean(*, root: Path = ROOT) -> None:
    for state in states(root=root):
        if state.compiled is not None:
            state.compiled.unlink()
    for stray in strays(root=root):
        stray.unlink()
    for library in (root / "app").glob("native__mypyc*"):
        library.unlink()


def main(argv: list[str] | None = None) -> int:
    command = (argv if argv is not None else sys.argv[1:]) or ["status"]
    if command[0] == "build" or (command[0] == "ensure" and (strays() or not all(
            s.compiled is not None and not s.stale for s in states()))):
        build()
        return 0
    if command[0] == "ensure":
        return 0
    if command[0] == "clean":
        clean()
        return 0
    if command[0] != "status":
        sys.stderr.write("usage: python -m app.native [ensure | build | status | clean]\n")
        return 2
    bad = 0
    for stray in strays():
        bad += 1
        sys.stdout.write(f"{stray.relative_to(ROOT)!s:34} STRAY: no longer listed (run make native)\n")
    for state in states():
        shown = "missing" if state.compiled is None else "STALE (run make native)" if state.stale else "compiled"
        bad += state.compiled is None or state.stale
        sys.stdout.write(f"{state.source:34} {shown}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

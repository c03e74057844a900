"""The compiled hot modules (app/native.py): what runs is what the sources say, and `make test` runs them compiled."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import native
from app.native import HOT_MODULES, states


def _copy_sources(into: Path) -> None:
    for relative in [*HOT_MODULES, "app/native.py"]:
        (into / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(native.ROOT / relative, into / relative)


def _fake_extension(source: Path) -> Path:
    import importlib.machinery

    extension = source.with_name(source.stem + importlib.machinery.EXTENSION_SUFFIXES[0])
    extension.write_bytes(b"")
    return extension


def test_a_module_without_extension_is_reported_missing(tmp_path: Path) -> None:
    _copy_sources(tmp_path)
    found = states(root=tmp_path)
    assert [s.source for s in found] == list(HOT_MODULES)
    assert all(s.compiled is None and not s.stale for s in found)


def test_an_extension_older_than_its_source_is_stale(tmp_path: Path) -> None:
    _copy_sources(tmp_path)
    old = time.time() - 100
    os.utime(tmp_path / "app/native.py", (old, old))
    fresh_source, edited_source = tmp_path / HOT_MODULES[0], tmp_path / HOT_MODULES[1]
    for source in (fresh_source, edited_source):
        os.utime(source, (old, old))
        os.utime(_fake_extension(source), (old + 1, old + 1))
    os.utime(edited_source, (old + 2, old + 2))  # edited after it was compiled
    by_source = {s.source: s for s in states(root=tmp_path)}
    assert by_source[HOT_MODULES[0]].compiled is not None and not by_source[HOT_MODULES[0]].stale
    assert by_source[HOT_MODULES[1]].stale


def test_a_changed_module_list_makes_every_extension_stale(tmp_path: Path) -> None:
    _copy_sources(tmp_path)
    old = time.time() - 100
    source = tmp_path / HOT_MODULES[0]
    os.utime(source, (old, old))
    extension = _fake_extension(source)
    os.utime(extension, (old + 1, old + 1))
    os.utime(tmp_path / "app/native.py", None)  # the list of modules compiled together changed
    assert states(root=tmp_path)[0].stale


def test_an_extension_of_a_module_no_longer_listed_is_a_stray(tmp_path: Path) -> None:
    _copy_sources(tmp_path)
    (tmp_path / "app/pipeline").mkdir(parents=True, exist_ok=True)
    (tmp_path / "app/pipeline/validation.py").write_text("")
    stray = _fake_extension(tmp_path / "app/pipeline/validation.py")
    listed = _fake_extension(tmp_path / HOT_MODULES[0])
    assert native.strays(root=tmp_path) == [stray]
    native.clean(root=tmp_path)
    assert not stray.exists() and not listed.exists()


def test_no_extension_in_this_checkout_is_stale() -> None:
    assert [s.source for s in states() if s.stale] == []
    assert native.strays() == []


def test_the_hot_modules_imported_are_the_compiled_ones_when_built() -> None:
    built = all(s.compiled is not None for s in states())
    if os.environ.get("PUENTE_NATIVE_REQUIRED") == "1":  # set by `make test`: the suite runs compiled code
        assert built, "make native did not compile every hot module"
    for relative in HOT_MODULES:
        module = importlib.import_module(relative.removesuffix(".py").replace("/", "."))
        assert str(module.__file__).endswith(".so") == built, module.__file__
    assert native.running_compiled() == built


def test_status_exits_non_zero_unless_every_module_is_compiled(capsys: pytest.CaptureFixture[str]) -> None:
    code = native.main(["status"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(HOT_MODULES)
    assert code == (0 if all(line.endswith(" compiled") for line in lines) else 1)
    assert native.main(["nonsense"]) == 2


@pytest.mark.parametrize("command", [
    ["-c", "import app.main"],  # what `uvicorn app.main:app` and `make run` import
    ["-m", "app.cli", "sources"],  # what the `puente` command runs
    ["-m", "uvicorn", "app.main:app", "--port", "0"],
], ids=["import", "puente", "uvicorn"])
def test_a_stale_build_stops_every_entry_point_with_what_to_run(tmp_path: Path, command: list[str]) -> None:
    """A copy of the package with one compiled module older than its source: nothing starts, and it says why."""
    shutil.copytree(native.ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    old = time.time() - 100
    os.utime(tmp_path / "app/native.py", (old, old))
    source = tmp_path / HOT_MODULES[0]
    extension = _fake_extension(source)  # empty: importing it would crash, so the guard must come first
    os.utime(extension, (old, old))
    os.utime(source)  # edited after it was compiled
    environment = {k: v for k, v in os.environ.items() if k != "PUENTE_NATIVE_BUILDING"}
    environment["PYTHONPATH"] = str(tmp_path)
    done = subprocess.run([sys.executable, *command], cwd=tmp_path, env=environment, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "make native" in done.stderr and HOT_MODULES[0] in done.stderr
    assert "Traceback" not in done.stderr


def test_the_stale_message_is_none_on_a_fresh_checkout() -> None:
    assert native.stale_message() is None

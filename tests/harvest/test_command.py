"""`puente harvest`: one run in the foreground into a JSON-Lines file, its summary as text or JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.harvest.sink import read_log
from app.settings import get_settings
from tests.harvest.fakes import CkanPortal, ckan_packages


@pytest.fixture()
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PUENTE_HTTP_PER_HOST_RATE", "0")
    monkeypatch.setenv("PUENTE_HTTP_RETRIES", "0")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["harvest", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_harvest_command_json_then_text(tmp_path: Path, settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("PUENTE_ALLOW_PRIVATE_URLS", "true")
    get_settings.cache_clear()
    out = tmp_path / "cl.jsonl"
    with CkanPortal(ckan_packages(12)) as portal:
        code, printed, _ = run("--type", "ckan", portal.url, "--out", str(out), "--format", "json", "--lang", "en")
        summary = json.loads(printed)
        assert code == 0 and summary["status"] == "done" and summary["counts"]["created"] == 12
        assert summary["requests"] == len(portal.requests) == 3
        assert (tmp_path / "cl.jsonl.state.json").exists()
        assert len([e for e in read_log(out) if e["change"] == "created"]) == 12

        code, printed, _ = run("--type", "ckan", portal.url, "--out", str(out), "--lang", "en", "--no-validate")
        assert code == 0
        assert "done: ckan" in printed and "unchanged 12" in printed and "requests 3" in printed


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path, settings_env: pytest.MonkeyPatch) -> None:
    with CkanPortal(ckan_packages(2)) as portal:
        code, printed, _ = run("--type", "ckan", portal.url, "--out", str(tmp_path / "x.jsonl"), "--no-validate")
        assert code == 2 and portal.requests == []
        assert "failed" in printed and "PUENTE_ALLOW_PRIVATE_URLS" in printed and "no la consulta" in printed


def test_unreachable_source_exit_status(tmp_path: Path, settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("PUENTE_ALLOW_PRIVATE_URLS", "true")
    get_settings.cache_clear()
    code, printed, _ = run("--type", "datajson", "http://127.0.0.1:9/data.json", "--out", str(tmp_path / "x.jsonl"),
                           "--format", "json", "--lang", "en", "--no-validate")
    summary = json.loads(printed)
    assert code == 2 and summary["status"] == "failed"
    assert summary["errors"][0]["url"] == "http://127.0.0.1:9/data.json"

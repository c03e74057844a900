"""The `puente` command, run as a user runs it (the installed console script, in a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from tests.conftest import CASES

PUENTE = shutil.which("puente") or str(Path(sys.executable).with_name("puente"))


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PUENTE, *args], input=stdin.decode() if stdin else None, capture_output=True, text=True,
                          timeout=120, env={"PATH": str(Path(sys.executable).parent), "NO_COLOR": "1"})


def test_violations_exit_1_with_readable_findings() -> None:
    result = run("validate", str(CASES / "co" / "defective" / "input.json"), "--lang", "en")
    assert result.returncode == 1
    assert "createdAt" in result.stdout and "is not a valid date" in result.stdout
    assert "\033[" not in result.stdout  # no colour codes when not on a terminal


def test_conforming_record_exits_0() -> None:
    result = run("validate", str(CASES / "mx" / "adela-catalogo" / "input.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cumple el perfil" in result.stdout


def test_a_record_using_the_vocabularies_dcat_ap_recommends_exits_0() -> None:
    """ADMS publisher types, EU corporate bodies, places, continents, NUTS, GeoNames, CC licence URLs, EU dataset
    types and distribution statuses... (issue 12): no false violation, so scripts see success."""
    result = run("validate", str(CASES / "dcat" / "recommended-vocabularies" / "input.ttl"), "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 Errors · 0 Warnings" in result.stdout


def test_unreadable_input_exits_2() -> None:
    result = run("validate", "-", stdin=b"{ not json")
    assert result.returncode == 2
    assert "JSON" in result.stderr and "(1:" in result.stderr
    missing = run("validate", "/no/such/file.json")
    assert missing.returncode == 2
    assert run("validate").returncode == 2  # usage error


def test_json_and_csv_are_machine_readable() -> None:
    path = str(CASES / "cl" / "package-search" / "input.json")
    report = json.loads(run("validate", path, "--format", "json").stdout)
    assert report["source"] == "cl" and report["summary"]["records"] == 2
    rows = list(csv.DictReader(io.StringIO(run("validate", path, "--format", "csv").stdout)))
    assert rows and {"record_id", "severity", "source_field", "message"} <= set(rows[0])
    assert {r["record_id"] for r in rows} == {"aa11", "bb22"}


def test_several_files_each_as_alone(tmp_path: Path) -> None:
    """Several files (a harvest): one JSON line each with the report a single run gives, an unreadable one named on
    stderr without stopping the others, exit 2 when any file could not be read."""
    paths = [str(CASES / "co" / "defective" / "input.json"), str(CASES / "dcat" / "defective-dataset" / "input.ttl"),
             str(CASES / "mx" / "adela-catalogo" / "input.json")]
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    result = run("validate", paths[0], str(bad), *paths[1:], "--format", "json")
    assert result.returncode == 2
    assert str(bad) in result.stderr and "JSON" in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    for line in lines:
        alone = json.loads(run("validate", line["file"], "--format", "json").stdout)
        assert line["report"]["summary"] == alone["summary"] and line["report"]["source"] == alone["source"]
    assert run("validate", *paths).returncode == 1  # violations in some, all readable
    rows = list(csv.DictReader(io.StringIO(run("validate", *paths, "--format", "csv").stdout)))
    assert {r["file"] for r in rows} == set(paths) and rows[0]["file"] == paths[0]  # one sheet, file first
    refused = run("validate", *paths, "--format", "ttl")
    assert refused.returncode == 2 and "ttl" in refused.stderr


def test_shacl_turtle_format() -> None:
    result = run("validate", str(CASES / "dcat" / "defective-dataset" / "input.ttl"), "--format", "ttl")
    assert result.returncode == 1
    assert "ValidationReport" in result.stdout
    Graph().parse(data=result.stdout, format="turtle")


@pytest.mark.parametrize("to,fmt,parser", [("profile", "ttl", "turtle"), ("es", "jsonld", "json-ld"),
                                           ("profile", "nt", "nt"), ("profile", "rdf", "xml")])
def test_convert(to: str, fmt: str, parser: str) -> None:
    result = run("convert", str(CASES / "es" / "complete-record" / "input.ttl"), "--source", "es", "--to", to,
                 "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(data=result.stdout, format=parser)) > 10


def test_convert_to_ckan_from_stdin() -> None:
    body = (CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes()
    result = run("convert", "-", "--source", "co", "--to", "ckan", stdin=body)
    assert json.loads(result.stdout)["name"] == "etwv-wj8f"


def test_sources_and_help() -> None:
    listing = run("sources", "--lang", "en").stdout
    for name in ("dcat", "ckan", "socrata", "datajson", "co", "cl", "mx", "es"):
        assert f"\n{name}" in "\n" + listing
    helptext = run("validate", "--help").stdout
    assert "--format" in helptext and "exit 0 conforms" in run("--help").stdout


def test_colour_and_progress_on_a_terminal() -> None:
    """On a terminal the output is coloured and a progress bar is drawn on stderr."""
    import os
    import pty

    from app.cli import main

    master, slave = pty.openpty()
    with os.fdopen(slave, "w", closefd=False) as terminal:
        code = main(["validate", str(CASES / "co" / "defective" / "input.json")], out=terminal, err=terminal)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", errors="replace")
    assert code == 1
    assert "\033[31m" in shown  # violations in red
    assert "█" in shown  # the progress bar


def test_origin_gives_the_portal_links_and_is_checked() -> None:
    """--origin: the portal a Socrata view comes from; without it no link is written under another address."""
    view = str(CASES / "socrata" / "views-2646-ez2p" / "input.json")
    alone = run("convert", view, "--format", "nt")
    assert alone.returncode == 0 and "rows.csv" not in alone.stdout
    linked = run("convert", view, "--origin", "https://soda.demo.socrata.com", "--format", "nt")
    assert "<https://soda.demo.socrata.com/api/views/2646-ez2p/rows.csv?accessType=DOWNLOAD>" in linked.stdout
    report = json.loads(run("validate", view, "--format", "json").stdout)
    assert any(r["constraint"] == "puente:NoOrigin" and r["source_gap"] for rec in report["records"]
               for r in rec["results"])
    bad = run("validate", view, "--origin", "javascript:alert(1)")
    assert bad.returncode == 2 and "origin" in bad.stderr

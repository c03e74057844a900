"""Harvests over HTTP, on a real Puente server: sources registered by the admin (and from harvest.yaml), runs
started with a catalogue's token and followed to the end, errors with the right status, and a server killed with
kill -9 in the middle of a run: after a restart the run shows as interrupted and the next one completes the
catalogue with no duplicates."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.server import free_port, running_server
from tests.catalogue.conftest import Server, server_env
from tests.harvest.fakes import CkanPortal, ckan_packages

SEARCH = "/api/3/action/package_search"


@contextmanager
def serving(data_dir: Path, **extra: str) -> Iterator[Server]:
    port = free_port()
    env = server_env(data_dir, port, PUENTE_ALLOW_PRIVATE_URLS="true", PUENTE_HTTP_PER_HOST_RATE="0", **extra)
    with running_server(env, port=port, access_log=False) as (url, process):
        yield Server(url=url, process=process, data_dir=data_dir)


def wait_done(server: Server, catalogue: str, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        answer = server.get(f"/catalogues/{catalogue}/harvests/{run_id}")
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in ("done", "failed"):
            return dict(answer.json())
        time.sleep(0.2)
    raise AssertionError("the run never ended")


def start_run(server: Server, catalogue: str, source: str, **body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/catalogues/{catalogue}/harvests", json={"source": source, **body},
                      headers=server.auth(catalogue), timeout=60)


def feed(server: Server, catalogue: str) -> list[dict[str, Any]]:
    answer = server.get(f"/catalogues/{catalogue}/changes?limit=1000")
    assert answer.status_code == 200
    changes: list[dict[str, Any]] = answer.json()["changes"]
    return changes


def test_register_run_follow_and_forget(tmp_path: Path) -> None:
    with CkanPortal(ckan_packages(25)) as portal:
        listing = tmp_path / "harvest.yaml"
        listing.write_text(f"- id: mx-from-file\n  catalogue: mx\n  type: ckan\n  url: {portal.url}\n"
                           f"  schedule: \"0 3 * * *\"\n", encoding="utf-8")
        with serving(tmp_path / "data", PUENTE_HARVEST_FILE=str(listing)) as server:
            sources = "/admin/harvest-sources"
            listed = httpx.get(server.url + sources, headers=server.admin(), timeout=30)
            assert listed.status_code == 200
            assert [(s["id"], s["origin"], s["schedule"]) for s in listed.json()] == [
                ("mx-from-file", "file", "0 3 * * *")]

            good = {"catalogue": "cl", "type": "ckan", "url": portal.url, "options": {"rows": 10}}
            assert httpx.post(server.url + sources, json=good, timeout=30).status_code == 401
            for bad, field in (({**good, "type": "ftp"}, "type"), ({**good, "schedule": "every day"}, "schedule"),
                               ({**good, "url": "file:///etc/passwd"}, "url"),
                               ({**good, "options": {"colour": 1}}, "options"),
                               ({**good, "options": {"rows": "many"}}, "options"),
                               ({**good, "options": {"rows": 5000}}, "options"),
                               ({**good, "options": {"format": "klingon"}}, "options"),
                               ({**good, "rate_limit": -1}, "rate_limit")):
                answer = httpx.post(server.url + sources, json=bad, headers=server.admin(), timeout=30)
                assert answer.status_code == 400 and answer.json()["field"] == field, answer.text
            unknown = httpx.post(server.url + sources, json={**good, "catalogue": "zz"}, headers=server.admin(),
                                 timeout=30)
            assert unknown.status_code == 404
            created = httpx.post(server.url + sources, json=good, headers=server.admin(), timeout=30)
            assert created.status_code == 201, created.text
            source = created.json()["id"]

            assert httpx.post(f"{server.url}/catalogues/cl/harvests", json={"source": source},
                              timeout=30).status_code == 401
            other = httpx.post(f"{server.url}/catalogues/cl/harvests", json={"source": source},
                               headers=server.auth("co"), timeout=30)
            assert other.status_code == 403
            assert start_run(server, "cl", "no-such-source").status_code == 404
            assert start_run(server, "co", source).status_code == 404  # a source of another catalogue

            accepted = start_run(server, "cl", source)
            assert accepted.status_code == 202, accepted.text
            assert accepted.json()["status"] == "queued"
            run_id = accepted.json()["id"]
            assert accepted.headers["location"] == f"/catalogues/cl/harvests/{run_id}"
            run = wait_done(server, "cl", run_id)
            assert run["status"] == "done" and run["counts"]["created"] == 25 and run["counts"]["errors"] == 0
            assert run["progress"]["pages"] >= 3 and run["requests"] >= 3 and run["source"]["id"] == source
            assert server.get("/catalogues/cl?format=json").json()["totalItems"] == 25

            portal.remove("dataset-00005")
            portal.touch("dataset-00006", title="Nuevo título")
            second = wait_done(server, "cl", start_run(server, "cl", source, full=True).json()["id"])
            assert (second["counts"]["updated"], second["counts"]["deleted"]) == (1, 1), second
            assert [c["change"] for c in feed(server, "cl")[-2:]] == ["updated", "deleted"]
            runs = server.get("/catalogues/cl/harvests").json()["runs"]
            assert [r["id"] for r in runs] == [second["id"], run_id]
            assert server.get("/catalogues/cl/harvests/nope").status_code == 404

            gone = httpx.delete(f"{server.url}{sources}/{source}", headers=server.admin(), timeout=30)
            assert gone.status_code == 204
            assert start_run(server, "cl", source).status_code == 404
            assert httpx.delete(f"{server.url}{sources}/{source}", headers=server.admin(),
                                timeout=30).status_code == 404


def test_a_server_killed_mid_run_then_restarted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with CkanPortal(ckan_packages(40)) as portal:
        release = portal.hold(SEARCH, 3)
        with serving(data_dir) as server:
            created = httpx.post(server.url + "/admin/harvest-sources", headers=server.admin(), timeout=30,
                                 json={"id": "cl-ckan", "catalogue": "cl", "type": "ckan", "url": portal.url,
                                       "options": {"rows": 10}})
            assert created.status_code == 201
            tokens = dict(server.tokens)
            run_id = start_run(server, "cl", "cl-ckan").json()["id"]
            assert portal.arrived(SEARCH, 3).wait(timeout=120)
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=60)
        release.set()
        with serving(data_dir) as server:
            server.tokens.update(tokens)
            killed = server.get(f"/catalogues/cl/harvests/{run_id}").json()
            assert killed["status"] == "failed" and killed["interrupted"] is True
            assert killed["errors"][-1]["kind"] == "interrupted"
            assert server.get("/catalogues/cl?format=json").json()["totalItems"] == 20
            again = wait_done(server, "cl", start_run(server, "cl", "cl-ckan").json()["id"])
            assert again["status"] == "done" and again["resumed"] is True and again["counts"]["created"] == 20
            created_ids = [c["id"] for c in feed(server, "cl") if c["change"] == "created"]
            assert len(created_ids) == len(set(created_ids)) == 40

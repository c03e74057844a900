"""Debian's Virtuoso 7 starts on loopback ports from a temporary ini, takes a Graph Store write and answers SPARQL.

A missing Virtuoso fails here (`.ci/run` and `make test` install it): the catalogue's SPARQL backend is tested on it."""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request

import httpx

from bench.virtuoso import PASSWORD, USER, available, running_virtuoso


def test_virtuoso_is_installed() -> None:
    assert available() is None, available()


def test_a_throw_away_virtuoso_takes_a_graph_and_answers_then_is_gone() -> None:
    with running_virtuoso() as server:
        stored = httpx.put(server.gsp_url, params={"graph": "https://example.org/g"},
                           content=b'<https://example.org/s> <https://example.org/p> "o" .\n',
                           headers={"Content-Type": "application/n-triples"},
                           auth=httpx.DigestAuth(USER, PASSWORD), timeout=30)
        assert stored.status_code in (200, 201, 204), stored.text
        query = urllib.parse.quote("SELECT ?o WHERE { GRAPH <https://example.org/g> { ?s ?p ?o } }")
        with urllib.request.urlopen(f"{server.query_url}?query={query}&format=application%2Fsparql-results%2Bjson",
                                    timeout=30) as answer:
            bindings = json.loads(answer.read())["results"]["bindings"]
        assert [b["o"]["value"] for b in bindings] == ["o"]
        refused = httpx.put(server.gsp_url, params={"graph": "https://example.org/g"}, content=b"",
                            headers={"Content-Type": "application/n-triples"}, timeout=30)
        assert refused.status_code == 401  # writes need the password
        pid, folder = server.pid, server.folder
    assert not folder.exists()
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive

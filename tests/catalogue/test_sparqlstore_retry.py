"""Virtuoso can deadlock two concurrent writes and roll one back ("SR172: Transaction deadlocked", SQL state
40001): the SPARQL store sends that write again, and gives up with a StoreError after a bounded number of tries.
Seen in the paging tests on Virtuoso 7.2 (four Graph Store PUTs at once); here a loopback server plays it."""

from __future__ import annotations

import pytest

from app.catalogue.sparqlstore import DEADLOCK_RETRIES, Endpoints, SparqlStore
from app.errors import StoreError
from tests.loopback import Answer, Loopback, Request

DEADLOCK = Answer(500, b"<html><h1>HTTP/1.1 500 Request Failed</h1><h3>Error 40001</h3>"
                       b"<xmp>SR172: Transaction deadlocked</xmp></html>", {"Content-Type": "text/html"})
TRIPLE = "<https://example.org/s> <https://example.org/p> \"o\" ."


def store(url: str) -> SparqlStore:
    return SparqlStore(Endpoints(query_url=f"{url}/sparql", update_url=f"{url}/sparql", gsp_url=f"{url}/gsp",
                                 user="", password="", auth="digest", timeout_s=5.0, page_rows=100,
                                 write_threads=1))


def test_a_deadlocked_write_is_sent_again() -> None:
    answers = iter([DEADLOCK, DEADLOCK, Answer(201)])
    with Loopback(lambda request: next(answers)) as server:
        store(server.url).replace({"https://example.org/g": [TRIPLE]})
        assert [r.method for r in server.requests] == ["PUT", "PUT", "PUT"]


def test_a_write_that_keeps_deadlocking_fails_with_the_server_named() -> None:
    def always(request: Request) -> Answer:
        return DEADLOCK

    with Loopback(always) as server:
        with pytest.raises(StoreError) as raised:
            store(server.url).drop(["https://example.org/g"])
        assert len(server.requests) == DEADLOCK_RETRIES + 1
        assert server.url in str(raised.value)


def test_other_server_errors_are_not_retried() -> None:
    with Loopback(lambda request: Answer(500, b"SQL error: something else")) as server:
        with pytest.raises(StoreError):
            store(server.url).replace({"https://example.org/g": [TRIPLE]})
        assert len(server.requests) == 1

"""Schemathesis on the CKAN Action API's operations alone (tests/fuzz/test_openapi_fuzz.py covers every operation):
random actions, parameters and bodies give CKAN's envelope with a documented status, never a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.fuzz.test_openapi_fuzz import CHECKS
from tests.hostile.conftest import Server

EXAMPLES_PER_OPERATION = 60


def test_ckan_operations_never_fail_and_answer_as_documented(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    mine = [op for op in operations if "/ckan/api/" in op.path]
    assert {op.path for op in mine} == {"/ckan/api/3/action/{action}",
                                        "/catalogues/{catalogue}/ckan/api/3/action/{action}"}
    for operation in mine:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=server.url, timeout=30, checks=CHECKS)

        exercise()
        assert server.alive(), f"the service stopped after fuzzing {operation.method.upper()} {operation.path}"

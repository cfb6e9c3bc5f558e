"""schemathesis against ``/openapi.json`` of a real server: no server errors, no answer outside its schema.

Every operation gets its documented examples plus a bounded number of generated cases,
schema-valid and schema-breaking, sent over a real socket to ``outcomes-graph serve``.
Every operation must give no 5xx. The REST resources (``/api``, and ``/health``) must also
answer only with the status codes, content types, headers and JSON bodies they document
(so every error comes in the one error shape); the other routers are held to that as their
OpenAPI descriptions are completed.

schemathesis's own pytest integration (``from_fixture`` + ``parametrize``) needs a pytest
private attribute that pytest 9.2 no longer has, so the operations are driven here through
schemathesis's public strategies, and a failure names its operation.
"""

from __future__ import annotations

import time

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
STRICT_PATHS = ("/api", "/health")
#: Cases per operation (examples included); with ~110 operations this stays well under a minute.
EXAMPLES_PER_OPERATION = 5


def checks_for(operation: schemathesis.APIOperation) -> list:
    return CONFORMANCE if operation.path.startswith(STRICT_PATHS) else [not_a_server_error]


def check_operation(operation: schemathesis.APIOperation) -> None:
    strategy = st.one_of(
        *operation.get_strategies_from_examples(),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=checks_for(operation), timeout=30)

    run()


def test_no_server_errors_and_no_schema_violations(mini_server):
    documented = httpx.get(mini_server + "/openapi.json", timeout=10).json()["paths"]
    for query in httpx.get(mini_server + "/api/queries", timeout=10).json()["queries"]:
        assert {query["url"], query["json"], query["csv"]} <= set(documented), query["name"]
    schema = schemathesis.openapi.from_url(mini_server + "/openapi.json")
    started = time.monotonic()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            check_operation(operation)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a BaseExceptionGroup
            failures.append(f"{operation.label}:\n{exc}")
    assert operations > 100
    assert not failures, f"{len(failures)} of {operations} operations failed:\n\n" + "\n\n".join(failures)
    assert time.monotonic() - started < 90, "keep the run bounded: lower EXAMPLES_PER_OPERATION"

"""schemathesis against ``/openapi.json`` of a real server: no server errors, no answer outside its schema.

Every operation gets its documented examples plus a bounded number of generated cases,
schema-valid and schema-breaking, sent over a real socket to ``outcomes-graph serve``.
Every operation must give no 5xx. The REST resources (``/api``, and ``/health``), GraphQL
(``/graphql``) and the linked data (``/id``, ``/doc``, ``/def``, ``/mappings``, ``/graph``, the
VoID description, the DCAT catalogue and ``/download``) must also answer only with the status
codes, content types, headers and JSON bodies they document (so every error comes in the one
error shape, and every GraphQL answer in GraphQL's); the other routers are held to that as their
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

from web.conftest import CONFORMANCE

LINKED_DATA_PATHS = (
    "/id/",
    "/doc/",
    "/def/",
    "/mappings/",
    "/graph/",
    "/context.jsonld",
    "/.well-known/void",
    "/catalog",
    "/download/",
)
STRICT_PATHS = ("/api", "/health", "/graphql", *LINKED_DATA_PATHS)
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


#: Accept headers that reach every negotiated form, and one that nothing fits (406).
ACCEPTS = [
    "text/turtle",
    "application/ld+json",
    "application/json",
    "text/csv",
    "application/rdf+xml",
    "image/png",
]


def linked_data_cases(operation: schemathesis.APIOperation) -> list[schemathesis.Case]:
    """Each documented example of each path parameter, under each Accept header (for a browser's 404 too)."""
    examples: dict[str, list[str]] = {
        p["name"]: p["schema"].get("examples", []) for p in operation.definition.raw.get("parameters", [])
        if p["in"] == "path"
    }  # fmt: skip
    paths = [{}] if not examples else [{name: value} for name, values in examples.items() for value in values]
    return [
        operation.Case(path_parameters=path, headers={"Accept": accept})
        for path in paths
        for accept in [*ACCEPTS, "text/html"]
    ]


def test_linked_data_answers_in_every_form_as_documented(mini_server):
    """The documented examples reach the 200s (whose JSON and JSON-LD bodies are checked against their
    schemas) in every format, the 303s, a browser's HTML 404 and 406; every answer must conform."""
    schema = schemathesis.openapi.from_url(mini_server + "/openapi.json")
    seen: dict[str, set[tuple[int, str]]] = {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(LINKED_DATA_PATHS):
            continue
        for case in linked_data_cases(operation):
            try:
                response = case.call_and_validate(checks=CONFORMANCE, timeout=30)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} {case.path_parameters} {case.headers}:\n{exc}")
                continue
            media = response.headers.get("content-type", [""])[0].partition(";")[0]
            seen.setdefault(operation.path, set()).add((response.status_code, media))
    assert not failures, "\n\n".join(failures)
    assert (303, "") in seen["/id/{path}"]
    for path in ("/doc/{path}", "/mappings/{name}", "/graph/{key}", "/def/{term}", "/.well-known/void"):
        assert {(200, "application/json"), (200, "application/ld+json"), (200, "text/turtle"),
                (406, "application/json")} <= seen[path], path  # fmt: skip
    assert (404, "text/html") in seen["/doc/{path}"]
    assert {(200, "application/trig"), (200, "text/csv"), (200, "application/json")} <= seen[
        "/download/{name}"
    ]


def test_a_current_etag_gets_304_as_documented(mini_server):
    schema = schemathesis.openapi.from_url(mini_server + "/openapi.json")
    operation = schema["/download/{name}"]["GET"]
    etag = httpx.get(mini_server + "/download/concepts.csv", timeout=10).headers["etag"]
    for tags, status in ((etag, 304), (f'W/{etag}, "other"', 304), ('"stale"', 200)):
        case = operation.Case(path_parameters={"name": "concepts.csv"}, headers={"If-None-Match": tags})
        assert case.call_and_validate(checks=CONFORMANCE, timeout=30).status_code == status

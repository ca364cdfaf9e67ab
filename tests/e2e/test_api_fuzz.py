"""Property-based fuzzing of the whole OpenAPI schema against the real app, in process.

Schemathesis reads ``/openapi.json`` and, for every operation, sends valid and invalid
requests (examples, boundary "coverage" cases, then random fuzzing) as the admin. Whatever
comes in, the API must never answer 5xx; every error must be an RFC 9457 problem+json;
every success must match the schema it documents. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="install the [test] extra")

from schemathesis import Case, CheckContext, GenerationMode, Response  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.python import asgi  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

from conveyor.api.app import create_app  # noqa: E402
from conveyor.api.problems import MEDIA_TYPE  # noqa: E402
from conveyor.services.bootstrap import create_admin  # noqa: E402
from conveyor.storage.unit_of_work import UnitOfWork  # noqa: E402

# Random cases per operation, on top of the schema's examples and the deterministic boundary
# ("coverage") cases: enough to find what matters while the file stays under three minutes
# for both databases on two cores. Raise it for a deeper search: CONVEYOR_FUZZ_EXAMPLES=200.
MAX_EXAMPLES = int(os.environ.get("CONVEYOR_FUZZ_EXAMPLES", "20"))


def problem_details(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every error is ``application/problem+json`` with type, title, status and detail."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == MEDIA_TYPE, f"error with content type {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    for key in ("type", "title", "detail"):
        assert isinstance(body.get(key), str) and body[key], f"problem without {key}: {body!r}"
    assert body.get("status") == response.status_code, f"problem status differs: {body!r}"
    return None


def success_conforms(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A 2xx answer has the documented content type and matches the documented schema.

    Errors are left to ``problem_details``: FastAPI documents 422 as its own
    ``HTTPValidationError`` shape, which our problem+json deliberately replaces.
    """
    if 200 <= response.status_code < 300:
        content_type_conformance(ctx, response, case)
        response_schema_conformance(ctx, response, case)
    return None


def _seed(client: Any) -> None:
    """A few real rows, so that small generated ids sometimes name existing objects.

    Sugar only: a refused seed is fine (areas evolve), a 5xx is not.
    """

    def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(url, json=body)
        assert response.status_code < 500, (url, response.text)
        return dict(response.json()) if response.status_code < 300 else {}

    department = post("/departments", {"name": "Sales"})
    post("/employees", {"name": "Boris Seller", "department_ids": [department.get("id", 1)]})
    stages = [{"name": "New"}, {"name": "Won", "semantics": "success"}]
    post("/pipelines", {"entity_type": "deal", "name": "Sales", "stages": stages})
    company = post("/companies", {"name": "Acme"})
    post("/contacts", {"name": "Carla Client", "company_id": company.get("id", 1)})
    post("/deals", {"title": "Website", "company_id": company.get("id", 1)})
    post("/tasks", {"title": "Send the offer", "responsible_id": 1})
    post("/lists", {"code": "colors", "name": "Colors"})


def _load_schema() -> Any:
    """The schema of an app on a database never touched: only ``/openapi.json`` is read.

    Loaded at import so that pytest shows one test per operation and database. Each test
    then sends its cases to an app of its own on the ``database_url`` fixture (``client``).
    ``schemathesis.pytest.from_fixture`` would do this lazily, but schemathesis 4.32 sets
    ``Node._nodeid``, which pytest 9.2 no longer has.
    """
    app = create_app("sqlite://")
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        database="none",
        # Every case is sent as the admin: the budget goes to the inputs, not to 401s.
        with_security_parameters=False,
    )
    loaded.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    # One unexpected method per path is enough to see 405s as problems; all eight would
    # cost more requests than the rest of the coverage phase.
    loaded.config.phases.coverage.unexpected_methods = {"put"}
    app.state.engine.dispose()
    return loaded


schema = _load_schema()


@pytest.fixture
def client(database_url: str) -> Iterator[Any]:
    """An in-process client of a fresh app with a few seeded rows, sending the admin's token.

    One client per test, not one per case, and without proxy lookups from the environment:
    both cost more than the app itself on a cheap request.
    """
    app = create_app(database_url)
    _, token = create_admin(
        UnitOfWork(app.state.sessions), name="Fuzz Admin", now=datetime.now(UTC)
    )
    session = asgi.get_client(app)  # type: ignore[arg-type]  # Starlette types scopes loosely
    session.trust_env = False
    session.headers["Authorization"] = f"Bearer {token}"
    _seed(session)
    yield session
    session.close()
    app.state.engine.dispose()


@schema.parametrize()  # type: ignore[untyped-decorator]
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The app is shared by a test's cases on purpose: state builds up as in real use.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_no_request_makes_the_api_fail_and_every_error_is_a_problem(
    case: Case[Any], client: Any
) -> None:
    response = case.call(session=client)
    case.validate_response(
        response,
        headers=dict(client.headers),
        checks=[not_a_server_error, problem_details, success_conforms],
    )

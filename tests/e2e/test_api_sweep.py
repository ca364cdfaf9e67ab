"""The served app sweeps by itself: a deal waiting because its only designer was on
vacation is assigned by the background sweep once the vacation is over, with no request
about it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from conveyor.api.app import create_app
from conveyor.services.bootstrap import create_admin
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api


@pytest.fixture
def sweeping_api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    app = create_app(database_url, clock=clock, sweep_seconds=1)
    with TestClient(app, raise_server_exceptions=False) as client:
        uow = UnitOfWork(app.state.sessions)
        _, secret = create_admin(uow, name="Anna Admin", email="admin@example.com", now=clock())
        yield Api(client, secret)
    app.state.engine.dispose()


def test_the_background_sweep_assigns_a_deal_once_its_designer_is_back(
    sweeping_api: Api, clock: FakeClock
) -> None:
    api = sweeping_api
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    vera = api.ok("POST", "/employees", 201, json={"name": "Vera Designer"})["id"]
    today = clock().date().isoformat()
    vacation = {"kind": "vacation", "starts_on": today, "ends_on": today}
    api.ok("POST", "/absences", 201, json={"employee_id": vera, **vacation})
    api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Paid deals to Vera",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "employee_ids": [vera],
        },
    )
    deal = api.ok(
        "POST", "/deals", 201, json={"title": "Shop", "stage_id": stage["Prepayment received"]}
    )
    assert deal["responsible_id"] != vera
    clock.advance(timedelta(days=1))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if api.ok("GET", f"/deals/{deal['id']}")["responsible_id"] == vera:
            break
        time.sleep(0.2)
    assert api.ok("GET", f"/deals/{deal['id']}")["responsible_id"] == vera
    decision = api.ok("GET", f"/deals/{deal['id']}/assignment")
    assert decision["outcome"] == "assigned"
    assert decision["data"]["waited"]["seconds"] == 24 * 3600

"""The served app works by itself: a deal waiting because its only designer was on
vacation is assigned by the background sweep once the vacation is over, and Monday's calls
are dealt at 09:00 by its job worker, with no request about either."""

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
from conveyor.workers.job_worker import WorkerOptions
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api
from tests.e2e.test_api_lists import MANAGERS


@pytest.fixture
def sweeping_api(database_url: str, clock: FakeClock) -> Iterator[Api]:
    # The job worker looks every 0.2 s: the fake clock jumps without anyone scheduling.
    app = create_app(
        database_url, clock=clock, sweep_seconds=1, job_options=WorkerOptions(poll_seconds=0.2)
    )
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


def test_the_served_app_runs_monday_calls_by_itself_once(
    sweeping_api: Api, clock: FakeClock
) -> None:
    api = sweeping_api
    managers = api.ok("POST", "/lists", 201, json=MANAGERS)
    olga = api.ok("POST", "/employees", 201, json={"name": "Olga"})["id"]
    api.ok(
        "POST",
        f"/lists/{managers['id']}/elements",
        201,
        json={"name": "Olga", "values": {"employee": olga, "status": "active"}},
    )
    for n in range(5):
        api.ok("POST", "/companies", 201, json={"name": f"Client {n}"})
    body = {"name": "Monday calls", "managers_list_id": managers["id"], "per_manager": 3}
    created = api.ok("POST", "/call-distributions", 201, json=body)
    assert created["next_run_at"] == "2026-03-09T06:00:00Z"  # Monday 09:00 Moscow
    clock.set(clock() + timedelta(days=7) - timedelta(hours=3) + timedelta(minutes=1))
    deadline = time.monotonic() + 15
    runs: dict[str, object] = {}
    while time.monotonic() < deadline:
        runs = api.ok("GET", f"/call-distributions/{created['id']}/runs")
        if runs["total"]:
            break
        time.sleep(0.2)
    time.sleep(1.5)  # more ticks: the occurrence still runs once
    runs = api.ok("GET", f"/call-distributions/{created['id']}/runs")
    assert runs["total"] == 1
    [run] = runs["items"]
    assert run["trigger"] == "schedule"
    assert run["given"][0]["employee_id"] == olga and run["companies_given"] == 3
    # It ran as Monday's job, which scheduled the next Monday's.
    monday_jobs = api.ok("GET", "/jobs", params={"kind": "call_distribution.run"})["items"]
    assert [(j["due_at"], j["state"]) for j in monday_jobs] == [
        ("2026-03-09T06:00:00Z", "done"),
        ("2026-03-16T06:00:00Z", "pending"),
    ]

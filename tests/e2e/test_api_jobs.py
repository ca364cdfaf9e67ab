"""Jobs through the API: an admin sees what is scheduled, what failed and why, and runs a
dead job again; anything else is refused with problem+json naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from conveyor.services import jobs
from conveyor.services.jobs import JobHandlers, claim_jobs, run_job
from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.e2e.agency import token_for
from tests.e2e.conftest import Api
from tests.e2e.test_api_lists import MANAGERS


def broken(uow: UnitOfWork, payload: dict[str, Any], now: Any) -> None:
    raise RuntimeError(f"report {payload['report']} has no template")


def a_dead_report(api: Api, clock: FakeClock) -> int:
    """A monthly report job that fails its only attempt, as a worker would run it."""
    uow = UnitOfWork(api.client.app.state.sessions)  # type: ignore[attr-defined]
    with uow:
        job_id = jobs.schedule(
            uow,
            kind="report.monthly",
            payload={"report": "sales"},
            due_at=clock(),
            now=clock(),
            max_attempts=1,
        )
        uow.commit()
    assert job_id is not None
    registry = JobHandlers()
    registry.register("report.monthly", broken)
    [claimed] = claim_jobs(uow, owner="w", now=clock(), limit=5, lease=timedelta(minutes=1)).jobs
    run_job(uow, claimed, handlers=registry, owner="w", clock=clock)
    return job_id


def monday_calls(api: Api) -> dict[str, Any]:
    managers = api.ok("POST", "/lists", 201, json=MANAGERS)
    body = {"name": "Monday calls", "managers_list_id": managers["id"]}
    return dict(api.ok("POST", "/call-distributions", 201, json=body))


def test_an_admin_reads_the_scheduled_and_the_dead_and_reruns_the_dead(
    api: Api, clock: FakeClock
) -> None:
    distribution = monday_calls(api)
    dead = a_dead_report(api, clock)

    listed = api.ok("GET", "/jobs")
    assert listed["total"] == 2
    assert [j["kind"] for j in listed["items"]] == ["report.monthly", "call_distribution.run"]
    [monday] = api.ok("GET", "/jobs", params={"kind": "call_distribution.run"})["items"]
    assert monday["state"] == "pending"
    assert monday["due_at"] == distribution["next_run_at"] == "2026-03-09T06:00:00Z"
    assert monday["payload"]["distribution_id"] == distribution["id"]
    assert monday["key"] == f"call_distribution:{distribution['id']}:2026-03-09T06:00:00+00:00"

    [failed] = api.ok("GET", "/jobs", params={"state": "dead"})["items"]
    assert failed["id"] == dead
    assert failed["attempts"] == failed["max_attempts"] == 1
    assert failed["last_error"] == "RuntimeError: report sales has no template"
    assert api.ok("GET", f"/jobs/{dead}") == failed

    clock.advance(hours=1)
    rerun = api.ok("POST", f"/jobs/{dead}/rerun")

    assert (rerun["state"], rerun["attempts"]) == ("pending", 0)
    assert rerun["due_at"] == clock().isoformat().replace("+00:00", "Z")
    assert api.ok("GET", "/jobs", params={"state": "dead"})["total"] == 0


def test_rerunning_a_job_that_is_not_dead_is_a_conflict_on_its_state(
    api: Api, clock: FakeClock
) -> None:
    monday_calls(api)
    [pending] = api.ok("GET", "/jobs")["items"]

    response = api.post(f"/jobs/{pending['id']}/rerun")

    assert response.status_code == 409
    assert response.json()["field"] == "state"
    assert "pending" in response.json()["detail"]
    assert api.ok("GET", f"/jobs/{pending['id']}") == pending


def test_jobs_are_paged_and_bad_filters_are_named(api: Api, clock: FakeClock) -> None:
    for n in range(3):
        managers = api.ok("POST", "/lists", 201, json={**MANAGERS, "code": f"managers_{n}"})
        body = {"name": f"Calls {n}", "managers_list_id": managers["id"]}
        api.ok("POST", "/call-distributions", 201, json=body)

    page = api.ok("GET", "/jobs", params={"limit": 2, "offset": 1})
    assert (len(page["items"]), page["total"], page["offset"]) == (2, 3, 1)

    bad_state = api.get("/jobs", params={"state": "sleeping"})
    assert (bad_state.status_code, bad_state.json()["field"]) == (422, "state")
    bad_kind = api.get("/jobs", params={"kind": "k" * 101})
    assert (bad_kind.status_code, bad_kind.json()["field"]) == (422, "kind")
    assert api.get("/jobs/4242").status_code == 404
    assert api.post("/jobs/4242/rerun").status_code == 404


def test_only_admins_see_jobs(api: Api, app_client: TestClient, clock: FakeClock) -> None:
    dead = a_dead_report(api, clock)
    _, head = token_for(api, "Helena Head", role="head")

    for method, url in [
        ("GET", "/jobs"),
        ("GET", f"/jobs/{dead}"),
        ("POST", f"/jobs/{dead}/rerun"),
    ]:
        assert head.request(method, url).status_code == 403
    assert app_client.get("/jobs").status_code == 401
    assert api.ok("GET", f"/jobs/{dead}")["state"] == "dead"

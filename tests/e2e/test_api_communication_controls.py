"""The 90-day communication control through the API: a head defines it, the worker runs it
each morning, heads read what it did; bad input is refused naming the field and changes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.storage.unit_of_work import UnitOfWork
from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline, token_for
from tests.e2e.conftest import Api
from tests.integration.robot_office import run_worker

#: Monday 2 March 2026, 09:00 in Moscow.
MONDAY_9_MSK = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
SERVICE_STAGES = [
    ("Contact", "in_progress"),
    ("In progress", "in_progress"),
    ("Done", "success"),
    ("Lost", "failure"),
]


@pytest.fixture
def office(api: Api, clock: FakeClock) -> dict[str, Any]:
    """Since November: the *Client service* pipeline (and *Sales*, and a lead pipeline),
    Hanna the head, Mark the manager, and two client companies of Mark's, Ural Kitchens and
    Volga Steel. The clock then stands on Sunday evening, 1 March 2026."""
    clock.set(datetime(2025, 11, 3, 9, 0, tzinfo=UTC))
    service = api.ok(
        "POST",
        "/pipelines",
        201,
        json={
            "entity_type": "deal",
            "name": "Client service",
            "stages": [{"name": n, "semantics": s} for n, s in SERVICE_STAGES],
        },
    )
    leads = api.ok(
        "POST",
        "/pipelines",
        201,
        json={"entity_type": "lead", "name": "Inbound", "stages": [{"name": "New"}]},
    )
    sales = sales_pipeline(api)
    head_id, head = token_for(api, "Hanna Head", role="head")
    mark = api.ok("POST", "/employees", 201, json={"name": "Mark Manager"})["id"]
    companies = {
        name: api.ok("POST", "/companies", 201, json={"name": name, "responsible_id": mark})["id"]
        for name in ("Ural Kitchens", "Volga Steel")
    }
    clock.set(datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    return {
        "admin": api,
        "head": head,
        "head_id": head_id,
        "mark": mark,
        "pipeline_id": service["id"],
        "stage": {s["name"]: s["id"] for s in service["stages"]},
        "lead_pipeline_id": leads["id"],
        "sales_stage_id": sales["stage"]["Invoice"],
        "companies": companies,
    }


def work(app_client: TestClient, clock: FakeClock) -> None:
    """What ``conveyor worker`` does at the fake clock's now."""
    run_worker(UnitOfWork(app_client.app.state.sessions), clock)  # type: ignore[attr-defined]


def ninety_days(office: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "90-day communication control", "pipeline_id": office["pipeline_id"], **extra}


def test_scenario_e_a_company_silent_for_90_days_gets_a_service_deal_and_its_manager_a_task(
    office: dict[str, Any], app_client: TestClient, clock: FakeClock
) -> None:
    """Issue 4 (e): a company with no communication for 90 days gets a deal in the 'Client
    service' pipeline and its manager a task 'Contact the client'; otherwise the check
    moves to 90 days after the last communication."""
    head, mark = office["head"], office["mark"]
    ural, volga = office["companies"]["Ural Kitchens"], office["companies"]["Volga Steel"]
    # Mark called Volga Steel ten days before Monday morning; nobody ever called Ural Kitchens.
    volga_call = MONDAY_9_MSK - timedelta(days=10, minutes=30)
    head.ok(
        "POST",
        "/communications",
        201,
        json={
            "kind": "call",
            "direction": "outgoing",
            "occurred_at": volga_call.isoformat(),
            "company_id": volga,
            "employee_id": mark,
        },
    )
    control = head.ok("POST", "/communication-controls", 201, json=ninety_days(office))
    assert (control["silent_days"], control["schedule"], control["timezone"]) == (
        90,
        "0 9 * * *",
        "Europe/Moscow",
    )
    assert control["next_run_at"] == "2026-03-02T06:00:00Z"

    # Monday 09:00: the worker runs the control.
    clock.set(MONDAY_9_MSK)
    work(app_client, clock)

    [deal] = head.ok("GET", f"/deals?company_id={ural}")["items"]
    assert deal["pipeline_id"] == office["pipeline_id"]
    assert deal["stage_id"] == office["stage"]["Contact"]
    assert deal["title"] == "Client service: Ural Kitchens"
    assert deal["responsible_id"] == mark
    [task] = head.ok("GET", f"/tasks?company_id={ural}")["items"]
    assert task["title"] == "Contact the client"
    assert task["responsible_id"] == mark
    assert task["creator_id"] == office["head_id"]
    assert task["item_id"] == deal["id"]
    assert task["deadline"] == "2026-03-03T06:00:00Z"  # the next working day
    # Volga Steel was heard from ten days ago: nothing for it today.
    assert head.ok("GET", f"/deals?company_id={volga}")["total"] == 0
    assert head.ok("GET", f"/tasks?company_id={volga}")["total"] == 0
    [check] = head.ok("GET", f"/communication-controls/{control['id']}/checks")["items"]
    assert (check["company_id"], check["item_id"], check["task_id"]) == (
        ural,
        deal["id"],
        task["id"],
    )
    assert check["last_communication_at"] is None

    # Its check moved to 90 days after that call: 80 days on, Volga Steel's turn comes.
    clock.set(MONDAY_9_MSK + timedelta(days=80))
    work(app_client, clock)

    [volga_deal] = head.ok("GET", f"/deals?company_id={volga}")["items"]
    assert volga_deal["title"] == "Client service: Volga Steel"
    [volga_task] = head.ok("GET", f"/tasks?company_id={volga}")["items"]
    assert (volga_task["title"], volga_task["responsible_id"]) == ("Contact the client", mark)
    # Ural Kitchens' service deal is still open: no second one.
    assert head.ok("GET", f"/deals?company_id={ural}")["total"] == 1
    checks = head.ok("GET", f"/communication-controls/{control['id']}/checks")
    assert [c["company_id"] for c in checks["items"]] == [volga, ural]
    assert checks["items"][0]["last_communication_at"] == "2026-02-20T05:30:00Z"


def test_a_head_defines_reads_changes_and_deletes_a_control(
    office: dict[str, Any], clock: FakeClock
) -> None:
    head = office["head"]
    created = head.ok(
        "POST",
        "/communication-controls",
        201,
        json=ninety_days(
            office,
            silent_days=60,
            stage_id=office["stage"]["In progress"],
            deal_title="Check-in: {company}",
            task_title="Call {company}",
            task_description="Ask how the kitchen works",
            deadline_working_days=2,
            schedule="0  8 * * mon",
            timezone="Europe/Samara",
        ),
    )
    assert created["schedule"] == "0 8 * * mon"
    assert created["next_run_at"] == "2026-03-02T04:00:00Z"
    assert (created["creator_id"], created["version"], created["enabled"]) == (
        office["head_id"],
        1,
        True,
    )
    assert head.ok("GET", f"/communication-controls/{created['id']}") == created
    assert head.ok("GET", "/communication-controls")["items"] == [created]

    clock.advance(hours=1)
    changed = head.ok(
        "PATCH",
        f"/communication-controls/{created['id']}",
        json={"schedule": "0 9 * * *", "timezone": "Europe/Moscow", "stage_id": None},
    )
    assert changed["next_run_at"] == "2026-03-02T06:00:00Z"
    assert (changed["version"], changed["stage_id"]) == (2, None)
    same = head.ok("PATCH", f"/communication-controls/{created['id']}", json={"silent_days": 60})
    assert same["version"] == 2
    paused = head.ok("PATCH", f"/communication-controls/{created['id']}", json={"enabled": False})
    assert paused["next_run_at"] is None
    assert head.ok("GET", "/communication-controls?enabled=false")["total"] == 1
    assert head.ok("GET", "/communication-controls?enabled=true")["total"] == 0

    # While a control names its pipeline, the pipeline stays.
    assert office["admin"].delete(f"/pipelines/{office['pipeline_id']}").status_code == 409
    head.ok("DELETE", f"/communication-controls/{created['id']}", 204)
    assert head.get(f"/communication-controls/{created['id']}").status_code == 404
    office["admin"].ok("DELETE", f"/pipelines/{office['pipeline_id']}", 204)


Change = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: {"pipeline_id": o["lead_pipeline_id"]}, "pipeline_id"),
        (lambda o: {"pipeline_id": 999}, "pipeline_id"),
        (lambda o: {"stage_id": o["sales_stage_id"]}, "stage_id"),
        (lambda o: {"stage_id": o["stage"]["Done"]}, "stage_id"),
        (lambda o: {"stage_id": 999}, "stage_id"),
        (lambda o: {"schedule": "every morning"}, "schedule"),
        (lambda o: {"schedule": "0 9 31 2 *"}, "schedule"),
        (lambda o: {"timezone": "Europe/Atlantis"}, "timezone"),
        (lambda o: {"silent_days": 0}, "silent_days"),
        (lambda o: {"silent_days": 3651}, "silent_days"),
        (lambda o: {"deadline_working_days": -1}, "deadline_working_days"),
        (lambda o: {"deal_title": "Service {client}"}, "deal_title"),
        (lambda o: {"task_title": ""}, "task_title"),
        (lambda o: {"creator_id": 999}, "creator_id"),
        (lambda o: {"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    office: dict[str, Any], change: Change, field: str
) -> None:
    admin = office["admin"]
    body = change(office)
    refused = admin.post("/communication-controls", json=ninety_days(office, **body))
    assert refused.status_code == 422, refused.text
    assert _fields(refused.json()) == [field]
    assert admin.ok("GET", "/communication-controls")["total"] == 0

    created = admin.ok("POST", "/communication-controls", 201, json=ninety_days(office))
    refused = admin.patch(f"/communication-controls/{created['id']}", json=body)
    assert refused.status_code == 422, refused.text
    assert _fields(refused.json()) == [field]
    assert admin.ok("GET", f"/communication-controls/{created['id']}") == created


def test_only_an_admin_sets_the_tasks_on_someone_elses_behalf(office: dict[str, Any]) -> None:
    mark = office["mark"]
    as_someone_else = office["head"].post(
        "/communication-controls", json=ninety_days(office, creator_id=mark)
    )
    assert (as_someone_else.status_code, as_someone_else.json()["field"]) == (403, "creator_id")
    created = office["admin"].ok(
        "POST", "/communication-controls", 201, json=ninety_days(office, creator_id=mark)
    )
    assert created["creator_id"] == mark


def test_only_an_admin_or_its_creator_changes_or_deletes_a_control(
    api: Api, office: dict[str, Any]
) -> None:
    hannas = office["head"].ok("POST", "/communication-controls", 201, json=ninety_days(office))
    url = f"/communication-controls/{hannas['id']}"
    _, olga = token_for(api, "Olga Head", role="head")

    changed = olga.patch(url, json={"silent_days": 30})
    deleted = olga.delete(url)

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert api.ok("GET", url) == hannas
    assert office["head"].ok("PATCH", url, json={"silent_days": 60})["silent_days"] == 60
    assert api.ok("PATCH", url, json={"silent_days": 45})["silent_days"] == 45
    api.ok("DELETE", url, 204)


def test_only_heads_and_admins_see_and_run_controls(api: Api, office: dict[str, Any]) -> None:
    created = api.ok("POST", "/communication-controls", 201, json=ninety_days(office))
    _, employee = token_for(api, "Ivan Employee")
    _, partner = token_for(api, "Pat Partner", external=True)
    for who in (employee, partner):
        assert who.get("/communication-controls").status_code == 403
        assert who.get(f"/communication-controls/{created['id']}/checks").status_code == 403
        assert who.post(f"/communication-controls/{created['id']}/run").status_code == 403
        assert who.post("/communication-controls", json=ninety_days(office)).status_code == 403
    assert api.ok("GET", "/deals")["total"] == 0


def test_unknown_controls_are_not_found(office: dict[str, Any]) -> None:
    head = office["head"]
    for method, url in [
        ("GET", "/communication-controls/77"),
        ("PATCH", "/communication-controls/77"),
        ("DELETE", "/communication-controls/77"),
        ("POST", "/communication-controls/77/run"),
        ("GET", "/communication-controls/77/checks"),
    ]:
        response = head.request(method, url, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, url)


def test_running_a_control_by_hand_says_what_it_did_and_a_second_run_doubles_nothing(
    office: dict[str, Any], clock: FakeClock
) -> None:
    head = office["head"]
    ural, volga = office["companies"]["Ural Kitchens"], office["companies"]["Volga Steel"]
    created = head.ok("POST", "/communication-controls", 201, json=ninety_days(office))

    run = head.ok("POST", f"/communication-controls/{created['id']}/run")

    assert run["control_id"] == created["id"]
    assert run["ran_at"] == "2026-03-01T17:00:00Z"
    assert run["silent_since"] == "2025-12-01T17:00:00Z"
    assert run["continues"] is False
    assert [c["company_id"] for c in run["checks"]] == [ural, volga]
    assert all(c["item_id"] and c["task_id"] for c in run["checks"])
    # The schedule is left alone.
    assert head.ok("GET", f"/communication-controls/{created['id']}") == created

    clock.advance(minutes=5)
    again = head.ok("POST", f"/communication-controls/{created['id']}/run")
    assert again["checks"] == []
    assert head.ok("GET", "/deals")["total"] == 2

    page = head.ok("GET", f"/communication-controls/{created['id']}/checks?limit=1")
    assert (page["total"], len(page["items"]), page["limit"]) == (2, 1, 1)
    only_volga = head.ok(
        "GET", f"/communication-controls/{created['id']}/checks?company_id={volga}"
    )
    assert [c["company_id"] for c in only_volga["items"]] == [volga]


def _fields(problem: dict[str, Any]) -> list[str]:
    """The fields a problem names: ``field``, or each of ``errors``."""
    if "field" in problem:
        return [problem["field"]]
    return [e["field"] for e in problem.get("errors", [])]

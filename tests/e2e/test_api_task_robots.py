"""Task robots through the API, with the job worker driven by a fake clock: the seed's
material chain (an overdue payment goes to the chief accountant; an acceptance stuck for a
working day gets two storekeepers as co-executors), and what the robots of a task say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conveyor.testing import FakeClock
from tests.e2e.conftest import Api
from tests.e2e.test_api_robots import work

# Monday 2 March 2026, 12:00 in Moscow; the payment is due Tuesday 18:00.
MONDAY_NOON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TUESDAY_6PM = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
AT_DEADLINE = {"kind": "at_field", "field": "deadline"}


@dataclass(frozen=True, kw_only=True)
class Company:
    people: dict[str, int]
    departments: dict[str, int]
    as_: dict[str, Api]


@pytest.fixture
def company(api: Api, clock: FakeClock) -> Company:
    """Olga directs the head office, above Accounting (Clara, chief accountant; Anna,
    accountant) and the Warehouse (Wanda, its head; Sam and Stas, storekeepers); Peter
    buys the material and sets the tasks."""
    clock.set(MONDAY_NOON)
    departments = {"Head office": api.ok("POST", "/departments", 201, json={"name": "Head office"})}
    for name in ("Accounting", "Warehouse"):
        body = {"name": name, "parent_id": departments["Head office"]["id"]}
        departments[name] = api.ok("POST", "/departments", 201, json=body)
    staff = [
        ("Olga", "Director", "Head office", "head"),
        ("Peter", "Purchaser", "Head office", "employee"),
        ("Clara", "Chief accountant", "Accounting", "employee"),
        ("Anna", "Accountant", "Accounting", "employee"),
        ("Wanda", "Head of the warehouse", "Warehouse", "employee"),
        ("Sam", "Storekeeper", "Warehouse", "employee"),
        ("Stas", "Storekeeper", "Warehouse", "employee"),
    ]
    people, tokens = {}, {}
    for name, position, department, role in staff:
        body = {
            "name": name,
            "position": position,
            "department_ids": [departments[department]["id"]],
            "language": "en",
        }
        people[name] = api.ok("POST", "/employees", 201, json=body)["id"]
        token = {"employee_id": people[name], "role": role}
        tokens[name] = api.ok("POST", "/tokens", 201, json=token)["token"]
    for department, head in (
        ("Head office", "Olga"),
        ("Accounting", "Clara"),
        ("Warehouse", "Wanda"),
    ):
        api.ok(
            "PATCH", f"/departments/{departments[department]['id']}", json={"head_id": people[head]}
        )
    return Company(
        people=people,
        departments={name: d["id"] for name, d in departments.items()},
        as_={name: api.as_(token) for name, token in tokens.items()},
    )


def feed(as_: Api, kind: str) -> list[Any]:
    return [n for n in as_.ok("GET", "/notifications")["items"] if n["kind"] == kind]


def robot_runs(as_: Api, task: Any) -> list[Any]:
    return as_.ok("GET", f"/tasks/{task['id']}/robot-runs")["items"]  # type: ignore[no-any-return]


def test_the_seeds_material_chain_moves_by_itself(
    company: Company, app_client: TestClient, clock: FakeClock
) -> None:
    olga, peter, anna = (company.as_[n] for n in ("Olga", "Peter", "Anna"))
    clara, wanda = company.as_["Clara"], company.as_["Wanda"]
    people = company.people
    # The director sets the robots up once.
    for status in ("pending", "in_progress"):
        olga.ok(
            "POST",
            "/task-robots",
            201,
            json={
                "name": "Overdue payment to the chief accountant",
                "status": status,
                "department_id": company.departments["Accounting"],
                "condition": '"pay" in lower(task.title)',
                "timing": AT_DEADLINE,
                "action": {"kind": "change_responsible", "to": {"position": "Chief accountant"}},
            },
        )
    olga.ok(
        "POST",
        "/task-robots",
        201,
        json={
            "name": "Acceptance stuck: storekeepers help",
            "status": "awaiting_control",
            "department_id": company.departments["Head office"],
            "timing": {"kind": "after_working", "amount": 1, "unit": "days"},
            "action": {"kind": "add_co_executors", "to": [{"position": "Storekeeper"}]},
        },
    )
    # Peter sets the payment for Anna and the acceptance for Wanda.
    payment = peter.ok(
        "POST",
        "/tasks",
        201,
        json={
            "title": "Pay for the material",
            "responsible_id": people["Anna"],
            "deadline": TUESDAY_6PM.isoformat(),
        },
    )
    acceptance = peter.ok(
        "POST",
        "/tasks",
        201,
        json={
            "title": "Accept the material",
            "responsible_id": people["Wanda"],
            "requires_acceptance": True,
        },
    )
    clock.advance(minutes=5)
    anna.ok("POST", f"/tasks/{payment['id']}/actions", json={"action": "start"})
    wanda.ok("POST", f"/tasks/{acceptance['id']}/actions", json={"action": "complete"})
    # Latest status entry first: the pending robot's run ended when Anna started.
    waiting, left = robot_runs(anna, payment)
    assert (waiting["state"], waiting["status"], waiting["due_at"]) == (
        "scheduled",
        "in_progress",
        "2026-03-03T15:00:00Z",
    )
    assert (left["state"], left["reason"]) == ("cancelled", "left_status")

    # The payment is overdue: the chief accountant has it now, and both of them know.
    clock.set(TUESDAY_6PM)
    work(app_client, clock)

    paid = clara.ok("GET", f"/tasks/{payment['id']}")
    assert (paid["responsible_id"], paid["status"]) == (people["Clara"], "in_progress")
    handed, _ = robot_runs(clara, payment)
    assert (handed["state"], handed["reason"], handed["detail"]) == (
        "fired",
        "done",
        "handed from Anna to Clara",
    )
    [news] = feed(clara, "task_assigned")
    assert news["link"] == {"entity": "task", "id": payment["id"]}
    [taken] = feed(anna, "task_taken_over")
    assert taken["text"] == (
        "Task «Pay for the material» is no longer yours: it is now with Clara "
        "(robot «Overdue payment to the chief accountant»)."
    )

    # The acceptance has waited a working day since Monday noon: two storekeepers help.
    accepted = peter.ok("GET", f"/tasks/{acceptance['id']}")
    assert accepted["co_executor_ids"] == [people["Sam"], people["Stas"]]
    for storekeeper in ("Sam", "Stas"):
        [added] = feed(company.as_[storekeeper], "task_co_executor_added")
        assert added["subject"] == "You help with task «Accept the material»"
    [helped] = robot_runs(company.as_["Sam"], acceptance)
    assert (helped["state"], helped["detail"]) == ("fired", "added Sam, Stas as co-executors")


def test_a_shifted_deadline_moves_the_robot_waiting_for_it(
    company: Company, app_client: TestClient, clock: FakeClock
) -> None:
    olga, peter = company.as_["Olga"], company.as_["Peter"]
    olga.ok(
        "POST",
        "/task-robots",
        201,
        json={
            "name": "A day after the deadline: the head",
            "status": "pending",
            "department_id": company.departments["Head office"],
            "timing": {"kind": "after_field", "field": "deadline", "amount": 1, "unit": "days"},
            "action": {"kind": "control", "text": "«{task.title}» was due {task.deadline}"},
        },
    )
    task = peter.ok(
        "POST",
        "/tasks",
        201,
        json={"title": "Pay", "responsible_id": company.people["Anna"]},
    )
    [waiting] = robot_runs(peter, task)
    assert (waiting["state"], waiting["due_at"]) == ("scheduled", None)

    peter.ok("PATCH", f"/tasks/{task['id']}", json={"deadline": TUESDAY_6PM.isoformat()})

    [waiting] = robot_runs(peter, task)
    assert waiting["due_at"] == "2026-03-04T15:00:00Z"
    clock.set(datetime(2026, 3, 4, 15, 0, tzinfo=UTC))
    work(app_client, clock)
    [control] = feed(company.as_["Clara"], "robot_control")
    assert control["text"] == "«Pay» was due 2026-03-03 18:00 MSK"


def test_task_robots_are_kept_by_heads_in_order_and_refused_with_the_field_at_fault(
    api: Api, company: Company
) -> None:
    olga, anna = company.as_["Olga"], company.as_["Anna"]
    tell = {"kind": "notify", "to": ["creator"], "text": "Started: {task.title}"}
    office = company.departments["Head office"]
    body = {
        "name": "Tell the creator",
        "status": "in_progress",
        "department_id": office,
        "action": tell,
    }
    first = olga.ok("POST", "/task-robots", 201, json=body)
    second = olga.ok("POST", "/task-robots", 201, json={**body, "name": "Second"})
    assert anna.post("/task-robots", json=body).status_code == 403
    assert anna.get("/task-robots").status_code == 403

    order = {"status": "in_progress", "robot_ids": [second["id"], first["id"]]}
    reordered = olga.ok("POST", "/task-robots/reorder", json=order)
    assert [r["name"] for r in reordered] == ["Second", "Tell the creator"]
    assert [r["name"] for r in olga.ok("GET", "/task-robots?status=pending")] == []
    changed = olga.ok("PATCH", f"/task-robots/{first['id']}", json={"enabled": False})
    assert (changed["enabled"], changed["version"]) == (False, 2)
    olga.ok("DELETE", f"/task-robots/{second['id']}", 204)
    assert [r["position"] for r in api.ok("GET", "/task-robots")] == [0]
    # A department whose tasks a robot watches is not deleted under it.
    scoped = olga.ok(
        "POST",
        "/task-robots",
        201,
        json={**body, "name": "Warehouse only", "department_id": company.departments["Warehouse"]},
    )
    assert api.delete(f"/departments/{company.departments['Warehouse']}").status_code == 409
    olga.ok("DELETE", f"/task-robots/{scoped['id']}", 204)
    api.ok("DELETE", f"/departments/{company.departments['Warehouse']}", 204)

    for bad, field in (
        ({"timing": {"kind": "at_field", "field": "start_at"}}, "timing.field"),
        ({"timing": {"kind": "at_field"}}, "timing.field"),
        (
            {"action": {"kind": "notify", "to": [{"position": ""}], "text": "x"}},
            "action.to.0.position",
        ),
        ({"action": {"kind": "change_responsible", "to": ["head", 5]}}, "action.to"),
        ({"action": {"kind": "shift_deadline", "amount": 400}}, "action.amount"),
        ({"condition": "task.title =="}, "condition"),
        ({"status": "completed", "action": {"kind": "change_responsible", "to": "head"}}, "action"),
    ):
        response = olga.post("/task-robots", json={**body, **bad})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field, response.text


@pytest.mark.parametrize("within", [["department"], {"department": True}, 1])
def test_a_position_within_something_other_than_a_word_is_refused_naming_it(
    api: Api, within: Any
) -> None:
    action = {"kind": "notify", "to": [{"position": "Chief accountant", "within": within}]}
    body = {"name": "Tell", "status": "pending", "action": {**action, "text": "x"}}

    problem = api.ok("POST", "/task-robots", 422, json=body)

    assert problem["field"] == "action.to.0.within"
    assert api.ok("GET", "/task-robots") == []


def test_a_head_keeps_robots_only_for_the_departments_they_head(api: Api, company: Company) -> None:
    olga, departments = company.as_["Olga"], company.departments
    tell = {"kind": "notify", "to": ["creator"], "text": "Started: {task.title}"}
    body = {"name": "Tell the creator", "status": "in_progress", "action": tell}
    # Clara heads Accounting, below the head office, and acts as a head.
    token = {"employee_id": company.people["Clara"], "role": "head"}
    clara = api.as_(api.ok("POST", "/tokens", 201, json=token)["token"])

    # The whole company is an admin's.
    refused = olga.ok("POST", "/task-robots", 403, json=body)
    assert refused["field"] == "department_id"
    company_wide = api.ok("POST", "/task-robots", 201, json=body)
    for method, extra in (("PATCH", {"json": {"enabled": False}}), ("DELETE", {})):
        refused = olga.ok(method, f"/task-robots/{company_wide['id']}", 403, **extra)
        assert refused["field"] == "department_id"

    # A head's own department and those below it, no other.
    accounting = {**body, "department_id": departments["Accounting"]}
    own = clara.ok("POST", "/task-robots", 201, json=accounting)
    warehouse = {**body, "department_id": departments["Warehouse"]}
    assert clara.ok("POST", "/task-robots", 403, json=warehouse)["field"] == "department_id"
    office = olga.ok(
        "POST", "/task-robots", 201, json={**body, "department_id": departments["Head office"]}
    )
    for change in ({"department_id": departments["Head office"]}, {"department_id": None}):
        refused = clara.ok("PATCH", f"/task-robots/{own['id']}", 403, json=change)
        assert refused["field"] == "department_id"
    assert clara.ok("DELETE", f"/task-robots/{office['id']}", 403)["field"] == "department_id"
    olga.ok("PATCH", f"/task-robots/{own['id']}", json={"enabled": False})
    clara.ok("DELETE", f"/task-robots/{own['id']}", 204)
    robots = api.ok("GET", "/task-robots")
    assert [(r["id"], r["enabled"]) for r in robots] == [
        (company_wide["id"], True),
        (office["id"], True),
    ]


def test_only_an_admin_names_an_external_partner_in_a_task_robot(
    api: Api, company: Company
) -> None:
    olga = company.as_["Olga"]
    partner = api.ok("POST", "/employees", 201, json={"name": "Pavel", "is_external": True})
    scope = {"status": "pending", "department_id": company.departments["Head office"]}
    tell = {"kind": "notify", "to": ["creator", partner["id"]], "text": "New: {task.title}"}
    helpers = {"kind": "add_co_executors", "to": [partner["id"]]}
    control = {"kind": "control", "text": "Look", "employee_id": partner["id"]}

    for action, field in (
        (tell, "action.to.1"),
        (helpers, "action.to.0"),
        ({"kind": "change_responsible", "to": partner["id"]}, "action.to"),
        (control, "action.employee_id"),
    ):
        body = {**scope, "name": "Partner", "action": action}
        refused = olga.ok("POST", "/task-robots", 403, json=body)
        assert refused["field"] == field, refused
        api.ok("POST", "/task-robots", 201, json=body)
    mine = olga.ok(
        "POST",
        "/task-robots",
        201,
        json={**scope, "name": "Mine", "action": {**tell, "to": ["creator"]}},
    )
    refused = olga.ok("PATCH", f"/task-robots/{mine['id']}", 403, json={"action": tell})
    assert refused["field"] == "action.to.1"

"""The live workload board over HTTP: the head of Design opens ``/workload`` on Monday
morning and sees who holds what, who is away until when, and how many paid deals wait."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from conveyor.testing import FakeClock
from tests.e2e.agency import sales_pipeline
from tests.e2e.conftest import Api

WEIGHT = '5 if deal.equipment_type == "special" else 1'
MONDAY_10_MSK = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def studio(api: Api, clock: FakeClock) -> dict[str, Any]:
    """Designers (head Hanna): Lev with 8 of 10 points and a late task, on vacation until
    10 March; Sam with 3 points. Accounting (Olga) is someone else's."""
    clock.set(MONDAY_10_MSK)
    pipeline = sales_pipeline(api)
    stage = pipeline["stage"]
    api.ok(
        "POST",
        "/custom-fields",
        201,
        json={"entity_type": "deal", "code": "equipment_type", "name": "Eq", "type": "string"},
    )
    designers = api.ok("POST", "/departments", 201, json={"name": "Designers"})["id"]
    accounting = api.ok("POST", "/departments", 201, json={"name": "Accounting"})["id"]

    def hire(name: str, department: int, role: str | None = None) -> tuple[int, Api | None]:
        who = api.ok("POST", "/employees", 201, json={"name": name, "department_ids": [department]})
        if role is None:
            return who["id"], None
        token = api.ok("POST", "/tokens", 201, json={"employee_id": who["id"], "role": role})
        return who["id"], api.as_(token["token"])

    hanna, as_hanna = hire("Hanna Head", designers, "head")
    lev, as_lev = hire("Lev", designers, "employee")
    sam, _ = hire("Sam", designers)
    olga, _ = hire("Olga", accounting)
    api.ok("PATCH", f"/departments/{designers}", json={"head_id": hanna})
    vacation = {"kind": "vacation", "starts_on": "2026-03-01", "ends_on": "2026-03-10"}
    api.ok("POST", "/absences", 201, json={"employee_id": lev, **vacation})
    for who, equipment in [(lev, "special")] + [(lev, "standard")] * 3 + [(sam, "standard")] * 3:
        body = {
            "title": "Website",
            "stage_id": stage["Development started"],
            "responsible_id": who,
            "fields": {"equipment_type": equipment},
        }
        api.ok("POST", "/deals", 201, json=body)
    late = {"title": "Mock-up", "responsible_id": lev, "deadline": "2026-02-27T18:00:00+03:00"}
    api.ok("POST", "/tasks", 201, json=late)
    rule = api.ok(
        "POST",
        "/assignment-rules",
        201,
        json={
            "name": "Paid deals to design",
            "entity_type": "deal",
            "pipeline_id": pipeline["id"],
            "trigger_stage_id": stage["Prepayment received"],
            "department_ids": [designers],
            "exclude_heads": True,
            "default_capacity_points": 10,
            "in_work_stage_ids": [stage["Development started"]],
            "weight": WEIGHT,
            "next_stage_id": stage["Development started"],
            "escalate_after_minutes": 30,
        },
    )
    assert as_hanna is not None and as_lev is not None
    return {
        "stage": stage,
        "rule": rule,
        "designers": designers,
        "accounting": accounting,
        "people": {"Hanna": hanna, "Lev": lev, "Sam": sam, "Olga": olga},
        "as_hanna": as_hanna,
        "as_lev": as_lev,
    }


def by_name(board: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in board["items"]}


def test_lev_has_8_of_10_points_a_late_task_and_is_free_when_back_from_vacation(
    api: Api, studio: dict[str, Any]
) -> None:
    board = api.ok("GET", "/workload", params={"rule_id": studio["rule"]["id"]})

    assert board["rule_id"] == studio["rule"]["id"]
    assert board["counted_stage_ids"] == [studio["stage"]["Development started"]]
    rows = by_name(board)
    assert sorted(rows) == ["Lev", "Sam"]  # the rule never gives work to Hanna, the head
    lev = rows["Lev"]
    assert (lev["in_work_count"], lev["in_work_points"]) == (4, 8)
    assert (lev["capacity_points"], lev["free_points"]) == (10, 2)
    assert lev["tasks"]["overdue"] == 1
    assert lev["presence"] == {
        "present": False,
        "reason": "absence",
        "absence_kind": "vacation",
        "absent_until": "2026-03-10",
        "dismissed_at": None,
        "day": "not_opened",
        "in_working_hours": True,
    }
    assert lev["free_at"] == "2026-03-11T09:00:00+03:00"
    assert lev["free_at_basis"] == "back_from_absence"
    assert "vacation" in lev["free_at_note"]
    sam = rows["Sam"]
    assert (sam["in_work_points"], sam["free_points"], sam["free_at_basis"]) == (
        3,
        7,
        "room_now",
    )
    assert sam["free_at"] == "2026-03-02T10:00:00+03:00"


def test_without_a_rule_the_board_counts_every_open_stage_and_caps_nobody(
    api: Api, studio: dict[str, Any]
) -> None:
    rows = by_name(api.ok("GET", "/workload"))

    assert sorted(rows) == ["Anna Admin", "Hanna Head", "Lev", "Olga", "Sam"]
    assert (rows["Lev"]["in_work_points"], rows["Lev"]["capacity_points"]) == (4, None)
    assert rows["Lev"]["department_ids"] == [studio["designers"]]


def test_the_head_sees_his_department_not_the_others(api: Api, studio: dict[str, Any]) -> None:
    hanna = studio["as_hanna"]

    rows = by_name(hanna.ok("GET", "/workload"))
    refused = hanna.get("/workload", params={"department_id": studio["accounting"]})

    assert sorted(rows) == ["Hanna Head", "Lev", "Sam"]
    assert refused.status_code == 403
    assert refused.json()["field"] == "department_id"


def test_an_employee_sees_only_themselves_and_not_the_queues(
    api: Api, studio: dict[str, Any]
) -> None:
    lev = studio["as_lev"]

    board = lev.ok("GET", "/workload")
    queues = lev.get("/workload/queues")

    assert [row["name"] for row in board["items"]] == ["Lev"]
    assert queues.status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"department_id": 999_999}, "department_id"),
        ({"rule_id": 999_999}, "rule_id"),
        ({"department_id": 0}, "department_id"),
        ({"rule_id": "design"}, "rule_id"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    api: Api, studio: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    before = api.ok("GET", "/workload")

    response = api.get("/workload", params=params)

    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert api.ok("GET", "/workload") == before


def test_the_queue_of_paid_deals_to_design_has_2_waiting_the_oldest_since_10_05(
    api: Api, clock: FakeClock, studio: dict[str, Any]
) -> None:
    stage = studio["stage"]
    api.ok(
        "PATCH", f"/assignment-rules/{studio['rule']['id']}", json={"default_capacity_points": 3}
    )
    for minute in (5, 7):  # Lev is away and Sam is full: both wait
        clock.set(MONDAY_10_MSK.replace(minute=minute))
        body = {"title": f"Paid at 10:{minute:02}", "stage_id": stage["Awaiting payment"]}
        deal = api.ok("POST", "/deals", 201, json=body)
        api.ok("POST", f"/deals/{deal['id']}/move", json={"stage_id": stage["Prepayment received"]})
    clock.set(MONDAY_10_MSK.replace(minute=20))

    queues = studio["as_hanna"].ok("GET", "/workload/queues")

    assert queues == [
        {
            "rule_id": studio["rule"]["id"],
            "rule_name": "Paid deals to design",
            "waiting": 2,
            "oldest_queued_at": "2026-03-02T07:05:00Z",
            "oldest_wait_seconds": 15 * 60,
            "escalated": 0,
        }
    ]
